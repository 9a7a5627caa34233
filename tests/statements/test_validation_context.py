"""Context (xAPI Data 2.4.6): registration, instructor, team, contextActivities, revision,
platform, language and statement."""

from __future__ import annotations

from typing import Any

import pytest

from statements.validate import validate_statements
from tests.factories import activity, agent, statement
from tests.statements.validation import assert_rejected_at

REGISTRATION = "ec531277-b57b-4c15-8d91-d292c5b2b8f7"
REF_ID = "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"
TEAM = {"objectType": "Group", "name": "Team PB", "mbox": "mailto:teampb@example.com"}
KINDS = ["parent", "grouping", "category", "other"]
NON_ACTIVITY_OBJECTS = {
    "agent": {"objectType": "Agent", "mbox": "mailto:bob@example.com"},
    "group": {"objectType": "Group", "member": [agent("bob")]},
    "statement-ref": {"objectType": "StatementRef", "id": REF_ID},
    "sub-statement": {
        "objectType": "SubStatement",
        "actor": agent("bob"),
        "verb": {"id": "http://example.com/visited"},
        "object": activity(),
    },
}


def with_context(context: Any, obj: dict[str, Any] | None = None) -> dict[str, Any]:
    return statement(obj=obj, context=context)


def test_context_example_from_the_specification_is_accepted():
    context = {
        "registration": REGISTRATION,
        "contextActivities": {
            "parent": [{"id": "http://www.example.com/meetings/series/267"}],
            "category": [
                {
                    "id": "http://www.example.com/meetings/categories/teammeeting",
                    "objectType": "Activity",
                    "definition": {"name": {"en": "team meeting"}},
                }
            ],
            "other": [
                {"id": "http://www.example.com/meetings/occurances/34257"},
                {"id": "http://www.example.com/meetings/occurances/3425567"},
            ],
        },
        "instructor": {
            "name": "Andrew Downes",
            "account": {"homePage": "http://www.example.com", "name": "13936749"},
            "objectType": "Agent",
        },
        "team": TEAM,
        "platform": "Example virtual meeting software",
        "revision": "r2",
        "language": "tlh",
        "statement": {"objectType": "StatementRef", "id": REF_ID},
        "extensions": {"http://example.com/altitude": 1200},
    }
    assert validate_statements([with_context(context)]) is None


def test_empty_context_is_accepted():
    assert validate_statements([with_context({})]) is None


@pytest.mark.parametrize("context", [None, "context", [{"registration": REGISTRATION}], 1])
def test_context_that_is_not_an_object_is_rejected(context):
    assert_rejected_at(with_context(context), "context")


@pytest.mark.parametrize(
    "context",
    [
        {"Registration": REGISTRATION},
        {"instructors": [agent("bob")]},
        {"contextactivities": {}},
        {"activities": {}},
        {"contextAgents": []},
        {"team": TEAM, "group": TEAM},
    ],
)
def test_context_with_unknown_or_miscased_property_is_rejected(context):
    assert_rejected_at(with_context(context), "context")


# --- registration -----------------------------------------------------------------------------


@pytest.mark.parametrize("registration", [REGISTRATION, REGISTRATION.upper()])
def test_context_registration_uuid_is_accepted(registration):
    assert validate_statements([with_context({"registration": registration})]) is None


@pytest.mark.parametrize(
    "registration",
    [
        "",
        "registration-1",
        REGISTRATION.replace("-", ""),
        "{" + REGISTRATION + "}",
        "urn:uuid:" + REGISTRATION,
        REGISTRATION[:-1],
        REGISTRATION + "0",
        12345,
        None,
    ],
)
def test_context_registration_that_is_not_a_uuid_is_rejected(registration):
    assert_rejected_at(with_context({"registration": registration}), "context.registration")


# --- instructor and team ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "instructor",
    [
        agent("bob"),
        {"mbox": "mailto:bob@example.com"},
        TEAM,
        {"objectType": "Group", "member": [agent("bob"), agent("carl")]},
    ],
    ids=["agent", "agent-no-type", "identified-group", "anonymous-group"],
)
def test_context_instructor_agent_or_group_is_accepted(instructor):
    assert validate_statements([with_context({"instructor": instructor})]) is None


@pytest.mark.parametrize(
    ("instructor", "path"),
    [
        ({"name": "Bob"}, "context.instructor"),
        ({"mbox": "mailto:b@x.com", "openid": "http://x.com/b"}, "context.instructor"),
        ({"mbox": "bob@example.com"}, "context.instructor.mbox"),
        ({"objectType": "Group"}, "context.instructor"),
        ({"objectType": "Activity", "id": "http://x.com/a"}, "context.instructor.objectType"),
        ("mailto:bob@example.com", "context.instructor"),
        ([agent("bob")], "context.instructor"),
        (None, "context.instructor"),
    ],
)
def test_context_instructor_follows_the_actor_rules(instructor, path):
    assert_rejected_at(with_context({"instructor": instructor}), path)


@pytest.mark.parametrize(
    "team",
    [TEAM, {"objectType": "Group", "member": [agent("bob")]}, {**TEAM, "member": [agent("b")]}],
    ids=["identified", "anonymous", "identified-with-members"],
)
def test_context_team_group_is_accepted(team):
    assert validate_statements([with_context({"team": team})]) is None


@pytest.mark.parametrize(
    ("team", "path"),
    [
        (agent("bob"), "context.team.objectType"),
        ({"mbox": "mailto:teampb@example.com"}, "context.team"),
        ({"mbox": "mailto:teampb@example.com", "member": [agent("bob")]}, "context.team"),
        ({"objectType": "Group"}, "context.team"),
        ({**TEAM, "openid": "http://example.com/team"}, "context.team"),
        ({"objectType": "Group", "member": [TEAM]}, "context.team.member[0].objectType"),
        ({"objectType": "Group", "member": [{"name": "x"}]}, "context.team.member[0]"),
        ("Team PB", "context.team"),
        (None, "context.team"),
    ],
)
def test_context_team_must_be_a_valid_group(team, path):
    assert_rejected_at(with_context({"team": team}), path)


# --- contextActivities ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "value",
    [
        [activity("course/a")],
        [activity("course/a"), {"id": "http://example.com/course/b"}],
        activity("course/a"),
        {"id": "http://example.com/course/a"},
    ],
    ids=["array-of-one", "array-of-two", "single-activity", "single-without-type"],
)
def test_context_activities_value_may_be_one_activity_or_an_array(kind, value):
    assert validate_statements([with_context({"contextActivities": {kind: value}})]) is None


def test_context_activities_may_use_all_four_kinds_at_once():
    context = {"contextActivities": {kind: [activity(kind)] for kind in KINDS}}
    assert validate_statements([with_context(context)]) is None


@pytest.mark.parametrize("key", ["Parent", "GROUPING", "categories", "related", "others", ""])
def test_context_activities_key_outside_the_four_kinds_is_rejected(key):
    context = {"contextActivities": {key: [activity()]}}
    assert_rejected_at(with_context(context), "context.contextActivities")


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ("http://example.com/course/a", "context.contextActivities.parent"),
        (None, "context.contextActivities.parent"),
        (5, "context.contextActivities.parent"),
        ({"objectType": "Activity"}, "context.contextActivities.parent"),
        (["http://example.com/course/a"], "context.contextActivities.parent[0]"),
        ([activity(), None], "context.contextActivities.parent[1]"),
        ([{"name": "course"}], "context.contextActivities.parent[0]"),
        ([{"id": "course/a"}], "context.contextActivities.parent[0].id"),
        ([agent("bob")], "context.contextActivities.parent[0].objectType"),
        (
            [{"objectType": "StatementRef", "id": REF_ID}],
            "context.contextActivities.parent[0].objectType",
        ),
        ([[activity()]], "context.contextActivities.parent[0]"),
    ],
)
def test_context_activities_value_that_is_not_activities_is_rejected(value, path):
    assert_rejected_at(with_context({"contextActivities": {"parent": value}}), path)


@pytest.mark.parametrize("value", [[activity()], "parent", None])
def test_context_activities_that_is_not_an_object_is_rejected(value):
    assert_rejected_at(with_context({"contextActivities": value}), "context.contextActivities")


# --- revision and platform --------------------------------------------------------------------


@pytest.mark.parametrize(
    "obj", [activity(), {"id": "http://example.com/course/safety"}], ids=["typed", "untyped"]
)
def test_context_revision_and_platform_are_accepted_with_an_activity_object(obj):
    context = {"revision": "2.1", "platform": "Example LMS"}
    assert validate_statements([with_context(context, obj)]) is None


@pytest.mark.parametrize("prop", ["revision", "platform"])
@pytest.mark.parametrize("kind", sorted(NON_ACTIVITY_OBJECTS))
def test_context_revision_or_platform_with_a_non_activity_object_is_rejected(prop, kind):
    stmt = with_context({prop: "x"}, NON_ACTIVITY_OBJECTS[kind])
    assert_rejected_at(stmt, f"context.{prop}")


@pytest.mark.parametrize("prop", ["revision", "platform"])
@pytest.mark.parametrize("value", [2, 2.1, None, ["web"], {"name": "web"}])
def test_context_revision_and_platform_must_be_strings(prop, value):
    assert_rejected_at(with_context({prop: value}), f"context.{prop}")


# --- language ---------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", ["en", "en-US", "tlh", "zh-Hant-TW", "es-419", "de-CH-1996"])
def test_context_language_tag_is_accepted(tag):
    assert validate_statements([with_context({"language": tag})]) is None


@pytest.mark.parametrize(
    "tag", ["", "en_US", "e", "en-", "en--US", "english-language-x", "123", "en-U", 5, None]
)
def test_context_language_that_is_not_a_language_tag_is_rejected(tag):
    assert_rejected_at(with_context({"language": tag}), "context.language")


# --- statement --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "path"),
    [
        ({"id": REF_ID}, "context.statement"),
        ({"objectType": "StatementRef"}, "context.statement"),
        ({"objectType": "StatementRef", "id": "abc"}, "context.statement.id"),
        ({"objectType": "StatementRef", "id": REF_ID, "x": 1}, "context.statement"),
        ({"objectType": "Activity", "id": REF_ID}, "context.statement.objectType"),
        ({"objectType": "statementref", "id": REF_ID}, "context.statement.objectType"),
        (
            {**NON_ACTIVITY_OBJECTS["sub-statement"]},
            "context.statement.objectType",
        ),
        (REF_ID, "context.statement"),
        (None, "context.statement"),
    ],
)
def test_context_statement_must_be_a_statement_ref(ref, path):
    assert_rejected_at(with_context({"statement": ref}), path)


def test_context_statement_ref_is_accepted_with_any_object_type():
    context = {"statement": {"objectType": "StatementRef", "id": REF_ID}}
    obj = NON_ACTIVITY_OBJECTS["agent"]
    assert validate_statements([with_context(context, obj)]) is None
