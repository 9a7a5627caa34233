"""Activity Definitions and Interaction Activities (xAPI Data 2.4.4.1, Appendix C)."""

from __future__ import annotations

from typing import Any

import pytest

from statements.validate import validate_statements
from tests.factories import statement
from tests.statements.validation import assert_rejected_at

CMI = "http://adlnet.gov/expapi/activities/cmi.interaction"
DEF = "object.definition"


def components(*ids: str) -> list[dict[str, Any]]:
    return [{"id": i, "description": {"en-US": i.title()}} for i in ids]


def with_definition(definition: Any) -> dict[str, Any]:
    obj = {"objectType": "Activity", "id": "http://example.com/q1", "definition": definition}
    return statement(obj=obj)


def interaction(interaction_type: str, **rest: Any) -> dict[str, Any]:
    return {"type": CMI, "interactionType": interaction_type, **rest}


# Appendix C: one example definition per interactionType.
APPENDIX_C = {
    "true-false": interaction("true-false", correctResponsesPattern=["true"]),
    "choice": interaction(
        "choice",
        correctResponsesPattern=["golf[,]tetris"],
        choices=components("golf", "facebook", "tetris", "scrabble"),
    ),
    "fill-in": interaction("fill-in", correctResponsesPattern=["Bob's your uncle"]),
    "long-fill-in": interaction(
        "long-fill-in",
        correctResponsesPattern=["{case_matters=false}{lang=en}To store and provide access"],
    ),
    "likert": interaction(
        "likert",
        correctResponsesPattern=["likert_3"],
        scale=components("likert_0", "likert_1", "likert_2", "likert_3"),
    ),
    "matching": interaction(
        "matching",
        correctResponsesPattern=["ben[.]3[,]chris[.]2[,]troy[.]4[,]freddie[.]1"],
        source=components("ben", "chris", "troy", "freddie"),
        target=components("1", "2", "3", "4"),
    ),
    "performance": interaction(
        "performance",
        correctResponsesPattern=["pong[.]1:[,]dg[.]:10[,]lunch[.]"],
        steps=components("pong", "dg", "lunch"),
    ),
    "sequencing": interaction(
        "sequencing",
        correctResponsesPattern=["tim[,]mike[,]ells[,]ben"],
        choices=components("tim", "ben", "ells", "mike"),
    ),
    "numeric": interaction("numeric", correctResponsesPattern=["4[:]"]),
    "other": interaction("other", correctResponsesPattern=["(35.937432,-86.868896)"]),
}
SUPPORTED_LISTS = {
    "choice": {"choices"},
    "sequencing": {"choices"},
    "likert": {"scale"},
    "matching": {"source", "target"},
    "performance": {"steps"},
}
ALL_LISTS = ("choices", "scale", "source", "target", "steps")


def test_definition_with_every_non_interaction_property_is_accepted():
    definition = {
        "name": {"en-GB": "example meeting", "en-US": "example meeting"},
        "description": {"en-US": "An example meeting."},
        "type": "http://adlnet.gov/expapi/activities/meeting",
        "moreInfo": "http://virtualmeeting.example.com/345256",
        "extensions": {"http://example.com/room": {"name": "Kilby", "id": "http://x.com/r"}},
    }
    assert validate_statements([with_definition(definition)]) is None


@pytest.mark.parametrize("interaction_type", sorted(APPENDIX_C))
def test_appendix_c_interaction_definition_is_accepted(interaction_type):
    assert validate_statements([with_definition(APPENDIX_C[interaction_type])]) is None


@pytest.mark.parametrize("interaction_type", sorted(APPENDIX_C))
def test_interaction_without_correct_responses_pattern_or_components_is_accepted(
    interaction_type,
):
    assert validate_statements([with_definition(interaction(interaction_type))]) is None


@pytest.mark.parametrize(
    "value", ["Choice", "CHOICE", "True-False", "multiple-choice", "truefalse", "", 5, None]
)
def test_interaction_type_outside_the_enumeration_is_rejected(value):
    assert_rejected_at(with_definition({"interactionType": value}), f"{DEF}.interactionType")


@pytest.mark.parametrize(
    ("interaction_type", "component_list"),
    [
        (kind, name)
        for kind in sorted(APPENDIX_C)
        for name in ALL_LISTS
        if name not in SUPPORTED_LISTS.get(kind, set())
    ],
)
def test_component_list_not_supported_by_the_interaction_type_is_rejected(
    interaction_type, component_list
):
    definition = interaction(interaction_type, **{component_list: components("a", "b")})
    assert_rejected_at(with_definition(definition), f"{DEF}.{component_list}")


@pytest.mark.parametrize("component_list", ALL_LISTS)
def test_component_list_without_interaction_type_is_rejected(component_list):
    definition = {"type": CMI, component_list: components("a", "b")}
    assert_rejected_at(with_definition(definition), DEF)


def test_correct_responses_pattern_without_interaction_type_is_rejected():
    assert_rejected_at(with_definition({"correctResponsesPattern": ["true"]}), DEF)


@pytest.mark.parametrize(
    ("interaction_type", "component_list"),
    [(kind, name) for kind, names in sorted(SUPPORTED_LISTS.items()) for name in sorted(names)],
)
def test_interaction_component_ids_must_be_distinct_within_a_list(interaction_type, component_list):
    definition = interaction(interaction_type, **{component_list: components("a", "b", "a")})
    assert_rejected_at(with_definition(definition), f"{DEF}.{component_list}[2].id")


def test_matching_source_and_target_may_share_component_ids():
    definition = interaction("matching", source=components("a", "b"), target=components("a", "b"))
    assert validate_statements([with_definition(definition)]) is None


def test_component_ids_differing_only_in_case_are_distinct():
    definition = interaction("choice", choices=components("a", "A"))
    assert validate_statements([with_definition(definition)]) is None


@pytest.mark.parametrize(
    ("component", "path"),
    [
        ({"description": {"en-US": "no id"}}, f"{DEF}.choices[1]"),
        ({"id": 2}, f"{DEF}.choices[1].id"),
        ({"id": None}, f"{DEF}.choices[1].id"),
        ({"id": "b", "description": "B"}, f"{DEF}.choices[1].description"),
        ({"id": "b", "description": {"en_US": "B"}}, f"{DEF}.choices[1].description"),
        ({"id": "b", "description": {"en-US": 2}}, f"{DEF}.choices[1].description.en-US"),
        ({"id": "b", "name": {"en-US": "B"}}, f"{DEF}.choices[1]"),
        ({"ID": "b"}, f"{DEF}.choices[1]"),
        ("b", f"{DEF}.choices[1]"),
    ],
)
def test_interaction_component_needs_string_id_and_language_map_description(component, path):
    definition = interaction("choice", choices=[{"id": "a"}, component])
    assert_rejected_at(with_definition(definition), path)


@pytest.mark.parametrize("value", [{"id": "a"}, "a", None])
def test_component_list_that_is_not_an_array_is_rejected(value):
    assert_rejected_at(with_definition(interaction("choice", choices=value)), f"{DEF}.choices")


def test_empty_correct_responses_pattern_meaning_no_correct_answer_is_accepted():
    definition = interaction("choice", correctResponsesPattern=[], choices=components("a"))
    assert validate_statements([with_definition(definition)]) is None


def test_long_response_patterns_and_long_pattern_arrays_are_not_limited():
    patterns = ["x" * 10_000] + [f"answer {n}" for n in range(1_000)]
    definition = interaction("long-fill-in", correctResponsesPattern=patterns)
    assert validate_statements([with_definition(definition)]) is None


@pytest.mark.parametrize(
    ("pattern", "path"),
    [
        ("true", f"{DEF}.correctResponsesPattern"),
        ({"0": "true"}, f"{DEF}.correctResponsesPattern"),
        (None, f"{DEF}.correctResponsesPattern"),
        ([True], f"{DEF}.correctResponsesPattern[0]"),
        (["a", 4], f"{DEF}.correctResponsesPattern[1]"),
        (["a", None], f"{DEF}.correctResponsesPattern[1]"),
        ([["a", "b"]], f"{DEF}.correctResponsesPattern[0]"),
    ],
)
def test_correct_responses_pattern_must_be_an_array_of_strings(pattern, path):
    definition = interaction("true-false", correctResponsesPattern=pattern)
    assert_rejected_at(with_definition(definition), path)


@pytest.mark.parametrize(
    ("definition", "path"),
    [
        ({"name": "Safety course"}, f"{DEF}.name"),
        ({"name": {"en_US": "Safety"}}, f"{DEF}.name"),
        ({"name": {"en-US": ["Safety"]}}, f"{DEF}.name.en-US"),
        ({"description": {"": "x"}}, f"{DEF}.description"),
        ({"description": {"en-US": None}}, f"{DEF}.description.en-US"),
        ({"type": "meeting"}, f"{DEF}.type"),
        ({"type": ""}, f"{DEF}.type"),
        ({"type": ["http://adlnet.gov/expapi/activities/meeting"]}, f"{DEF}.type"),
        ({"moreInfo": "virtualmeeting.example.com/345256"}, f"{DEF}.moreInfo"),
        ({"moreInfo": "/345256"}, f"{DEF}.moreInfo"),
        ({"extensions": ["http://example.com/ext"]}, f"{DEF}.extensions"),
        ({"title": {"en-US": "x"}}, DEF),
        ({"Name": {"en-US": "x"}}, DEF),
        ({"interactiontype": "choice"}, DEF),
        ({"correctResponsePattern": ["a"], "interactionType": "other"}, DEF),
        ({"objectType": "Activity"}, DEF),
    ],
)
def test_definition_property_with_wrong_format_or_unknown_name_is_rejected(definition, path):
    assert_rejected_at(with_definition(definition), path)


@pytest.mark.parametrize("definition", ["Safety course", ["x"], None, 3])
def test_definition_that_is_not_an_object_is_rejected(definition):
    assert_rejected_at(with_definition(definition), DEF)


@pytest.mark.parametrize("kind", ["parent", "grouping", "category", "other"])
@pytest.mark.parametrize(
    ("definition", "rest"),
    [
        (interaction("choice", choices=components("a", "a")), "definition.choices[1].id"),
        ({"type": "meeting"}, "definition.type"),
        ({"choices": components("a")}, "definition"),
    ],
    ids=["duplicate-ids", "type-not-iri", "no-interaction-type"],
)
def test_context_activity_definitions_follow_the_same_rules(kind, definition, rest):
    listed = [
        {"id": "http://example.com/q0"},
        {"id": "http://example.com/q1", "definition": definition},
    ]
    stmt = statement(context={"contextActivities": {kind: listed}})
    assert_rejected_at(stmt, f"context.contextActivities.{kind}[1].{rest}")
