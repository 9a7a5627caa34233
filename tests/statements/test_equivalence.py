"""Statement comparison (xAPI Data 2.3.1): which differences make two statements different."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from statements.equivalence import equivalent
from statements.normalize import prepare
from tests.factories import activity, agent, statement

STATEMENT_ID = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"
REGISTRATION = "ec531277-b57b-4c15-8d91-d292c5b2b8f7"
REF_ID = "8f87ccde-bb56-4c2e-ab83-44982ef22df0"


def base() -> dict[str, Any]:
    """A statement as sent by a client, with most optional parts."""
    return statement(
        id=STATEMENT_ID,
        obj=activity("course/safety", name={"en-US": "Safety"}),
        result={"score": {"scaled": 0.9, "raw": 90}, "success": True, "duration": "PT1H"},
        context={
            "registration": REGISTRATION,
            "instructor": agent("ivan"),
            "team": {"objectType": "Group", "member": [agent("ann"), agent("bob")]},
            "contextActivities": {"parent": [activity("course")]},
            "language": "en-US",
            "extensions": {"http://example.com/ext": {"level": 3}},
        },
        timestamp="2013-05-18T05:32:34.804Z",
    )


def stored_form() -> dict[str, Any]:
    """`base()` as the LRS stores it: LRS-set properties added."""
    result = base()
    result.update(
        stored="2013-05-18T05:33:00.000Z",
        authority={"objectType": "Agent", "mbox": "mailto:lrs@example.com"},
        version="1.0.0",
    )
    return result


def variant(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    result = copy.deepcopy(base())
    change(result)
    return result


def sub_statement(**changes: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "objectType": "SubStatement",
        "actor": {"objectType": "Group", "member": [agent("ann"), agent("bob")]},
        "verb": {"id": "http://example.com/visited", "display": {"en-US": "will visit"}},
        "object": activity("website", name={"en-US": "Some Awesome Website"}),
        "context": {"contextActivities": {"parent": [activity("course")]}},
        "timestamp": "2013-05-18T05:32:34.000Z",
    }
    result.update(changes)
    return result


def test_statement_is_equivalent_to_itself_and_to_its_stored_form():
    assert equivalent(base(), base())
    assert equivalent(stored_form(), base())


def test_property_order_is_not_a_difference():
    reordered = dict(reversed(list(base().items())))
    assert equivalent(stored_form(), reordered)


IGNORED: dict[str, Callable[[dict[str, Any]], None]] = {
    "id-missing": lambda s: s.pop("id"),
    "other-id": lambda s: s.update(id="6690e6c9-3ef0-4ed3-8b37-7f3964730bee"),
    "stored": lambda s: s.update(stored="2020-01-01T00:00:00.000Z"),
    "authority": lambda s: s.update(authority={"mbox": "mailto:someone@example.com"}),
    "version": lambda s: s.update(version="1.0.3"),
    "attachments": lambda s: s.update(
        attachments=[
            {
                "usageType": "http://example.com/u",
                "display": {"en-US": "x"},
                "contentType": "text/plain",
                "length": 1,
                "sha2": "a" * 64,
            }
        ]
    ),
    "verb-display": lambda s: s["verb"].update(display={"fr": "a terminé"}),
    "verb-display-missing": lambda s: s["verb"].pop("display"),
    "object-definition": lambda s: s["object"].update(definition={"name": {"en-US": "Other"}}),
    "object-definition-missing": lambda s: s["object"].pop("definition"),
    "context-activity-definition": lambda s: s["context"]["contextActivities"]["parent"][0].update(
        definition={"type": "http://adlnet.gov/expapi/activities/course"}
    ),
    "context-activity-single": lambda s: s["context"]["contextActivities"].update(
        parent=activity("course")
    ),
    "timestamp-offset": lambda s: s.update(timestamp="2013-05-18T07:32:34.804+02:00"),
    "timestamp-negative-offset": lambda s: s.update(timestamp="2013-05-18T00:32:34.804-05:00"),
    "timestamp-lowercase": lambda s: s.update(timestamp="2013-05-18t05:32:34.804z"),
    "timestamp-precision": lambda s: s.update(timestamp="2013-05-18T05:32:34.804000+00:00"),
    "timestamp-missing": lambda s: s.pop("timestamp"),
    "team-member-order": lambda s: s["context"]["team"]["member"].reverse(),
    "actor-mbox-domain-case": lambda s: s["actor"].update(mbox="mailto:ann@EXAMPLE.Com"),
    "instructor-mbox-domain-case": lambda s: s["context"]["instructor"].update(
        mbox="mailto:ivan@Example.COM"
    ),
    "team-member-domain-case": lambda s: s["context"]["team"]["member"][1].update(
        mbox="mailto:bob@EXAMPLE.COM"
    ),
}


@pytest.mark.parametrize("change", sorted(IGNORED))
def test_difference_the_specification_excepts_is_ignored(change):
    assert equivalent(stored_form(), variant(IGNORED[change]))


def test_group_member_order_and_domain_case_are_ignored_for_actor_and_object():
    group = {"objectType": "Group", "member": [agent("ann"), agent("bob"), agent("carl")]}
    shuffled = copy.deepcopy(group)
    shuffled["member"] = [shuffled["member"][2], shuffled["member"][0], shuffled["member"][1]]
    shuffled["member"][0]["mbox"] = "mailto:carl@Example.com"
    assert equivalent(statement(obj=group), statement(obj=shuffled))
    assert equivalent(statement() | {"actor": group}, statement() | {"actor": shuffled})


DIFFERENT: dict[str, Callable[[dict[str, Any]], None]] = {
    "verb-id": lambda s: s["verb"].update(id="http://adlnet.gov/expapi/verbs/passed"),
    "verb-id-case": lambda s: s["verb"].update(id="http://adlnet.gov/expapi/verbs/Completed"),
    "actor-ifi": lambda s: s.update(actor=agent("bob")),
    "actor-name": lambda s: s["actor"].update(name="Annie"),
    "actor-mbox-local-part-case": lambda s: s["actor"].update(mbox="mailto:Ann@example.com"),
    "actor-ifi-kind": lambda s: s.update(
        actor={"objectType": "Agent", "account": {"homePage": "http://x.com", "name": "ann"}}
    ),
    "object-id": lambda s: s["object"].update(id="http://example.com/course/other"),
    "object-id-trailing-slash": lambda s: s["object"].update(
        id="http://example.com/course/safety/"
    ),
    "object-kind": lambda s: s.update(object={"objectType": "StatementRef", "id": REF_ID}),
    "timestamp-instant": lambda s: s.update(timestamp="2013-05-18T05:32:35.804Z"),
    "timestamp-same-clock-other-zone": lambda s: s.update(
        timestamp="2013-05-18T05:32:34.804+01:00"
    ),
    "result-missing": lambda s: s.pop("result"),
    "result-success": lambda s: s["result"].update(success=False),
    "result-score": lambda s: s["result"]["score"].update(raw=91),
    "result-response": lambda s: s["result"].update(response="b"),
    "result-duration-string": lambda s: s["result"].update(duration="PT60M"),
    "result-duration-zero-minutes": lambda s: s["result"].update(duration="PT1H0M"),
    "registration": lambda s: s["context"].update(registration=REF_ID),
    "instructor": lambda s: s["context"].update(instructor=agent("ian")),
    "team-member-added": lambda s: s["context"]["team"]["member"].append(agent("carl")),
    "context-activity-id": lambda s: s["context"]["contextActivities"].update(
        parent=[activity("other")]
    ),
    "context-activity-kind": lambda s: s["context"]["contextActivities"].update(
        grouping=s["context"]["contextActivities"].pop("parent")
    ),
    "context-extension-value": lambda s: s["context"]["extensions"].update(
        {"http://example.com/ext": {"level": 4}}
    ),
    "context-language": lambda s: s["context"].update(language="fr"),
    "context-statement": lambda s: s["context"].update(
        statement={"objectType": "StatementRef", "id": REF_ID}
    ),
}


@pytest.mark.parametrize("change", sorted(DIFFERENT))
def test_difference_in_the_statement_itself_is_not_ignored(change):
    assert not equivalent(stored_form(), variant(DIFFERENT[change]))


def test_incoming_timestamp_is_compared_when_it_is_present():
    stored = stored_form()
    stored["timestamp"] = stored["stored"]  # assigned by the LRS
    incoming = base()
    incoming["timestamp"] = "2013-05-18T05:00:00.000Z"
    assert not equivalent(stored, incoming)


SUB_IGNORED: dict[str, dict[str, Any]] = {
    "verb-display": {"verb": {"id": "http://example.com/visited"}},
    "activity-definition": {"object": activity("website")},
    "member-order": {
        "actor": {"objectType": "Group", "member": [agent("bob"), agent("ann")]},
    },
    "context-activity-single": {"context": {"contextActivities": {"parent": activity("course")}}},
    "timestamp-zone": {"timestamp": "2013-05-18T07:32:34+02:00"},
    "timestamp-precision": {"timestamp": "2013-05-18T05:32:34Z"},
}


@pytest.mark.parametrize("change", sorted(SUB_IGNORED))
def test_sub_statement_differences_the_specification_excepts_are_ignored(change):
    stored = statement(obj=sub_statement())
    incoming = statement(obj=sub_statement(**SUB_IGNORED[change]))
    assert equivalent(stored, incoming)


@pytest.mark.parametrize(
    "changes",
    [
        {"verb": {"id": "http://example.com/attended"}},
        {"object": activity("other-website")},
        {"actor": agent("carl")},
        {"timestamp": "2013-05-18T05:32:35.000Z"},
        {"result": {"success": True}},
    ],
)
def test_sub_statement_differences_in_the_statement_itself_are_not_ignored(changes):
    stored = statement(obj=sub_statement())
    assert not equivalent(stored, statement(obj=sub_statement(**changes)))


@pytest.mark.parametrize(
    ("stored_value", "incoming_value"),
    [("PT1.234S", "PT1.23S"), ("PT1.2349S", "PT1.234S"), ("PT4H35M59.148S", "PT4H35M59.14S")],
)
def test_duration_precision_beyond_hundredths_is_not_compared(stored_value, incoming_value):
    # Data 4.6: "When comparing Durations, any precision beyond 0.01 second precision SHOULD*
    # NOT be included in the comparison."
    stored = statement(result={"duration": stored_value})
    incoming = statement(result={"duration": incoming_value})
    assert equivalent(stored, incoming)


CASE_INSENSITIVE: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    # RFC 4122 section 3: UUID hex digits are case insensitive on input.
    "registration-uuid": (
        {"context": {"registration": REGISTRATION}},
        {"context": {"registration": REGISTRATION.upper()}},
    ),
    "statement-ref-uuid": (
        {"obj": {"objectType": "StatementRef", "id": REF_ID}},
        {"obj": {"objectType": "StatementRef", "id": REF_ID.upper()}},
    ),
    # RFC 5646 section 2.1.1: language tags are case insensitive.
    "context-language": ({"context": {"language": "en-US"}}, {"context": {"language": "en-us"}}),
}


@pytest.mark.parametrize("case", sorted(CASE_INSENSITIVE))
def test_case_of_other_case_insensitive_values_is_ignored(case):
    stored_changes, incoming_changes = CASE_INSENSITIVE[case]
    assert equivalent(statement(**stored_changes), statement(**incoming_changes))


ROUND_TRIP: dict[str, dict[str, Any]] = {
    "full": base(),
    "no-timestamp": statement(),
    "offset-timestamp": statement(timestamp="2013-05-18T07:32:34.804+02:00"),
    "single-context-activity": statement(context={"contextActivities": {"grouping": activity()}}),
    "sub-statement": statement(
        obj=sub_statement(
            timestamp="2013-05-18T07:32:34+02:00",
            context={"contextActivities": {"parent": activity("course")}},
        )
    ),
    "group-actor": statement() | {"actor": {"objectType": "Group", "member": [agent("bob")]}},
}


@pytest.mark.parametrize("case", sorted(ROUND_TRIP))
def test_statement_is_equivalent_to_what_the_lrs_stored_for_it(case):
    incoming = ROUND_TRIP[case]
    stored = prepare(
        copy.deepcopy(incoming),
        stored=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        authority={"objectType": "Agent", "mbox": "mailto:lrs@example.com"},
        authority_key="mbox:mailto:lrs@example.com",
    ).data
    assert equivalent(stored, copy.deepcopy(incoming))


def test_comparison_does_not_change_its_arguments():
    stored, incoming = stored_form(), variant(IGNORED["team-member-order"])
    stored_copy, incoming_copy = copy.deepcopy(stored), copy.deepcopy(incoming)
    equivalent(stored, incoming)
    assert (stored, incoming) == (stored_copy, incoming_copy)
