"""POST /statements (xAPI Communication 2.1.2, 1.5.1, 3.2; Data 2.4)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import PASSED, activity, agent, statement


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def fetch(xapi, statement_id):
    response = xapi.get({"statementId": statement_id})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def stored_ids(xapi) -> list[str]:
    response = xapi.get()
    assert response.status_code == 200
    return [s["id"] for s in response.json["statements"]]


def is_uuid(value: str) -> bool:
    parsed = uuid.UUID(value)
    return str(parsed) == value and parsed.variant == uuid.RFC_4122


def attachment(**extra):
    return {
        "usageType": "http://example.com/attachment-usage/certificate",
        "display": {"en-US": "Certificate"},
        "contentType": "application/pdf",
        "length": 1234,
        "sha2": "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a",
        **extra,
    }


def test_post_of_a_single_statement_returns_200_and_a_list_with_its_generated_id(xapi):
    response = xapi.post(statement())
    assert response.status_code == 200
    assert response.content_type.startswith("application/json")
    [statement_id] = response.json
    assert is_uuid(statement_id)
    assert fetch(xapi, statement_id)["actor"] == agent()


def test_post_of_a_batch_returns_ids_in_input_order_keeping_supplied_ids(xapi):
    supplied = str(uuid.uuid4())
    batch = [statement("ann"), statement("bob", id=supplied), statement("cat")]
    response = xapi.post(batch)
    assert response.status_code == 200
    ids = response.json
    assert len(ids) == 3
    assert ids[1] == supplied
    assert all(is_uuid(i) for i in ids)
    assert len(set(ids)) == 3
    for statement_id, name in zip(ids, ["ann", "bob", "cat"], strict=True):
        assert fetch(xapi, statement_id)["actor"]["mbox"] == f"mailto:{name}@example.com"


def test_post_of_a_single_statement_with_id_returns_that_id(xapi):
    supplied = str(uuid.uuid4())
    response = xapi.post(statement(id=supplied))
    assert response.status_code == 200
    assert response.json == [supplied]


def test_posted_statement_gets_stored_timestamp_authority_and_version(xapi):
    before = datetime.now(UTC) - timedelta(seconds=1)
    [statement_id] = xapi.store(statement())
    after = datetime.now(UTC) + timedelta(seconds=1)
    stored = fetch(xapi, statement_id)
    assert before <= when(stored["stored"]) <= after
    assert when(stored["timestamp"]) == when(stored["stored"])
    assert stored["version"] == "1.0.0"
    assert stored["authority"]["objectType"] in ("Agent", "Group")


def test_post_ignores_client_stored_and_authority(xapi):
    forged = {"objectType": "Agent", "mbox": "mailto:boss@example.com"}
    [forged_id, plain_id] = xapi.store(
        statement(stored="2001-01-01T00:00:00Z", authority=forged), statement()
    )
    forged_stored, plain = fetch(xapi, forged_id), fetch(xapi, plain_id)
    assert when(forged_stored["stored"]).year != 2001
    assert forged_stored["authority"] == plain["authority"] != forged


def test_post_keeps_supplied_statement_version(xapi):
    [statement_id] = xapi.store(statement(version="1.0.2"))
    assert fetch(xapi, statement_id)["version"] == "1.0.2"


def test_batch_with_one_invalid_statement_is_400_and_stores_nothing(xapi):
    good_id = str(uuid.uuid4())
    bad = statement()
    bad["verb"] = {"id": "not an iri"}
    response = xapi.post([statement(id=good_id), statement("bob"), bad])
    assert response.status_code == 400
    assert response.json["errors"]
    assert all("path" in error for error in response.json["errors"])
    assert stored_ids(xapi) == []
    assert xapi.get({"statementId": good_id}).status_code == 404


def test_batch_with_duplicate_ids_is_400_and_stores_nothing(xapi):
    same = str(uuid.uuid4())
    response = xapi.post([statement("ann", id=same), statement("ann", id=same)])
    assert response.status_code == 400
    assert stored_ids(xapi) == []


def test_batch_with_duplicate_ids_in_different_case_is_400(xapi):
    same = str(uuid.uuid4())
    response = xapi.post([statement(id=same), statement(id=same.upper())])
    assert response.status_code == 400
    assert stored_ids(xapi) == []


def test_batch_with_a_conflicting_existing_id_is_409_and_stores_nothing_new(xapi):
    [existing] = xapi.store(statement())
    before = fetch(xapi, existing)
    new_id = str(uuid.uuid4())
    response = xapi.post([statement("bob", id=new_id), statement("ann", PASSED, id=existing)])
    assert response.status_code == 409
    assert xapi.get({"statementId": new_id}).status_code == 404
    assert fetch(xapi, existing) == before
    assert stored_ids(xapi) == [existing]


def test_post_of_an_equivalent_statement_with_existing_id_succeeds_without_change(xapi):
    supplied = str(uuid.uuid4())
    xapi.store(statement(id=supplied))
    before = fetch(xapi, supplied)
    response = xapi.post([statement(id=supplied)])
    assert response.status_code == 200
    assert response.json == [supplied]
    assert fetch(xapi, supplied) == before
    assert stored_ids(xapi) == [supplied]


def test_post_of_a_non_object_or_empty_body_is_400(xapi):
    for body in (None, "text", 42, [1, 2], [None]):
        assert xapi.post(body).status_code == 400, body
    assert stored_ids(xapi) == []


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda s: s.update(actor=None), id="null-actor"),
        pytest.param(lambda s: s["verb"].update(display={"en-US": None}), id="null-display"),
        pytest.param(lambda s: s.update(Actor=s.pop("actor")), id="key-wrong-case"),
        pytest.param(lambda s: s.update(colour="blue"), id="unknown-property"),
        pytest.param(lambda s: s.update(timestamp="yesterday"), id="bad-timestamp"),
        pytest.param(lambda s: s.update(id="1234"), id="bad-id"),
        pytest.param(lambda s: s["actor"].update(mbox="ann@example.com"), id="mbox-not-mailto"),
        pytest.param(lambda s: s["actor"].update(openid="http://a.example"), id="two-ifis"),
        pytest.param(lambda s: s["actor"].pop("mbox"), id="agent-without-ifi"),
        pytest.param(lambda s: s["object"].update(objectType="activity"), id="enum-wrong-case"),
        pytest.param(
            lambda s: s.update(result={"score": {"scaled": 1.5}}), id="scaled-out-of-range"
        ),
        pytest.param(lambda s: s.update(result={"duration": "1 hour"}), id="bad-duration"),
        pytest.param(lambda s: s.update(result={"success": "true"}), id="bool-as-string"),
        pytest.param(lambda s: s["verb"].update(display={"en_US": "x"}), id="bad-language-tag"),
        pytest.param(lambda s: s.update(context={"registration": "abc"}), id="bad-registration"),
        pytest.param(
            lambda s: s.update(
                object={"objectType": "StatementRef", "id": "x"},
            ),
            id="bad-statementref",
        ),
        pytest.param(
            lambda s: s.update(
                object={
                    "objectType": "SubStatement",
                    "id": str(uuid.uuid4()),
                    **statement(),
                }
            ),
            id="substatement-with-id",
        ),
    ],
)
def test_invalid_statement_is_rejected_with_400_and_error_path(xapi, mutate):
    body = statement()
    mutate(body)
    response = xapi.post([statement("bob"), body])
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["status"] == 400
    assert response.json["errors"]
    assert all("path" in error for error in response.json["errors"])
    assert stored_ids(xapi) == []


def test_extension_values_are_never_a_reason_to_reject(xapi):
    body = statement(
        result={"extensions": {"http://example.com/ext": None}},
        context={"extensions": {"http://example.com/ctx": {"Any": [1, "two", None]}}},
    )
    [statement_id] = xapi.store(body)
    assert fetch(xapi, statement_id)["context"]["extensions"] == body["context"]["extensions"]


def test_post_accepts_future_timestamp(xapi):
    [statement_id] = xapi.store(statement(timestamp="2999-01-01T00:00:00Z"))
    assert when(fetch(xapi, statement_id)["timestamp"]).year == 2999


def test_attachments_with_file_url_are_accepted_in_application_json(xapi):
    body = statement(attachments=[attachment(fileUrl="http://example.com/cert.pdf")])
    [statement_id] = xapi.store(body)
    stored = fetch(xapi, statement_id)
    assert stored["attachments"][0]["fileUrl"] == "http://example.com/cert.pdf"
    assert stored["attachments"][0]["sha2"] == body["attachments"][0]["sha2"]


def test_attachment_without_file_url_in_application_json_is_400(xapi):
    response = xapi.post([statement("bob"), statement(attachments=[attachment()])])
    assert response.status_code == 400
    assert stored_ids(xapi) == []


def test_substatement_and_statement_ref_objects_are_stored_as_sent(xapi):
    sub = {"objectType": "SubStatement", **statement("bob", obj=activity("sub"))}
    ref = {"objectType": "StatementRef", "id": str(uuid.uuid4())}
    [sub_id, ref_id] = xapi.store(statement(obj=sub), statement(obj=ref))
    assert fetch(xapi, sub_id)["object"] == sub
    assert fetch(xapi, ref_id)["object"] == ref


def test_context_activities_are_returned_as_arrays(xapi):
    body = statement(context={"contextActivities": {"parent": activity("parent")}})
    [statement_id] = xapi.store(body)
    assert fetch(xapi, statement_id)["context"]["contextActivities"]["parent"] == [
        activity("parent")
    ]


def test_non_ascii_strings_round_trip(xapi):
    body = statement(obj=activity("kurs/ü", name={"de-DE": "Sicherheitsübung ✓"}))
    body["actor"]["name"] = "Zoë Ångström"
    [statement_id] = xapi.store(body)
    stored = fetch(xapi, statement_id)
    assert stored["actor"]["name"] == "Zoë Ångström"
    assert stored["object"]["definition"]["name"] == {"de-DE": "Sicherheitsübung ✓"}


def test_timestamp_keeps_at_least_millisecond_precision(xapi):
    [statement_id] = xapi.store(statement(timestamp="2020-01-01T00:00:00.123456Z"))
    returned = when(fetch(xapi, statement_id)["timestamp"])
    assert returned.replace(microsecond=returned.microsecond // 1000 * 1000) == when(
        "2020-01-01T00:00:00.123Z"
    )


def test_batch_mixing_existing_equivalent_and_new_statements_stores_the_new_ones(xapi):
    existing = str(uuid.uuid4())
    xapi.store(statement("ann", id=existing))
    before = fetch(xapi, existing)
    response = xapi.post([statement("bob"), statement("ann", id=existing)])
    assert response.status_code == 200
    new_id, same_id = response.json
    assert same_id == existing
    assert fetch(xapi, new_id)["actor"] == agent("bob")
    assert fetch(xapi, existing) == before


def test_large_batch_keeps_order(xapi):
    batch = [statement(f"user{n}") for n in range(120)]
    ids = xapi.store(*batch)
    assert len(set(ids)) == 120
    for n in (0, 59, 119):
        assert fetch(xapi, ids[n])["actor"]["mbox"] == f"mailto:user{n}@example.com"


# The long example of xAPI Data Appendix A, as an LRS might receive it from another LRS.
LONG_EXAMPLE = {
    "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
    "actor": {
        "name": "Team PB",
        "mbox": "mailto:teampb@example.com",
        "member": [
            {
                "name": "Andrew Downes",
                "account": {"homePage": "http://www.example.com", "name": "13936749"},
                "objectType": "Agent",
            },
            {"name": "Toby Nichols", "openid": "http://toby.openid.example.org/"},
            {"name": "Ena Hills", "mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"},
        ],
        "objectType": "Group",
    },
    "verb": {
        "id": "http://adlnet.gov/expapi/verbs/attended",
        "display": {"en-GB": "attended", "en-US": "attended"},
    },
    "result": {
        "extensions": {"http://example.com/profiles/meetings/minuteslocation": "X:\\minutes"},
        "success": True,
        "completion": True,
        "response": "We agreed on some example actions.",
        "duration": "PT1H0M0S",
    },
    "context": {
        "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
        "contextActivities": {
            "parent": [{"id": "http://www.example.com/meetings/series/267"}],
            "category": [
                {
                    "id": "http://www.example.com/meetings/categories/teammeeting",
                    "objectType": "Activity",
                    "definition": {
                        "name": {"en": "team meeting"},
                        "type": "http://example.com/expapi/activities/meetingcategory",
                    },
                }
            ],
        },
        "instructor": {
            "name": "Andrew Downes",
            "account": {"homePage": "http://www.example.com", "name": "13936749"},
        },
        "team": {"name": "Team PB", "mbox": "mailto:teampb@example.com", "objectType": "Group"},
        "platform": "Example virtual meeting software",
        "language": "tlh",
        "statement": {"objectType": "StatementRef", "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"},
    },
    "timestamp": "2013-05-18T05:32:34.804+00:00",
    "stored": "2013-05-18T05:32:34.804+00:00",
    "authority": {
        "account": {"homePage": "http://cloud.scorm.com/", "name": "anonymous"},
        "objectType": "Agent",
    },
    "version": "1.0.0",
    "object": {
        "id": "http://www.example.com/meetings/occurances/34534",
        "definition": {
            "extensions": {"http://example.com/room": {"name": "Kilby", "id": "http://x.com/342"}},
            "name": {"en-GB": "example meeting", "en-US": "example meeting"},
            "type": "http://adlnet.gov/expapi/activities/meeting",
            "moreInfo": "http://virtualmeeting.example.com/345256",
        },
        "objectType": "Activity",
    },
}


def test_the_long_example_statement_of_the_spec_is_accepted_and_read_back(xapi):
    response = xapi.post(LONG_EXAMPLE)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json == [LONG_EXAMPLE["id"]]
    stored = fetch(xapi, LONG_EXAMPLE["id"])
    for key in ("verb", "result", "object"):
        assert stored[key] == LONG_EXAMPLE[key], key
    assert stored["context"]["registration"] == LONG_EXAMPLE["context"]["registration"]
    assert stored["context"]["statement"] == LONG_EXAMPLE["context"]["statement"]
    assert len(stored["actor"]["member"]) == 3
    assert stored["authority"] != LONG_EXAMPLE["authority"]
    assert when(stored["stored"]).year != 2013
    assert when(stored["timestamp"]) == when(LONG_EXAMPLE["timestamp"])
