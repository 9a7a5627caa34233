"""What the LRS stores for a statement (xAPI Data 2.4.1, 2.4.6.2, 2.4.7-2.4.10, 4.5) and the
index values the query filters use (Communication 2.1.3)."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from statements.keys import agent_key
from statements.normalize import prepare
from tests.factories import VOIDED, activity, agent, statement, voiding

STORED = datetime(2024, 3, 1, 12, 30, 45, 123456, tzinfo=UTC)
STORED_TEXT = "2024-03-01T12:30:45.123Z"
AUTHORITY = {"objectType": "Agent", "account": {"homePage": "http://lrs.test", "name": "key1"}}
AUTHORITY_KEY = "account:http://lrs.test key1"
STATEMENT_ID = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"
REF_ID = "8f87ccde-bb56-4c2e-ab83-44982ef22df0"
REGISTRATION = "ec531277-b57b-4c15-8d91-d292c5b2b8f7"


def prepared(stmt: dict[str, Any], stored: datetime = STORED) -> Any:
    return prepare(stmt, stored=stored, authority=AUTHORITY, authority_key=AUTHORITY_KEY)


def sub_statement(**changes: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "objectType": "SubStatement",
        "actor": agent("sam"),
        "verb": {"id": "http://example.com/visited"},
        "object": activity("website"),
    }
    result.update(changes)
    return result


def key(name: str) -> str:
    result = agent_key(agent(name))
    assert result is not None
    return result


# --- id, stored, authority, version -----------------------------------------------------------


def test_prepare_keeps_the_statement_id_sent_by_the_client():
    result = prepared(statement(id=STATEMENT_ID))
    assert result.data["id"] == STATEMENT_ID
    assert result.id == uuid.UUID(STATEMENT_ID)


def test_prepare_generates_a_uuid_for_a_statement_without_id():
    first, second = prepared(statement()), prepared(statement())
    generated = uuid.UUID(first.data["id"])
    assert str(generated) == first.data["id"] == str(first.id)
    assert generated.variant == uuid.RFC_4122
    assert first.id != second.id


@pytest.mark.parametrize("supplied", [None, "2013-05-18T05:32:34.804Z", "2099-01-01T00:00:00Z"])
def test_prepare_always_sets_stored_to_the_lrs_time_in_utc_with_milliseconds(supplied):
    stmt = statement() if supplied is None else statement(stored=supplied)
    result = prepared(stmt)
    assert result.data["stored"] == STORED_TEXT
    assert result.stored == STORED


def test_prepare_writes_stored_in_utc_whatever_zone_the_lrs_clock_uses():
    clock = STORED.astimezone(timezone(timedelta(hours=-7)))
    assert prepared(statement(), stored=clock).data["stored"] == STORED_TEXT


@pytest.mark.parametrize(
    "supplied", [None, {"objectType": "Agent", "mbox": "mailto:forged@example.com"}]
)
def test_prepare_replaces_authority_with_the_credential_authority(supplied):
    stmt = statement() if supplied is None else statement(authority=supplied)
    result = prepared(stmt)
    assert result.data["authority"] == AUTHORITY
    assert result.authority_key == AUTHORITY_KEY


def test_prepare_defaults_a_missing_version_to_1_0_0():
    assert prepared(statement()).data["version"] == "1.0.0"


@pytest.mark.parametrize("version", ["1.0.0", "1.0.3", "1.0"])
def test_prepare_retains_the_version_the_statement_was_accepted_with(version):
    assert prepared(statement(version=version)).data["version"] == version


# --- timestamp --------------------------------------------------------------------------------


def test_prepare_sets_a_missing_timestamp_to_stored():
    result = prepared(statement())
    assert result.data["timestamp"] == result.data["stored"] == STORED_TEXT


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        ("2013-05-18T05:32:34.804Z", "2013-05-18T05:32:34.804Z"),
        ("2013-05-18T05:32:34.804+00:00", "2013-05-18T05:32:34.804Z"),
        ("2013-05-18T07:32:34.804+02:00", "2013-05-18T05:32:34.804Z"),
        ("2013-05-18T01:00:00-05:00", "2013-05-18T06:00:00.000Z"),
        ("2013-05-18T01:00:00+05:00", "2013-05-17T20:00:00.000Z"),
        ("2013-05-18T05:32:34Z", "2013-05-18T05:32:34.000Z"),
        ("2013-05-18T05:32:34.8Z", "2013-05-18T05:32:34.800Z"),
        ("2013-05-18T05:32:34.123456789Z", "2013-05-18T05:32:34.123Z"),
        ("2013-05-18T05:32:34", "2013-05-18T05:32:34.000Z"),
        ("2099-12-31T23:59:59.999Z", "2099-12-31T23:59:59.999Z"),
    ],
)
def test_prepare_returns_the_timestamp_in_utc_with_at_least_millisecond_precision(
    timestamp, expected
):
    assert prepared(statement(timestamp=timestamp)).data["timestamp"] == expected


def test_prepare_does_not_give_a_sub_statement_a_timestamp():
    result = prepared(statement(obj=sub_statement()))
    assert "timestamp" not in result.data["object"]


def test_prepare_returns_a_sub_statement_timestamp_in_utc():
    # Data 4.5: the LRS SHOULD* return a Timestamp in UTC (same instant).
    result = prepared(statement(obj=sub_statement(timestamp="2030-05-18T07:32:34.804+02:00")))
    assert result.data["object"]["timestamp"] == "2030-05-18T05:32:34.804Z"


# --- contextActivities ------------------------------------------------------------------------


def test_prepare_returns_every_context_activities_value_as_an_array():
    context = {
        "contextActivities": {
            "parent": activity("course"),
            "grouping": [activity("program"), activity("degree")],
            "category": {"id": "http://example.com/profile"},
            "other": [activity("other")],
        }
    }
    result = prepared(statement(context=context))
    assert result.data["context"]["contextActivities"] == {
        "parent": [activity("course")],
        "grouping": [activity("program"), activity("degree")],
        "category": [{"id": "http://example.com/profile"}],
        "other": [activity("other")],
    }


def test_prepare_keeps_the_other_context_properties_unchanged():
    context = {"registration": REGISTRATION, "contextActivities": {"parent": activity("course")}}
    context |= {"platform": "web", "language": "en-US", "extensions": {"http://x.com/e": None}}
    data = prepared(statement(context=context)).data["context"]
    assert {k: v for k, v in data.items() if k != "contextActivities"} == {
        k: v for k, v in context.items() if k != "contextActivities"
    }


def test_prepare_returns_sub_statement_context_activities_as_arrays():
    sub = sub_statement(context={"contextActivities": {"parent": activity("course")}})
    result = prepared(statement(obj=sub))
    assert result.data["object"]["context"]["contextActivities"] == {"parent": [activity("course")]}


def test_prepare_keeps_actor_verb_object_result_and_attachments_as_sent():
    stmt = statement(
        obj=activity("q1", name={"en-US": "Q1"}),
        result={"score": {"raw": 1.5}, "duration": "PT1M30.25S"},
        attachments=[{"usageType": "http://x.com/u", "display": {"en": "a"}}],
    )
    data = prepared(copy.deepcopy(stmt)).data
    for prop in ("actor", "verb", "object", "result", "attachments"):
        assert data[prop] == stmt[prop]


def test_prepare_does_not_change_the_statement_it_is_given():
    stmt = statement(
        obj=sub_statement(context={"contextActivities": {"parent": activity("course")}}),
        context={"contextActivities": {"parent": activity("course")}},
        timestamp="2013-05-18T07:32:34.804+02:00",
        authority={"mbox": "mailto:forged@example.com"},
    )
    before = copy.deepcopy(stmt)
    prepared(stmt)
    assert stmt == before


# --- index values -----------------------------------------------------------------------------


def test_prepare_records_the_actor_as_a_direct_agent_and_authority_in_its_own_column():
    result = prepared(statement("ann"))
    assert result.agents == {key("ann"): True}
    assert result.authority_key == AUTHORITY_KEY


def test_prepare_records_an_agent_object_as_direct():
    result = prepared(statement("ann", obj=agent("bob")))
    assert result.agents[key("ann")] is True
    assert result.agents[key("bob")] is True


def test_prepare_records_a_group_and_its_members_as_direct():
    group = {
        "objectType": "Group",
        "mbox": "mailto:team@example.com",
        "member": [agent("ann"), agent("bob")],
    }
    result = prepared(statement() | {"actor": group})
    team_key = agent_key(group)
    assert team_key is not None
    assert result.agents[team_key] is True
    assert result.agents[key("ann")] is True
    assert result.agents[key("bob")] is True


def test_prepare_records_only_members_of_an_anonymous_group():
    group = {"objectType": "Group", "member": [agent("ann"), agent("bob")]}
    result = prepared(statement() | {"actor": group})
    assert result.agents == {key("ann"): True, key("bob"): True}


def test_prepare_records_context_and_sub_statement_agents_as_indirect():
    context = {
        "instructor": agent("ivan"),
        "team": {"objectType": "Group", "member": [agent("tom")]},
    }
    sub = sub_statement(
        actor=agent("sam"), object=agent("sue"), context={"instructor": agent("ian")}
    )
    result = prepared(statement("ann", obj=sub, context=context))
    assert result.agents == {
        key("ann"): True,
        key("ivan"): False,
        key("tom"): False,
        key("sam"): False,
        key("sue"): False,
        key("ian"): False,
    }


def test_prepare_marks_an_agent_direct_when_it_is_also_a_related_agent():
    result = prepared(statement("ann", context={"instructor": agent("ann")}))
    assert result.agents[key("ann")] is True


def test_prepare_agent_keys_ignore_the_case_of_the_email_domain():
    shouting = {"objectType": "Agent", "mbox": "mailto:ann@EXAMPLE.COM"}
    result = prepared(statement() | {"actor": shouting})
    assert key("ann") in result.agents


def test_prepare_records_object_context_and_sub_statement_activities():
    context = {"contextActivities": {"parent": activity("course"), "other": [activity("x")]}}
    sub = sub_statement(
        object=activity("website"),
        context={"contextActivities": {"category": [activity("profile")]}},
    )
    top = prepared(statement(obj=activity("quiz"), context=context))
    assert top.activity_key == "http://example.com/quiz"
    assert top.activities == {
        "http://example.com/quiz",
        "http://example.com/course",
        "http://example.com/x",
    }
    nested = prepared(statement(obj=sub))
    assert nested.activity_key is None
    assert nested.activities == {"http://example.com/website", "http://example.com/profile"}


def test_prepare_records_verb_registration_and_statement_reference():
    stmt = statement(
        verb="http://example.com/commented",
        obj={"objectType": "StatementRef", "id": REF_ID},
        context={"registration": REGISTRATION},
    )
    result = prepared(stmt)
    assert result.verb_key == "http://example.com/commented"
    assert result.ref_id == uuid.UUID(REF_ID)
    assert result.registration == uuid.UUID(REGISTRATION)
    assert result.activity_key is None
    assert not result.is_voiding


def test_prepare_recognises_a_voiding_statement():
    result = prepared(voiding(REF_ID))
    assert result.is_voiding
    assert result.ref_id == uuid.UUID(REF_ID)
    assert result.verb_key == VOIDED


def test_prepare_leaves_statement_without_registration_or_reference_unset():
    result = prepared(statement())
    assert result.registration is None
    assert result.ref_id is None
    assert not result.is_voiding


def test_prepare_compares_iris_as_plain_strings():
    # Data 3.1: no scheme- or protocol-based normalisation of IRIs.
    upper = prepared(statement(verb="HTTP://Example.com/Verbs/Did", obj=activity("A")))
    assert upper.verb_key == "HTTP://Example.com/Verbs/Did"
    assert upper.activity_key == "http://example.com/A"
