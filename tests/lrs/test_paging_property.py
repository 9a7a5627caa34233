"""Property: after any sequence of valid POSTs (with voiding), a paged read returns every
statement that is not voided and matches exactly once, ordered by stored and then id; a
filtered read also returns statements whose StatementRef target matches (recursively)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import COMPLETED, EXPERIENCED, PASSED, VOIDED, activity, statement, voiding
from tests.xapi_client import new_credential

VERBS = [COMPLETED, EXPERIENCED, PASSED]
ACTORS = ["ann", "bob", "cat"]


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def read_everything(client, params: dict, limit: int, ascending: bool) -> list[dict]:
    order = "true" if ascending else "false"
    response = client.get({**params, "limit": limit, "ascending": order})
    pages = 0
    result = []
    while True:
        assert response.status_code == 200, response.get_data(as_text=True)
        page = response.json["statements"]
        assert len(page) <= limit
        result += page
        more = response.json.get("more", "")
        if not more:
            return result
        pages += 1
        assert pages <= 200, "more links never end"
        response = client.client.open(
            urljoin("/xapi/statements", more),
            headers=client.headers,
            auth=(client.key, client.secret),
        )


@dataclass
class History:
    """What was posted: ids in order, each statement's verb and actor, and voiding targets."""

    ids: list[str] = field(default_factory=list)
    verb: dict[str, str] = field(default_factory=dict)
    actor: dict[str, str] = field(default_factory=dict)
    target: dict[str, str] = field(default_factory=dict)

    @property
    def voided(self) -> set[str]:
        """Stored statements targeted by a voiding statement that are not voiding statements."""
        return (set(self.target.values()) & set(self.ids)) - set(self.target)

    def matches(self, statement_id: str, key: str, value: str) -> bool:
        """The filter matches the statement or, through its StatementRef, its target."""
        while statement_id in self.verb:
            if getattr(self, key)[statement_id] == value:
                return True
            statement_id = self.target.get(statement_id, "")
        return False


def post_random_batches(client, data) -> History:
    history = History()
    for _ in range(data.draw(st.integers(1, 5), label="batches")):
        batch = []
        for _ in range(data.draw(st.integers(1, 4), label="batch size")):
            kind = data.draw(st.sampled_from(["plain", "plain", "void", "void-unknown"]))
            if kind == "void" and history.ids:
                batch.append(voiding(data.draw(st.sampled_from(history.ids), label="target")))
            elif kind == "void-unknown":
                batch.append(voiding(str(uuid.uuid4())))
            else:
                body = statement(
                    data.draw(st.sampled_from(ACTORS), label="actor"),
                    data.draw(st.sampled_from(VERBS), label="verb"),
                    activity(f"course/{data.draw(st.integers(0, 2), label='activity')}"),
                )
                if data.draw(st.booleans(), label="supply id"):
                    body["id"] = str(uuid.uuid4())
                batch.append(body)
        ids = client.store(*batch)
        assert len(ids) == len(batch)
        for statement_id, body in zip(ids, batch, strict=True):
            history.ids.append(statement_id)
            history.verb[statement_id] = body["verb"]["id"]
            history.actor[statement_id] = body["actor"]["mbox"]
            if body["object"]["objectType"] == "StatementRef":
                history.target[statement_id] = body["object"]["id"]
    return history


def assert_ordered_once(returned: list[dict], ascending: bool) -> list[str]:
    returned_ids = [s["id"] for s in returned]
    assert len(returned_ids) == len(set(returned_ids)), "a statement was returned twice"
    keys = [(when(s["stored"]), s["id"]) for s in returned]
    assert keys == sorted(keys, reverse=not ascending)
    return returned_ids


SETTINGS = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=25, deadline=None
)


@SETTINGS
@given(data=st.data())
def test_full_paged_read_returns_every_live_statement_once_in_order(app, db_session, data):
    client = new_credential(app, scopes=["all"])
    history = post_random_batches(client, data)
    limit = data.draw(st.integers(1, 4), label="limit")
    ascending = data.draw(st.booleans(), label="ascending")
    returned = read_everything(client, {}, limit, ascending)

    assert set(assert_ordered_once(returned, ascending)) == set(history.ids) - history.voided
    for s in returned:
        assert (s["verb"]["id"] == VOIDED) == (s["id"] in history.target)
    for statement_id in history.voided:
        assert client.get({"statementId": statement_id}).status_code == 404
        assert client.get({"voidedStatementId": statement_id}).status_code == 200


@SETTINGS
@given(data=st.data())
def test_filtered_paged_read_follows_statement_refs_and_skips_voided(app, db_session, data):
    client = new_credential(app, scopes=["all"])
    history = post_random_batches(client, data)
    if data.draw(st.booleans(), label="filter on verb"):
        key, value = "verb", data.draw(st.sampled_from([*VERBS, VOIDED]), label="verb")
        params = {"verb": value}
    else:
        key, value = "actor", f"mailto:{data.draw(st.sampled_from(ACTORS))}@example.com"
        params = {"agent": {"mbox": value}}
    limit = data.draw(st.integers(1, 4), label="limit")
    ascending = data.draw(st.booleans(), label="ascending")
    returned = read_everything(client, params, limit, ascending)

    expected = {
        statement_id
        for statement_id in history.ids
        if statement_id not in history.voided and history.matches(statement_id, key, value)
    }
    assert set(assert_ordered_once(returned, ascending)) == expected
