"""Two companies on one LRS never see or affect each other's statements."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import pytest

from tests.factories import PASSED, VOIDED, activity, agent, statement, voiding
from tests.xapi_client import XapiClient, new_credential

REGISTRATION = str(uuid.uuid4())


def shared_statement(actor: str = "ann") -> dict:
    """The same statement content in both companies: same actor, verb, activity, registration."""
    return statement(
        actor,
        PASSED,
        activity("course/shared"),
        context={
            "registration": REGISTRATION,
            "instructor": agent("ivy"),
            "team": {"objectType": "Group", "mbox": "mailto:team@example.com"},
            "contextActivities": {"parent": [activity("program/shared")]},
        },
    )


def ids(response) -> set[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {s["id"] for s in response.json["statements"]}


def follow(client: XapiClient, more: str):
    return client.client.open(more, headers=client.headers, auth=(client.key, client.secret))


@dataclass
class Tenant:
    client: XapiClient
    live: set[str]
    voided: str
    voiding: str
    ref: str


def populate(client: XapiClient) -> Tenant:
    live = set(client.store(shared_statement("ann"), shared_statement("bob")))
    [voided] = client.store(shared_statement("cat"))
    [voiding_id] = client.store(voiding(voided))
    [ref] = client.store(statement("dan", obj={"objectType": "StatementRef", "id": min(live)}))
    return Tenant(client, live | {voiding_id, ref}, voided, voiding_id, ref)


@pytest.fixture
def tenants(app, db_session, xapi) -> tuple[Tenant, Tenant]:
    other = new_credential(app, scopes=["all"])
    assert other.company.id != xapi.company.id
    first = populate(xapi)
    time.sleep(0.002)
    second = populate(other)
    return first, second


def authority_of(tenant: Tenant) -> dict:
    return tenant.client.get({"statementId": tenant.ref}).json["authority"]


FILTERS = {
    "none": {},
    "agent": {"agent": agent("ann")},
    "agent-instructor": {"agent": agent("ivy"), "related_agents": "true"},
    "agent-team": {
        "agent": {"objectType": "Group", "mbox": "mailto:team@example.com"},
        "related_agents": "true",
    },
    "verb": {"verb": PASSED},
    "voided-verb": {"verb": VOIDED},
    "activity": {"activity": activity("course/shared")["id"]},
    "related-activity": {
        "activity": activity("program/shared")["id"],
        "related_activities": "true",
    },
    "registration": {"registration": REGISTRATION},
    "since": {"since": "2000-01-01T00:00:00Z"},
    "until": {"until": "2999-01-01T00:00:00Z"},
    "ascending": {"ascending": "true"},
    "limit": {"limit": "50"},
    "format-ids": {"format": "ids"},
    "format-canonical": {"format": "canonical"},
}


def test_every_filter_returns_only_the_callers_company_statements(tenants):
    leaks = []
    for name, params in FILTERS.items():
        for tenant, other in (tenants, tenants[::-1]):
            found = ids(tenant.client.get(params))
            if not found or not found <= tenant.live or found & (other.live | {other.voided}):
                leaks.append(name)
    assert leaks == []


def test_authority_filter_of_another_company_finds_nothing(tenants):
    first, second = tenants
    params = {"agent": authority_of(second), "related_agents": "true"}
    assert ids(first.client.get(params)) == set()
    assert ids(second.client.get(params)) == second.live


def test_statement_id_of_another_company_is_404(tenants):
    first, second = tenants
    for statement_id in second.live:
        assert first.client.get({"statementId": statement_id}).status_code == 404
    assert second.client.get({"statementId": min(second.live)}).status_code == 200


def test_voided_statement_id_of_another_company_is_404(tenants):
    first, second = tenants
    assert first.client.get({"voidedStatementId": second.voided}).status_code == 404
    assert second.client.get({"voidedStatementId": second.voided}).status_code == 200


def test_head_of_another_companys_statement_is_404(tenants):
    first, second = tenants
    response = first.client.request(
        "HEAD", "statements", query_string={"statementId": min(second.live)}
    )
    assert response.status_code == 404


def test_another_company_may_store_a_statement_with_the_same_id(app, db_session, xapi):
    other = new_credential(app, scopes=["all"])
    statement_id = str(uuid.uuid4())
    assert xapi.put(statement_id, statement("ann")).status_code == 204
    assert other.put(statement_id, statement("bob", PASSED)).status_code == 204
    assert other.post(statement("zed", id=statement_id)).status_code == 409
    assert xapi.get({"statementId": statement_id}).json["actor"] == agent("ann")
    assert other.get({"statementId": statement_id}).json["actor"] == agent("bob")
    assert ids(xapi.get()) == {statement_id}
    assert ids(other.get()) == {statement_id}


def test_same_id_in_a_batch_of_another_company_does_not_conflict(app, db_session, xapi):
    other = new_credential(app, scopes=["all"])
    [statement_id] = xapi.store(statement("ann"))
    assert other.store(statement("bob", id=statement_id), statement("cat"))[0] == statement_id


def test_voiding_another_companys_statement_id_does_not_void_it(app, db_session, xapi):
    other = new_credential(app, scopes=["all"])
    [target] = xapi.store(statement())
    [voiding_id] = other.store(voiding(target))
    assert xapi.get({"statementId": target}).status_code == 200
    assert ids(xapi.get()) == {target}
    assert ids(other.get()) == {voiding_id}


def test_voiding_applies_only_within_the_company_when_ids_collide(app, db_session, xapi):
    other = new_credential(app, scopes=["all"])
    statement_id = str(uuid.uuid4())
    xapi.store(statement("ann", id=statement_id))
    other.store(statement("ann", id=statement_id))
    other.store(voiding(statement_id))
    assert xapi.get({"statementId": statement_id}).status_code == 200
    assert xapi.get({"voidedStatementId": statement_id}).status_code == 404
    assert other.get({"statementId": statement_id}).status_code == 404
    assert other.get({"voidedStatementId": statement_id}).status_code == 200


def test_early_voiding_in_one_company_does_not_void_a_later_statement_of_another(
    app, db_session, xapi
):
    other = new_credential(app, scopes=["all"])
    statement_id = str(uuid.uuid4())
    other.store(voiding(statement_id))
    xapi.store(statement(id=statement_id))
    assert xapi.get({"statementId": statement_id}).status_code == 200


def test_statement_ref_rule_does_not_match_through_another_companys_statement(
    app, db_session, xapi
):
    other = new_credential(app, scopes=["all"])
    [target] = xapi.store(statement("ben", PASSED, activity("secret")))
    [ref] = other.store(statement("dan", obj={"objectType": "StatementRef", "id": target}))
    assert ids(other.get({"agent": agent("ben")})) == set()
    assert ids(other.get({"activity": activity("secret")["id"]})) == set()
    assert ids(other.get({"verb": PASSED})) == set()
    assert ids(xapi.get({"agent": agent("ben")})) == {target}
    assert ref not in ids(xapi.get())


@pytest.mark.parametrize("params", [{}, {"verb": PASSED}, {"ascending": "true"}])
def test_more_link_of_one_company_is_not_usable_by_another(tenants, params):
    first, second = tenants
    response = first.client.get({"limit": 1, **params})
    more = response.json["more"]
    assert more
    stolen = follow(second.client, more)
    assert stolen.status_code == 400
    assert stolen.json["detail"] == "this 'more' IRL belongs to another credential"
    assert follow(first.client, more).status_code == 200


def test_read_scopes_of_another_company_see_nothing(app, db_session, tenants):
    first, second = tenants
    reader = new_credential(app, scopes=["all/read"], company=second.client.company)
    found = ids(reader.get())
    assert found == second.live
    assert reader.get({"statementId": min(first.live)}).status_code == 404


def test_identical_statement_with_the_same_id_is_stored_for_each_company(app, db_session, xapi):
    other = new_credential(app, scopes=["all"])
    statement_id = str(uuid.uuid4())
    assert xapi.put(statement_id, statement()).status_code == 204
    assert other.put(statement_id, statement()).status_code == 204
    mine = xapi.get({"statementId": statement_id}).json
    theirs = other.get({"statementId": statement_id})
    assert theirs.status_code == 200
    assert theirs.json["authority"] != mine["authority"]
    assert ids(other.get()) == {statement_id}
    [posted] = other.store(statement("bob"))
    assert xapi.post(statement("bob", id=posted)).status_code == 200
    assert xapi.get({"statementId": posted}).status_code == 200


def test_canonical_activity_definitions_do_not_leak_between_companies(app, db_session, xapi):
    other = new_credential(app, scopes=["all"])
    secret = activity("course/x", name={"en-US": "A secret"}, description={"en-US": "Only A"})
    xapi.store(statement("ann", obj=secret))
    [plain] = other.store(statement("bob", obj=activity("course/x")))
    [renamed] = other.store(statement("bob", obj=activity("course/x", name={"en-US": "B name"})))
    for params in ({"format": "canonical"}, {"statementId": plain, "format": "canonical"}):
        body = other.get(params, headers={"Accept-Language": "en-US"}).get_data(as_text=True)
        assert "A secret" not in body and "Only A" not in body
    mine = xapi.get({"format": "canonical"}, headers={"Accept-Language": "en-US"}).json
    assert mine["statements"][0]["object"]["definition"]["name"] == {"en-US": "A secret"}
    theirs = other.get({"statementId": renamed, "format": "canonical"}).json
    assert theirs["object"]["definition"]["name"] == {"en-US": "B name"}
