"""The LRS driven over HTTP by TinCanPython (the PyPI package `tincan`, Rustici Software).

TinCanPython 1.0.0 has gaps that would hide what the LRS does; each is worked around as
narrowly as possible and named where it is used:

- `retrieve_state`, `retrieve_activity_profile` and `retrieve_agent_profile` look headers up
  in `HTTPResponse.getheaders()`, which is a list on Python 3, so `document.etag` is never
  set: the ETag is read from the response (`_etag`).
- Those three calls treat 404 as success and hand back the error body as the document, so
  absence is checked on the status code.
- `save_state` and `delete_state` drop the document's registration, and no call can send
  If-None-Match: `PatchedRemoteLRS.sending` adds query parameters or headers to the requests
  made inside it.
- `save_state` sends its PUT twice; harmless without If-Match, but the second PUT of an
  If-Match update fails with 412 after the first succeeded, so State preconditions are
  tested with xapijs only.
- Request bodies are `str`, which `http.client` encodes as Latin-1, so document content is
  kept ASCII (JSON `\\u` escapes); non-ASCII documents are covered by the xapijs tests.
- `query_statements` sends Python booleans as `True`/`False` and datetimes with a space
  before the time; xAPI booleans are JSON (`true`) and Timestamps are ISO 8601, so the tests
  pass those parameters as strings.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from tincan import (
    Activity,
    ActivityDefinition,
    ActivityList,
    ActivityProfileDocument,
    Agent,
    AgentAccount,
    AgentProfileDocument,
    Attachment,
    AttachmentList,
    Context,
    ContextActivities,
    Extensions,
    Group,
    InteractionComponent,
    InteractionComponentList,
    LanguageMap,
    RemoteLRS,
    Result,
    Score,
    StateDocument,
    Statement,
    StatementRef,
    SubStatement,
    Verb,
)
from tincan.http_request import HTTPRequest
from tincan.lrs_response import LRSResponse

from tests.e2e.conftest import LrsServer

COMPLETED = Verb(
    id="http://adlnet.gov/expapi/verbs/completed", display=LanguageMap({"en-US": "completed"})
)
ATTEMPTED = Verb(
    id="http://adlnet.gov/expapi/verbs/attempted", display=LanguageMap({"en-US": "attempted"})
)
VOIDED = Verb(id="http://adlnet.gov/expapi/verbs/voided", display=LanguageMap({"en-US": "voided"}))


class PatchedRemoteLRS(RemoteLRS):
    """RemoteLRS plus one hook: extra query parameters and headers for the requests made
    inside `sending(...)`; everything else is TinCanPython's own code."""

    _props = [*RemoteLRS._props, "extra_params", "extra_headers"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._extra_params: dict[str, str] = {}
        self._extra_headers: dict[str, str] = {}
        super().__init__(*args, **kwargs)

    @contextmanager
    def sending(
        self, *, params: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> Iterator[None]:
        self._extra_params, self._extra_headers = dict(params or {}), dict(headers or {})
        try:
            yield
        finally:
            self._extra_params, self._extra_headers = {}, {}

    def _send_request(self, request: HTTPRequest) -> LRSResponse:
        request.query_params = {**request.query_params, **self._extra_params}
        request.headers = {**request.headers, **self._extra_headers}
        return super()._send_request(request)


@pytest.fixture(scope="module")
def lrs(lrs_server: LrsServer) -> PatchedRemoteLRS:
    return PatchedRemoteLRS(
        endpoint=lrs_server.endpoint,
        version="1.0.3",
        username=lrs_server.key,
        password=lrs_server.secret,
    )


def _tag() -> str:
    return uuid.uuid4().hex[:12]


def _learner(tag: str, name: str = "Ann Example") -> Agent:
    return Agent(name=name, mbox=f"mailto:{name.split()[0].lower()}-{tag}@example.com")


def _course(tag: str, name: str = "safety") -> Activity:
    return Activity(id=f"http://example.com/e2e/{tag}/courses/{name}")


def _status(response: LRSResponse) -> int:
    return int(response.response.status)


def _etag(response: LRSResponse) -> str | None:
    header = response.response.getheader("ETag")
    return None if header is None else str(header)


def _sha1(content: bytes) -> str:
    return hashlib.sha1(content).hexdigest()


def _instant_between_writes() -> str:
    """A `since` value strictly after the writes before it and before the writes after it
    (the LRS keeps times to the millisecond, on this machine's clock)."""
    time.sleep(0.02)
    since = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    time.sleep(0.02)
    return since


def _ok(response: LRSResponse) -> LRSResponse:
    assert response.success, (_status(response), response.data)
    return response


def _stored(statement: Statement) -> datetime:
    stored = statement.stored
    assert isinstance(stored, datetime)
    return stored


def _query_all(lrs: PatchedRemoteLRS, query: dict[str, Any]) -> tuple[list[str], list[int]]:
    """Every statement id of a query, following `more`, and the size of each page."""
    pages: list[int] = []
    ids: list[str] = []
    result = _ok(lrs.query_statements(query)).content
    while True:
        pages.append(len(result.statements))
        ids += [str(s.id) for s in result.statements]
        if not result.more:
            return ids, pages
        assert len(pages) < 20, "the more links never ended"
        result = _ok(lrs.more_statements(result.more)).content


# --- about and statements ----------------------------------------------------------------


def test_about_lists_version_1_0_3(lrs: PatchedRemoteLRS) -> None:
    response = _ok(lrs.about())
    assert "1.0.3" in response.content.version
    assert response.response.getheader("X-Experience-API-Version") == "1.0.3"


def test_statement_without_id_gets_one_and_reads_back(
    lrs: PatchedRemoteLRS, lrs_server: LrsServer
) -> None:
    tag = _tag()
    statement = Statement(actor=_learner(tag, "Zoë Ångström"), verb=COMPLETED, object=_course(tag))
    before = datetime.now(UTC) - timedelta(seconds=1)

    saved = _ok(lrs.save_statement(statement))

    assert _status(saved) == 200  # POST, since there was no id
    assert isinstance(statement.id, uuid.UUID)  # TinCanPython keeps ids as UUIDs
    read = _ok(lrs.retrieve_statement(statement.id)).content
    assert read.id == statement.id
    assert read.actor.name == "Zoë Ångström"
    assert read.actor.mbox == statement.actor.mbox
    assert read.verb.id == COMPLETED.id
    assert read.object.id == statement.object.id
    assert before <= _stored(read) <= datetime.now(UTC) + timedelta(seconds=1)
    assert read.timestamp is not None  # Data 2.4.7: the LRS sets it when absent
    authority = json.loads(read.authority.to_json())
    home_page = authority["account"].pop("homePage")
    assert home_page.startswith(f"{lrs_server.base_url}/")
    assert authority == {"objectType": "Agent", "name": "e2e", "account": {"name": lrs_server.key}}


def test_statement_with_id_is_put_under_that_id(lrs: PatchedRemoteLRS) -> None:
    tag = _tag()
    statement_id = str(uuid.uuid4())
    statement = Statement(
        id=statement_id,
        actor=_learner(tag),
        verb=COMPLETED,
        object=_course(tag),
        result=Result(success=True, completion=True, score=Score(scaled=0.9)),
    )

    saved = _ok(lrs.save_statement(statement))

    assert _status(saved) == 204  # PUT ?statementId=
    read = _ok(lrs.retrieve_statement(statement_id)).content
    assert str(read.id) == statement_id
    assert read.result.success is True
    assert read.result.score.scaled == 0.9


def test_lrs_sets_stored_and_authority_whatever_the_client_sent(
    lrs: PatchedRemoteLRS, lrs_server: LrsServer
) -> None:
    tag = _tag()
    statement = Statement(
        actor=_learner(tag),
        verb=COMPLETED,
        object=_course(tag),
        stored=datetime(2001, 1, 1, tzinfo=UTC),
        authority=Agent(
            name="Impostor",
            account=AgentAccount(homePage="http://impostor.example.com", name="root"),
        ),
    )

    _ok(lrs.save_statement(statement))

    read = _ok(lrs.retrieve_statement(statement.id)).content
    assert _stored(read) > datetime.now(UTC) - timedelta(minutes=5)
    assert read.authority.name == "e2e"
    assert read.authority.account.name == lrs_server.key
    assert read.authority.account.home_page.startswith(lrs_server.base_url)


def test_timestamp_with_an_offset_keeps_its_instant(lrs: PatchedRemoteLRS) -> None:
    tag = _tag()
    when = datetime(2024, 5, 17, 14, 30, 5, 123000, tzinfo=timezone(timedelta(hours=2)))
    statement = Statement(actor=_learner(tag), verb=COMPLETED, object=_course(tag), timestamp=when)

    _ok(lrs.save_statement(statement))

    read = _ok(lrs.retrieve_statement(statement.id)).content
    assert read.timestamp == when
    assert read.timestamp.utcoffset() == timedelta(0)  # returned in UTC


def test_batch_ids_come_back_in_statement_order(lrs: PatchedRemoteLRS) -> None:
    tag = _tag()
    learner, course = _learner(tag), _course(tag)
    batch = [
        Statement(actor=learner, verb=ATTEMPTED, object=course, result=Result(score=Score(raw=raw)))
        for raw in (10, 20, 30)
    ]

    saved = _ok(lrs.save_statements(batch))

    ids = json.loads(saved.data)
    assert len(ids) == len(set(ids)) == 3
    assert [str(s.id) for s in saved.content] == ids
    for statement_id, raw in zip(ids, (10, 20, 30), strict=True):
        assert _ok(lrs.retrieve_statement(statement_id)).content.result.score.raw == raw


def test_query_by_agent_verb_activity_follows_more_to_the_end(lrs: PatchedRemoteLRS) -> None:
    tag = _tag()
    learner, course = _learner(tag), _course(tag)
    wanted = [Statement(actor=learner, verb=COMPLETED, object=course) for _ in range(5)]
    decoys = [
        Statement(actor=learner, verb=ATTEMPTED, object=course),
        Statement(actor=learner, verb=COMPLETED, object=_course(tag, "other")),
        Statement(actor=_learner(tag, "Bob Other"), verb=COMPLETED, object=course),
    ]
    _ok(lrs.save_statements(wanted[:2] + decoys[:1]))
    _ok(lrs.save_statements(wanted[2:] + decoys[1:]))

    ids, pages = _query_all(
        lrs, {"agent": learner, "verb": COMPLETED, "activity": course, "limit": 2}
    )

    assert sorted(ids) == sorted(str(s.id) for s in wanted)
    assert pages == [2, 2, 1]


def test_query_ascending_returns_oldest_first(lrs: PatchedRemoteLRS) -> None:
    tag = _tag()
    learner, course = _learner(tag), _course(tag)
    saved = []
    for _ in range(3):
        statement = Statement(actor=learner, verb=COMPLETED, object=course)
        _ok(lrs.save_statement(statement))
        saved.append(str(statement.id))
        time.sleep(0.01)  # distinct `stored` milliseconds, so the order is defined

    # "true", not True: TinCanPython would send "True", which is not a JSON boolean.
    ids, pages = _query_all(lrs, {"agent": learner, "ascending": "true", "limit": 2})
    newest_first, _ = _query_all(lrs, {"agent": learner, "limit": 2})

    assert ids == saved
    assert newest_first == saved[::-1]
    assert pages == [2, 1]


def test_query_since_and_until_take_iso_timestamps(lrs: PatchedRemoteLRS) -> None:
    tag = _tag()
    learner, course = _learner(tag), _course(tag)
    first = Statement(actor=learner, verb=COMPLETED, object=course)
    second = Statement(actor=learner, verb=COMPLETED, object=course)
    _ok(lrs.save_statement(first))
    stored_first = _stored(_ok(lrs.retrieve_statement(first.id)).content)
    time.sleep(0.01)
    _ok(lrs.save_statement(second))
    since = stored_first.isoformat().replace("+00:00", "Z")

    later, _ = _query_all(lrs, {"agent": learner, "since": since})
    up_to, _ = _query_all(lrs, {"agent": learner, "until": since})

    assert later == [str(second.id)]
    assert up_to == [str(first.id)]


def test_rich_statement_round_trips_and_is_found_by_related_filters(
    lrs: PatchedRemoteLRS,
) -> None:
    tag = _tag()
    learner, registration = _learner(tag), uuid.uuid4()
    teacher = _learner(tag, "Tom Teacher")
    course, program = _course(tag), _course(tag, "program")
    question = Activity(
        id=f"http://example.com/e2e/{tag}/questions/q1",
        definition=ActivityDefinition(
            name=LanguageMap({"en-US": "Question 1", "de-DE": "Frage 1"}),
            type="http://adlnet.gov/expapi/activities/cmi.interaction",
            interaction_type="choice",
            correct_responses_pattern=["b"],
            choices=InteractionComponentList(
                [
                    InteractionComponent(id="a", description=LanguageMap({"en-US": "A"})),
                    InteractionComponent(id="b", description=LanguageMap({"en-US": "B"})),
                ]
            ),
        ),
    )
    certificate = Attachment(
        usage_type="http://id.tincanapi.com/attachment/certificate-of-completion",
        display=LanguageMap({"en-US": "Certificate"}),
        content_type="application/pdf",
        length=12345,
        sha2=hashlib.sha256(b"not sent: the fileUrl points at it").hexdigest(),
        fileurl="http://example.com/certificates/1.pdf",
    )
    statement = Statement(
        actor=learner,
        verb=Verb(
            id="http://adlnet.gov/expapi/verbs/answered", display=LanguageMap({"en-US": "answered"})
        ),
        object=question,
        result=Result(
            score=Score(raw=7, min=0, max=10, scaled=0.7),
            success=True,
            completion=True,
            response="b",
            duration=timedelta(minutes=3, seconds=2.5),
        ),
        context=Context(
            registration=registration,
            instructor=teacher,
            context_activities=ContextActivities(
                parent=ActivityList([course]), grouping=ActivityList([program])
            ),
            platform="e2e",
            language="en-US",
            extensions=Extensions({"http://example.com/extensions/attempt": {"n": 2}}),
        ),
        attachments=AttachmentList([certificate]),
    )

    _ok(lrs.save_statement(statement))

    read = _ok(lrs.retrieve_statement(statement.id)).content
    assert read.result.duration == timedelta(minutes=3, seconds=2.5)
    assert read.result.score.raw == 7 and read.result.response == "b"
    assert read.context.registration == registration
    assert read.context.context_activities.parent[0].id == course.id
    assert read.context.extensions["http://example.com/extensions/attempt"] == {"n": 2}
    assert read.object.definition.name == {"en-US": "Question 1", "de-DE": "Frage 1"}
    assert [c.id for c in read.object.definition.choices] == ["a", "b"]
    [attachment] = read.attachments
    assert attachment.fileurl == certificate.fileurl and attachment.sha2 == certificate.sha2

    expected = [str(statement.id)]
    assert _query_all(lrs, {"registration": str(registration)})[0] == expected
    assert _query_all(lrs, {"activity": course})[0] == []
    assert _query_all(lrs, {"activity": course, "related_activities": "true"})[0] == expected
    assert _query_all(lrs, {"agent": teacher})[0] == []
    assert _query_all(lrs, {"agent": teacher, "related_agents": "true"})[0] == expected

    ids_format = json.loads(_ok(lrs.query_statements({"activity": question, "format": "ids"})).data)
    [minimal] = ids_format["statements"]
    assert minimal["object"] == {"id": question.id}
    assert "display" not in minimal["verb"]
    assert minimal["actor"]["mbox"] == learner.mbox and "name" not in minimal["actor"]


def test_every_kind_of_actor_is_stored_and_found(lrs: PatchedRemoteLRS) -> None:
    tag = _tag()
    by_account = Agent(
        name="Acc", account=AgentAccount(name=f"user-{tag}", home_page="http://lms.example.com")
    )
    by_sha1 = Agent(mbox_sha1sum=_sha1(f"mailto:hidden-{tag}@example.com".encode()))
    by_openid = Agent(openid=f"http://openid.example.com/{tag}")
    experienced = Verb(id="http://adlnet.gov/expapi/verbs/experienced")
    course = _course(tag)
    statements = [
        Statement(actor=by_account, verb=experienced, object=course),
        Statement(actor=by_sha1, verb=experienced, object=by_openid),
        Statement(
            actor=Group(name="Team", member=[by_account, by_sha1]), verb=experienced, object=course
        ),
        Statement(
            actor=by_account,
            verb=experienced,
            object=SubStatement(actor=by_openid, verb=experienced, object=course),
        ),
    ]
    _ok(lrs.save_statements(statements))
    account_only, sha1_object, team, nested = (str(s.id) for s in statements)

    def found(query: dict[str, Any]) -> list[str]:
        return sorted(_query_all(lrs, query)[0])

    # The same agent with only its identifier (no name) still matches.
    same_account = Agent(
        account=AgentAccount(name=f"user-{tag}", home_page="http://lms.example.com")
    )
    assert found({"agent": same_account}) == sorted([account_only, team, nested])
    assert found({"agent": by_sha1}) == sorted([sha1_object, team])
    assert found({"agent": by_openid}) == [sha1_object]
    assert found({"agent": by_openid, "related_agents": "true"}) == sorted([sha1_object, nested])
    assert found({"activity": course}) == sorted([account_only, team])
    assert found({"activity": course, "related_activities": "true"}) == sorted(
        [account_only, team, nested]
    )
    read = _ok(lrs.retrieve_statement(nested)).content
    assert read.object.object_type == "SubStatement"
    assert read.object.actor.openid == by_openid.openid


# --- voiding --------------------------------------------------------------------------------


def test_voided_statement_is_only_reachable_as_voided(lrs: PatchedRemoteLRS) -> None:
    tag = _tag()
    learner, course = _learner(tag), _course(tag)
    target = Statement(actor=learner, verb=COMPLETED, object=course)
    kept = Statement(actor=learner, verb=COMPLETED, object=course)
    _ok(lrs.save_statements([target, kept]))
    voiding = Statement(actor=learner, verb=VOIDED, object=StatementRef(id=target.id))

    _ok(lrs.save_statement(voiding))

    gone = lrs.retrieve_statement(target.id)
    assert not gone.success and _status(gone) == 404
    voided = _ok(lrs.retrieve_voided_statement(target.id)).content
    assert voided.id == target.id and voided.verb.id == COMPLETED.id
    read_voiding = _ok(lrs.retrieve_statement(voiding.id)).content
    assert read_voiding.object.object_type == "StatementRef"
    assert read_voiding.object.id == target.id
    not_voided = lrs.retrieve_voided_statement(voiding.id)
    assert not not_voided.success and _status(not_voided) == 404

    by_activity, _ = _query_all(lrs, {"activity": course})
    assert sorted(by_activity) == sorted([str(kept.id), str(voiding.id)])
    by_agent, _ = _query_all(lrs, {"agent": learner})
    assert str(target.id) not in by_agent and {str(kept.id), str(voiding.id)} <= set(by_agent)
    by_verb, _ = _query_all(lrs, {"agent": learner, "verb": VOIDED})
    assert by_verb == [str(voiding.id)]


# --- state ----------------------------------------------------------------------------------


def test_state_save_retrieve_list_and_delete_with_registration(lrs: PatchedRemoteLRS) -> None:
    tag = _tag()
    learner, course = _learner(tag), _course(tag)
    registration, other_registration = str(uuid.uuid4()), str(uuid.uuid4())

    def save(state_id: str, content: str, reg: str | None) -> None:
        document = StateDocument(
            id=state_id,
            activity=course,
            agent=learner,
            content=content,
            content_type="application/json",
        )
        # save_state leaves out document.registration; send it as a parameter instead.
        with lrs.sending(params={"registration": reg} if reg else {}):
            assert _status(_ok(lrs.save_state(document))) == 204

    save("bookmark", '{"page": 3, "note": "Zo\\u00eb"}', registration)
    save("suspend", '{"location": "slide-7"}', registration)
    save("bookmark", '{"page": 9}', other_registration)
    save("bookmark", '{"page": 1}', None)

    read = _ok(lrs.retrieve_state(course, learner, "bookmark", registration=registration))
    assert _status(read) == 200
    assert bytes(read.content.content) == b'{"page": 3, "note": "Zo\\u00eb"}'
    assert read.response.getheader("Content-Type") == "application/json"
    etag = _etag(read)
    assert etag == f'"{_sha1(bytes(read.content.content))}"'
    without = _ok(lrs.retrieve_state(course, learner, "bookmark"))
    assert bytes(without.content.content) == b'{"page": 1}'
    other = _ok(lrs.retrieve_state(course, learner, "bookmark", registration=other_registration))
    assert bytes(other.content.content) == b'{"page": 9}'

    ids = _ok(lrs.retrieve_state_ids(course, learner, registration=registration)).content
    assert sorted(ids) == ["bookmark", "suspend"]
    other_ids = _ok(lrs.retrieve_state_ids(course, learner, registration=other_registration))
    assert other_ids.content == ["bookmark"]

    # delete_state also leaves out the registration.
    bookmark = read.content
    bookmark.etag = etag
    with lrs.sending(params={"registration": registration}):
        assert _status(_ok(lrs.delete_state(bookmark))) == 204
    after = lrs.retrieve_state(course, learner, "bookmark", registration=registration)
    assert _status(after) == 404
    still = _ok(lrs.retrieve_state_ids(course, learner, registration=registration)).content
    assert still == ["suspend"]

    assert _status(_ok(lrs.clear_state(course, learner, registration=registration))) == 204
    assert _ok(lrs.retrieve_state_ids(course, learner, registration=registration)).content == []
    kept = _ok(lrs.retrieve_state(course, learner, "bookmark", registration=other_registration))
    assert _status(kept) == 200


def test_state_ids_since(lrs: PatchedRemoteLRS) -> None:
    tag = _tag()
    learner, course = _learner(tag), _course(tag)
    first = StateDocument(id="first", activity=course, agent=learner, content="1")
    _ok(lrs.save_state(first))
    listed = _ok(lrs.retrieve_state_ids(course, learner))
    assert listed.content == ["first"]
    since = _instant_between_writes()
    second = StateDocument(id="second", activity=course, agent=learner, content="2")
    _ok(lrs.save_state(second))

    assert _ok(lrs.retrieve_state_ids(course, learner, since=since)).content == ["second"]


# --- activity and agent profiles ------------------------------------------------------------


@dataclass
class ProfileApi:
    """The TinCanPython calls of one profile resource, for a fresh activity or agent."""

    new: Callable[[str, str], Any]
    save: Callable[[Any], LRSResponse]
    retrieve: Callable[[str], LRSResponse]
    delete: Callable[[Any], LRSResponse]
    ids: Callable[[str | None], LRSResponse]


def _profile_api(lrs: PatchedRemoteLRS, kind: str) -> ProfileApi:
    tag = _tag()
    if kind == "activity":
        course = _course(tag)
        return ProfileApi(
            new=lambda pid, content: ActivityProfileDocument(
                id=pid, activity=course, content=content, content_type="application/json"
            ),
            save=lrs.save_activity_profile,
            retrieve=lambda pid: lrs.retrieve_activity_profile(course, pid),
            delete=lrs.delete_activity_profile,
            ids=lambda since: lrs.retrieve_activity_profile_ids(course, since=since),
        )
    learner = _learner(tag)
    return ProfileApi(
        new=lambda pid, content: AgentProfileDocument(
            id=pid, agent=learner, content=content, content_type="application/json"
        ),
        save=lrs.save_agent_profile,
        retrieve=lambda pid: lrs.retrieve_agent_profile(learner, pid),
        delete=lrs.delete_agent_profile,
        ids=lambda since: lrs.retrieve_agent_profile_ids(learner, since=since),
    )


@pytest.mark.parametrize("kind", ["activity", "agent"])
def test_profile_put_without_precondition_is_refused(lrs: PatchedRemoteLRS, kind: str) -> None:
    """TinCanPython sends neither If-Match nor If-None-Match when saving a new profile, which
    Communication 3.1 forbids a client; this LRS answers 400 and stores nothing."""
    api = _profile_api(lrs, kind)

    refused = api.save(api.new("settings", '{"a": 1}'))

    assert not refused.success and _status(refused) == 400
    assert _status(api.retrieve("settings")) == 404


@pytest.mark.parametrize("kind", ["activity", "agent"])
def test_profile_etag_lifecycle(lrs: PatchedRemoteLRS, kind: str) -> None:
    api = _profile_api(lrs, kind)
    first, second, third = (
        '{"theme": "dark"}',
        '{"theme": "light", "size": 2}',
        '{"x": "Zo\\u00eb"}',
    )

    # Create only when absent: If-None-Match: * (added by the hook; TinCanPython cannot).
    with lrs.sending(headers={"If-None-Match": "*"}):
        assert _status(_ok(api.save(api.new("settings", first)))) == 204
        again = api.save(api.new("settings", second))
    assert _status(again) == 412

    read = _ok(api.retrieve("settings"))
    assert _status(read) == 200
    assert bytes(read.content.content) == first.encode()
    etag = _etag(read)
    assert etag == f'"{_sha1(first.encode())}"'  # Communication 3.1: quoted SHA-1 of the content

    blind = api.save(api.new("settings", second))  # no header, and the profile exists
    assert _status(blind) == 409

    update = api.new("settings", second)
    update.etag = etag
    assert _status(_ok(api.save(update))) == 204
    reread = _ok(api.retrieve("settings"))
    assert bytes(reread.content.content) == second.encode()
    new_etag = _etag(reread)
    assert new_etag == f'"{_sha1(second.encode())}"'

    stale = api.new("settings", third)
    stale.etag = etag
    assert _status(api.save(stale)) == 412
    assert bytes(_ok(api.retrieve("settings")).content.content) == second.encode()

    since = _instant_between_writes()
    with lrs.sending(headers={"If-None-Match": "*"}):
        _ok(api.save(api.new("later", third)))
    assert sorted(_ok(api.ids(None)).content) == ["later", "settings"]
    assert _ok(api.ids(since)).content == ["later"]

    stale_delete = api.new("settings", "")
    stale_delete.etag = etag
    assert _status(api.delete(stale_delete)) == 412
    assert _status(api.retrieve("settings")) == 200

    current = api.new("settings", "")
    current.etag = new_etag
    assert _status(_ok(api.delete(current))) == 204
    assert _status(api.retrieve("settings")) == 404
    assert _ok(api.ids(None)).content == ["later"]
