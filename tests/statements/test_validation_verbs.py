"""Verbs (xAPI Data 2.4.3) and the reserved voiding Verb (Data 2.3.2)."""

from __future__ import annotations

from typing import Any

import pytest

from statements.errors import StatementInvalid
from statements.validate import validate_statements
from tests.factories import VOIDED, activity, agent, statement
from tests.statements.validation import assert_rejected_at, rejected_paths

TARGET = "e05aa883-acaf-40ad-bf54-02c8ce485fb0"


def with_verb(verb: Any) -> dict[str, Any]:
    result = statement()
    result["verb"] = verb
    return result


@pytest.mark.parametrize(
    "verb",
    [
        {"id": "http://adlnet.gov/expapi/verbs/completed"},
        {
            "id": "http://example.com/xapi/verbs#defenestrated",
            "display": {"en-US": "defenestrated"},
        },
        {
            "id": "http://example.com/xapi/verbs#fired",
            "display": {"en-US": "fired", "es": "disparó"},
        },
        {"id": "http://example.com/فعل/خواندن", "display": {"fa": "خواندن"}},
        {"id": "urn:example:verbs:attended", "display": {}},
        {"id": "https://w3id.org/xapi/adl/verbs/logged-in", "display": {"zh-Hant-TW": "登入"}},
    ],
)
def test_verb_with_iri_id_and_optional_display_is_accepted(verb):
    assert validate_statements([with_verb(verb)]) is None


def test_statement_without_verb_is_rejected():
    stmt = statement()
    del stmt["verb"]
    errors = pytest.raises(StatementInvalid, validate_statements, [stmt]).value.errors
    assert any(e.path == "$" and "verb" in e.message for e in errors), errors


@pytest.mark.parametrize(
    "verb", ["http://adlnet.gov/expapi/verbs/completed", ["completed"], None, 5, True]
)
def test_verb_that_is_not_an_object_is_rejected(verb):
    assert_rejected_at(with_verb(verb), "verb")


@pytest.mark.parametrize("verb", [{}, {"display": {"en-US": "completed"}}])
def test_verb_without_id_is_rejected(verb):
    assert_rejected_at(with_verb(verb), "verb")


@pytest.mark.parametrize(
    "verb_id",
    [
        "completed",
        "",
        "/expapi/verbs/completed",
        "#completed",
        "adlnet.gov/expapi/verbs/completed",
        "http://example.com/a verb",
        " http://example.com/verb",
        "http://example.com/verb\n",
        5,
        None,
        ["http://example.com/verb"],
    ],
)
def test_verb_id_that_is_not_an_iri_is_rejected(verb_id):
    assert_rejected_at(with_verb({"id": verb_id}), "verb.id")


@pytest.mark.parametrize("key", ["en_US", "", "e", "en-", "-en", "toolonglang", "en--US", "1en"])
def test_verb_display_key_that_is_not_a_language_tag_is_rejected(key):
    verb = {"id": "http://example.com/verb", "display": {key: "completed"}}
    assert_rejected_at(with_verb(verb), "verb.display")


@pytest.mark.parametrize("value", [5, None, ["completed"], {"text": "completed"}, True])
def test_verb_display_value_that_is_not_a_string_is_rejected(value):
    verb = {"id": "http://example.com/verb", "display": {"en-US": value}}
    assert_rejected_at(with_verb(verb), "verb.display.en-US")


@pytest.mark.parametrize("display", ["completed", ["completed"], None, 5])
def test_verb_display_that_is_not_a_language_map_is_rejected(display):
    verb = {"id": "http://example.com/verb", "display": display}
    assert_rejected_at(with_verb(verb), "verb.display")


@pytest.mark.parametrize(
    "verb",
    [
        {"id": "http://example.com/verb", "name": {"en-US": "x"}},
        {"id": "http://example.com/verb", "objectType": "Verb"},
        {"ID": "http://example.com/verb"},
        {"id": "http://example.com/verb", "Display": {"en-US": "x"}},
        {"id": "http://example.com/verb", "description": {"en-US": "x"}},
    ],
)
def test_verb_with_unknown_or_miscased_property_is_rejected(verb):
    assert_rejected_at(with_verb(verb), "verb")


def test_voiding_statement_with_statement_ref_object_is_accepted():
    voiding = statement("admin", VOIDED, {"objectType": "StatementRef", "id": TARGET})
    assert validate_statements([voiding]) is None


@pytest.mark.parametrize(
    "obj",
    [
        activity(),
        {"id": "http://example.com/statements/" + TARGET},
        agent("bob"),
        {"objectType": "Group", "member": [agent("bob")]},
        {
            "objectType": "SubStatement",
            "actor": agent("bob"),
            "verb": {"id": "http://example.com/did"},
            "object": activity(),
        },
    ],
    ids=["activity", "activity-without-type", "agent", "group", "substatement"],
)
def test_voiding_statement_whose_object_is_not_a_statement_ref_is_rejected(obj):
    assert_rejected_at(statement("admin", VOIDED, obj), "object")


@pytest.mark.parametrize("ref", [{"id": TARGET}, {"objectType": "StatementRef"}])
def test_voiding_statement_ref_needs_object_type_and_target_id(ref):
    paths = rejected_paths(statement("admin", VOIDED, ref))
    assert any(p == "object" or p.startswith("object.") for p in paths), paths


def test_verb_ids_are_case_sensitive_so_a_miscased_voided_verb_is_an_ordinary_verb():
    # Data 2.2: values are case sensitive; this is not the reserved voiding Verb.
    stmt = statement(verb="http://adlnet.gov/expapi/verbs/Voided")
    assert validate_statements([stmt]) is None
