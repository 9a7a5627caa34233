"""Statement objects (xAPI Data 2.4.4): Activities, Agents/Groups, StatementRefs, SubStatements."""

from __future__ import annotations

from typing import Any

import pytest

from statements.errors import StatementInvalid
from statements.validate import validate_statements
from tests.factories import activity, agent, statement
from tests.statements.validation import assert_rejected_at

REF_ID = "8f87ccde-bb56-4c2e-ab83-44982ef22df0"


def sub_statement(**changes: Any) -> dict[str, Any]:
    """The SubStatement example of Data 2.4.4.3, with `changes` applied."""
    result: dict[str, Any] = {
        "objectType": "SubStatement",
        "actor": {"objectType": "Agent", "mbox": "mailto:test@example.com"},
        "verb": {"id": "http://example.com/visited", "display": {"en-US": "will visit"}},
        "object": {
            "objectType": "Activity",
            "id": "http://example.com/website",
            "definition": {"name": {"en-US": "Some Awesome Website"}},
        },
    }
    result.update(changes)
    return result


# --- Activities -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "obj",
    [
        {"objectType": "Activity", "id": "http://example.com/activity"},
        {"id": "http://example.adlnet.gov/xapi/example/activity"},
        {"id": "https://www.youtube.com/watch?v=xh4kIiH3Sm8", "definition": {}},
        {"id": "urn:uuid:8f87ccde-bb56-4c2e-ab83-44982ef22df0"},
        {"id": "http://example.com/活動/一"},
    ],
)
def test_activity_object_with_iri_id_is_accepted(obj):
    assert validate_statements([statement(obj=obj)]) is None


@pytest.mark.parametrize("obj", [{}, {"objectType": "Activity"}, {"definition": {}}])
def test_activity_object_without_id_is_rejected(obj):
    assert_rejected_at(statement(obj=obj), "object")


@pytest.mark.parametrize(
    "activity_id",
    [
        "",
        "course/safety",
        "/course/safety",
        "#safety",
        "example.com/x",
        "http://x.com/a b",
        7,
        None,
    ],
)
def test_activity_id_that_is_not_an_iri_is_rejected(activity_id):
    assert_rejected_at(statement(obj={"objectType": "Activity", "id": activity_id}), "object.id")


@pytest.mark.parametrize("object_type", ["activity", "ACTIVITY", "Course", "", None, 1])
def test_object_type_outside_the_enumeration_is_rejected(object_type):
    obj = {"objectType": object_type, "id": "http://example.com/activity"}
    assert_rejected_at(statement(obj=obj), "object.objectType")


@pytest.mark.parametrize(
    "obj",
    [
        {"id": "http://example.com/a", "name": {"en-US": "x"}},
        {"id": "http://example.com/a", "Definition": {}},
        {"ID": "http://example.com/a"},
        {"id": "http://example.com/a", "mbox": "mailto:a@example.com"},
    ],
)
def test_activity_object_with_unknown_property_is_rejected(obj):
    assert_rejected_at(statement(obj=obj), "object")


@pytest.mark.parametrize("obj", ["http://example.com/activity", ["http://example.com/a"], 5])
def test_object_that_is_not_a_json_object_is_rejected(obj):
    assert_rejected_at(statement(obj=obj), "object")


def test_statement_without_object_is_rejected():
    stmt = statement()
    del stmt["object"]
    errors = pytest.raises(StatementInvalid, validate_statements, [stmt]).value.errors
    assert any(e.path == "$" and "object" in e.message for e in errors), errors


# --- Agents and Groups as objects -------------------------------------------------------------


@pytest.mark.parametrize(
    "obj",
    [
        {"objectType": "Agent", "mbox": "mailto:andrew@example.co.uk", "name": "Andrew"},
        {"objectType": "Agent", "account": {"homePage": "http://example.com", "name": "1"}},
        {
            "objectType": "Group",
            "account": {"homePage": "http://example.com/homePage", "name": "GroupAccount"},
            "member": [agent("andrew"), {"openid": "http://aaron.openid.example.org"}],
        },
        {"objectType": "Group", "member": [agent("andrew")]},
    ],
    ids=["agent-mbox", "agent-account", "identified-group", "anonymous-group"],
)
def test_agent_or_group_object_with_object_type_is_accepted(obj):
    assert validate_statements([statement(obj=obj)]) is None


@pytest.mark.parametrize(
    "obj",
    [
        {"mbox": "mailto:bob@example.com"},
        {"name": "Bob", "account": {"homePage": "http://example.com", "name": "bob"}},
        {"mbox": "mailto:team@example.com", "member": [agent("bob")]},
        {"member": [agent("bob")]},
    ],
    ids=["agent-mbox", "agent-account", "identified-group", "anonymous-group"],
)
def test_agent_or_group_object_without_object_type_is_rejected(obj):
    assert_rejected_at(statement(obj=obj), "object")


@pytest.mark.parametrize(
    ("obj", "path"),
    [
        ({"objectType": "Agent", "name": "Bob"}, "object"),
        ({"objectType": "Agent", "mbox": "mailto:b@x.com", "openid": "http://x.com/b"}, "object"),
        ({"objectType": "Agent", "mbox": "bob@example.com"}, "object.mbox"),
        ({"objectType": "Group"}, "object"),
        ({"objectType": "Group", "member": [{"name": "Nobody"}]}, "object.member[0]"),
        (
            {"objectType": "Group", "member": [{"objectType": "Group", "member": []}]},
            "object.member[0].objectType",
        ),
        ({"objectType": "Agent", "mbox": "mailto:b@x.com", "member": []}, "object"),
    ],
)
def test_agent_or_group_object_follows_the_actor_rules(obj, path):
    assert_rejected_at(statement(obj=obj), path)


# --- Statement references ---------------------------------------------------------------------


def test_statement_ref_object_is_accepted_without_the_target_existing():
    assert (
        validate_statements([statement(obj={"objectType": "StatementRef", "id": REF_ID})]) is None
    )


@pytest.mark.parametrize(
    ("obj", "path"),
    [
        ({"objectType": "StatementRef"}, "object"),
        ({"objectType": "StatementRef", "id": "not-a-uuid"}, "object.id"),
        ({"objectType": "StatementRef", "id": ""}, "object.id"),
        ({"objectType": "StatementRef", "id": "http://example.com/statement"}, "object.id"),
        ({"objectType": "StatementRef", "id": REF_ID, "definition": {}}, "object"),
        ({"objectType": "StatementRef", "id": REF_ID, "verb": {"id": "http://x.com/v"}}, "object"),
        ({"objectType": "statementref", "id": REF_ID}, "object.objectType"),
        # Without objectType the object is an Activity, whose id must be an IRI.
        ({"id": REF_ID}, "object.id"),
    ],
)
def test_statement_ref_needs_object_type_and_uuid_id_only(obj, path):
    assert_rejected_at(statement(obj=obj), path)


# --- SubStatements ----------------------------------------------------------------------------


def test_sub_statement_example_from_the_specification_is_accepted():
    assert validate_statements([statement(obj=sub_statement())]) is None


@pytest.mark.parametrize(
    "changes",
    [
        {"object": {"objectType": "StatementRef", "id": REF_ID}},
        {"object": {"objectType": "Agent", "mbox": "mailto:bob@example.com"}},
        {"object": {"objectType": "Group", "member": [agent("bob")]}},
        {"result": {"success": True, "duration": "PT1H"}},
        {"context": {"registration": REF_ID, "revision": "2", "platform": "web"}},
        {"timestamp": "2999-12-31T23:59:59.999Z"},
        {
            "attachments": [
                {
                    "usageType": "http://example.com/usage",
                    "display": {"en-US": "x"},
                    "contentType": "text/plain",
                    "length": 3,
                    "sha2": "a" * 64,
                }
            ]
        },
    ],
    ids=["statement-ref", "agent", "group", "result", "context", "future-timestamp", "attachment"],
)
def test_sub_statement_with_optional_statement_properties_is_accepted(changes):
    assert validate_statements([statement(obj=sub_statement(**changes))]) is None


@pytest.mark.parametrize(
    "forbidden",
    [
        {"id": REF_ID},
        {"stored": "2013-05-18T05:32:34.804Z"},
        {"version": "1.0.0"},
        {"authority": {"objectType": "Agent", "mbox": "mailto:admin@example.com"}},
    ],
    ids=["id", "stored", "version", "authority"],
)
def test_sub_statement_with_lrs_assigned_property_is_rejected(forbidden):
    assert_rejected_at(statement(obj=sub_statement(**forbidden)), "object")


def test_sub_statement_nested_in_a_sub_statement_is_rejected():
    nested = sub_statement(object=sub_statement())
    assert_rejected_at(statement(obj=nested), "object.object.objectType")


@pytest.mark.parametrize("missing", ["actor", "verb", "object"])
def test_sub_statement_without_actor_verb_or_object_is_rejected(missing):
    obj = sub_statement()
    del obj[missing]
    assert_rejected_at(statement(obj=obj), "object")


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"actor": {"objectType": "Agent", "name": "No IFI"}}, "object.actor"),
        ({"actor": {"mbox": "test@example.com"}}, "object.actor.mbox"),
        ({"verb": {"id": "visited"}}, "object.verb.id"),
        ({"object": {"mbox": "mailto:bob@example.com"}}, "object.object"),
        ({"object": {"objectType": "StatementRef", "id": "x"}}, "object.object.id"),
        ({"object": {"id": "website"}}, "object.object.id"),
        ({"result": {"score": {"scaled": 2}}}, "object.result.score.scaled"),
        ({"result": {"score": {"raw": 11, "max": 10}}}, "object.result.score.raw"),
        ({"result": {"duration": "1 hour"}}, "object.result.duration"),
        ({"timestamp": "2013-02-30T00:00:00Z"}, "object.timestamp"),
        ({"timestamp": "yesterday"}, "object.timestamp"),
        ({"context": {"registration": "abc"}}, "object.context.registration"),
        ({"context": {"team": agent("bob")}}, "object.context.team.objectType"),
        ({"unknown": True}, "object"),
        ({"objectType": "substatement"}, "object.objectType"),
    ],
)
def test_sub_statement_is_validated_as_a_statement(changes, path):
    assert_rejected_at(statement(obj=sub_statement(**changes)), path)


def test_sub_statement_context_revision_needs_its_own_object_to_be_an_activity():
    obj = sub_statement(
        object={"objectType": "StatementRef", "id": REF_ID}, context={"revision": "1"}
    )
    assert_rejected_at(statement(obj=obj), "object.context.revision")


def test_sub_statement_activity_definition_is_validated():
    definition = {"interactionType": "choice", "choices": [{"id": "a"}, {"id": "a"}]}
    obj = sub_statement(object=activity("q1", **definition))
    assert_rejected_at(statement(obj=obj), "object.object.definition.choices[1].id")
