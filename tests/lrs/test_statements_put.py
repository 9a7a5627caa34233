"""PUT /statements?statementId=... (xAPI Communication 2.1.1, Data 2.3.1, 2.4)."""

from __future__ import annotations

import uuid
from datetime import datetime

import orjson
import pytest

from tests.factories import EXPERIENCED, PASSED, activity, agent, statement, voiding

IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def fetch(xapi, statement_id):
    response = xapi.get({"statementId": statement_id})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def nothing_stored(xapi) -> bool:
    response = xapi.get()
    assert response.status_code == 200
    return response.json["statements"] == []


def test_put_stores_statement_and_answers_204_without_body(xapi):
    statement_id = str(uuid.uuid4())
    response = xapi.put(statement_id, statement())
    assert response.status_code == 204
    assert response.get_data() == b""
    stored = fetch(xapi, statement_id)
    assert stored["id"] == statement_id
    assert stored["actor"] == agent()
    assert stored["verb"]["id"] == statement()["verb"]["id"]
    assert stored["object"] == activity()


def test_put_statement_gets_lrs_set_stored_timestamp_authority_and_version(xapi):
    statement_id = str(uuid.uuid4())
    assert xapi.put(statement_id, statement()).status_code == 204
    stored = fetch(xapi, statement_id)
    assert "stored" in stored
    assert when(stored["timestamp"]) == when(stored["stored"])
    assert stored["version"] == "1.0.0"
    authority = stored["authority"]
    assert authority["objectType"] in ("Agent", "Group")
    if authority["objectType"] == "Agent":
        assert sum(1 for ifi in IFIS if ifi in authority) == 1


def test_put_with_matching_body_id_is_accepted(xapi):
    statement_id = str(uuid.uuid4())
    assert xapi.put(statement_id, statement(id=statement_id)).status_code == 204
    assert fetch(xapi, statement_id)["id"] == statement_id


def test_put_with_body_id_different_from_statement_id_is_400_and_stores_nothing(xapi):
    statement_id, other_id = str(uuid.uuid4()), str(uuid.uuid4())
    response = xapi.put(statement_id, statement(id=other_id))
    assert response.status_code == 400
    assert xapi.get({"statementId": statement_id}).status_code == 404
    assert xapi.get({"statementId": other_id}).status_code == 404
    assert nothing_stored(xapi)


def test_put_without_statement_id_is_400_and_stores_nothing(xapi):
    body = orjson.dumps(statement(id=str(uuid.uuid4())))
    response = xapi.request("PUT", "statements", data=body, content_type="application/json")
    assert response.status_code == 400
    assert nothing_stored(xapi)


@pytest.mark.parametrize(
    "bad_id", ["", "not-a-uuid", "12345", "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d0"]
)
def test_put_with_malformed_statement_id_is_400(xapi, bad_id):
    assert xapi.put(bad_id, statement()).status_code == 400
    assert nothing_stored(xapi)


def test_put_of_an_array_is_400(xapi):
    assert xapi.put(str(uuid.uuid4()), [statement()]).status_code == 400
    assert nothing_stored(xapi)


def test_put_of_invalid_statement_is_400_with_error_paths_and_stores_nothing(xapi):
    body = statement()
    del body["verb"]
    statement_id = str(uuid.uuid4())
    response = xapi.put(statement_id, body)
    assert response.status_code == 400
    assert response.json["errors"], response.json
    assert all("path" in error for error in response.json["errors"])
    assert xapi.get({"statementId": statement_id}).status_code == 404


def test_put_overwrites_client_supplied_stored(xapi):
    statement_id = str(uuid.uuid4())
    body = statement(stored="2001-01-01T00:00:00.000Z")
    assert xapi.put(statement_id, body).status_code == 204
    stored = fetch(xapi, statement_id)
    assert when(stored["stored"]).year != 2001


def test_put_overwrites_client_supplied_authority(xapi):
    forged = {"objectType": "Agent", "mbox": "mailto:boss@example.com", "name": "Boss"}
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    assert xapi.put(first, statement(authority=forged)).status_code == 204
    assert xapi.put(second, statement()).status_code == 204
    authority = fetch(xapi, first)["authority"]
    assert authority != forged
    assert authority == fetch(xapi, second)["authority"]


def test_put_keeps_supplied_timestamp(xapi):
    statement_id = str(uuid.uuid4())
    body = statement(timestamp="2020-05-06T07:08:09.123+02:00")
    assert xapi.put(statement_id, body).status_code == 204
    stored = fetch(xapi, statement_id)
    assert when(stored["timestamp"]) == when("2020-05-06T05:08:09.123Z")
    assert when(stored["stored"]) != when(stored["timestamp"])


def test_put_keeps_a_supplied_1_0_x_version(xapi):
    statement_id = str(uuid.uuid4())
    assert xapi.put(statement_id, statement(version="1.0.3")).status_code == 204
    assert fetch(xapi, statement_id)["version"] == "1.0.3"


@pytest.mark.parametrize("version", ["1.1.0", "2.0.0", "0.95", "1", "1.0.x"])
def test_put_with_unsupported_statement_version_is_400(xapi, version):
    statement_id = str(uuid.uuid4())
    assert xapi.put(statement_id, statement(version=version)).status_code == 400
    assert xapi.get({"statementId": statement_id}).status_code == 404


def test_put_of_equivalent_statement_again_is_204_and_changes_nothing(xapi):
    statement_id = str(uuid.uuid4())
    assert xapi.put(statement_id, statement()).status_code == 204
    before = fetch(xapi, statement_id)
    assert xapi.put(statement_id, statement()).status_code == 204
    assert fetch(xapi, statement_id) == before
    assert len(xapi.get().json["statements"]) == 1


def test_put_of_equivalent_statement_differing_only_in_ignored_properties_is_204(xapi):
    statement_id = str(uuid.uuid4())
    original = statement(
        timestamp="2020-01-01T10:00:00.000Z",
        obj=activity(name={"en-US": "Safety"}),
        actor="ann",
    )
    assert xapi.put(statement_id, original).status_code == 204
    before = fetch(xapi, statement_id)
    resent = statement(
        timestamp="2020-01-01T12:00:00.000+02:00",  # same instant, other zone
        obj=activity(name={"en-US": "Safety (renamed)"}),  # definition is not compared
        version="1.0.0",
        authority={"objectType": "Agent", "mbox": "mailto:x@example.com"},
        stored="2000-01-01T00:00:00Z",
    )
    resent["verb"]["display"] = {"en-US": "finished"}  # display is not compared
    resent["actor"]["mbox"] = "mailto:ann@EXAMPLE.COM"  # email domain is case-insensitive
    response = xapi.put(statement_id, resent)
    assert response.status_code == 204
    after = fetch(xapi, statement_id)
    assert after["stored"] == before["stored"]
    assert after["verb"] == before["verb"]
    assert after["object"] == before["object"]


def test_put_of_equivalent_group_with_members_reordered_is_204(xapi):
    group = {
        "objectType": "Group",
        "member": [agent("ann"), agent("bob")],
    }
    statement_id = str(uuid.uuid4())
    first = statement()
    first["actor"] = group
    assert xapi.put(statement_id, first).status_code == 204
    second = statement()
    second["actor"] = {"objectType": "Group", "member": [agent("bob"), agent("ann")]}
    assert xapi.put(statement_id, second).status_code == 204


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda s: s.update(statement(verb=PASSED)), id="verb"),
        pytest.param(lambda s: s.update(actor=agent("bob")), id="actor"),
        pytest.param(lambda s: s.update(object=activity("other")), id="object"),
        pytest.param(lambda s: s.update(result={"success": False}), id="result"),
        pytest.param(lambda s: s.update(result={"duration": "PT60M"}), id="duration-as-string"),
        pytest.param(lambda s: s.update(context={"registration": str(uuid.uuid4())}), id="context"),
    ],
)
def test_put_of_a_different_statement_with_existing_id_is_409_and_keeps_original(xapi, change):
    statement_id = str(uuid.uuid4())
    original = statement(result={"duration": "PT1H", "success": True})
    assert xapi.put(statement_id, original).status_code == 204
    before = fetch(xapi, statement_id)
    different = statement(result={"duration": "PT1H", "success": True})
    change(different)
    response = xapi.put(statement_id, different)
    assert response.status_code == 409
    assert response.json["status"] == 409
    assert fetch(xapi, statement_id) == before


def test_put_conflict_does_not_update_activity_definition(xapi):
    statement_id = str(uuid.uuid4())
    original = statement(obj=activity("course/x", name={"en-US": "Original"}))
    assert xapi.put(statement_id, original).status_code == 204
    conflicting = statement("zed", EXPERIENCED, activity("course/x", name={"en-US": "Changed"}))
    assert xapi.put(statement_id, conflicting).status_code == 409
    canonical = xapi.get({"statementId": statement_id, "format": "canonical"}).json
    assert canonical["object"]["definition"]["name"] == {"en-US": "Original"}


def test_put_of_a_statement_with_the_id_of_a_posted_statement_follows_same_rules(xapi):
    [statement_id] = xapi.store(statement())
    assert xapi.put(statement_id, statement()).status_code == 204
    assert xapi.put(statement_id, statement(verb=PASSED)).status_code == 409


def test_put_of_a_voiding_statement_voids_its_target(xapi):
    [target] = xapi.store(statement())
    voiding_id = str(uuid.uuid4())
    assert xapi.put(voiding_id, voiding(target)).status_code == 204
    assert xapi.get({"statementId": target}).status_code == 404
    assert xapi.get({"voidedStatementId": target}).status_code == 200
    assert fetch(xapi, voiding_id)["object"] == {"objectType": "StatementRef", "id": target}


def test_put_response_carries_version_and_consistent_through_headers(xapi):
    response = xapi.put(str(uuid.uuid4()), statement())
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    assert "X-Experience-API-Consistent-Through" in response.headers


def test_putting_back_a_fetched_statement_with_lrs_set_properties_is_204(xapi):
    statement_id = str(uuid.uuid4())
    assert xapi.put(statement_id, statement()).status_code == 204
    fetched = fetch(xapi, statement_id)
    assert xapi.put(statement_id, fetched).status_code == 204
    assert fetch(xapi, statement_id) == fetched


def test_put_of_equivalent_statement_with_reordered_extension_keys_is_204(xapi):
    statement_id = str(uuid.uuid4())
    ext = {"http://example.com/a": {"x": 1, "y": [1, 2]}, "http://example.com/b": "two"}
    assert xapi.put(statement_id, statement(result={"extensions": ext})).status_code == 204
    reordered = {
        "http://example.com/b": "two",
        "http://example.com/a": {"y": [1, 2], "x": 1},
    }
    assert xapi.put(statement_id, statement(result={"extensions": reordered})).status_code == 204


def test_put_with_uppercase_statement_id_matches_lowercase_body_id(xapi):
    statement_id = str(uuid.uuid4())
    response = xapi.put(statement_id.upper(), statement(id=statement_id))
    assert response.status_code == 204
    assert fetch(xapi, statement_id)["id"].lower() == statement_id


def test_put_with_empty_body_is_400(xapi):
    statement_id = str(uuid.uuid4())
    response = xapi.request(
        "PUT",
        "statements",
        query_string={"statementId": statement_id},
        data=b"",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert xapi.get({"statementId": statement_id}).status_code == 404


def test_put_of_voiding_statement_with_non_statement_ref_object_is_400(xapi):
    statement_id = str(uuid.uuid4())
    body = statement(verb="http://adlnet.gov/expapi/verbs/voided", obj=activity())
    assert xapi.put(statement_id, body).status_code == 400
    assert xapi.get({"statementId": statement_id}).status_code == 404


def test_putting_back_a_fetched_statement_with_normalised_context_activities_is_204(xapi):
    statement_id = str(uuid.uuid4())
    body = statement(
        obj=activity("course/x"),
        context={"contextActivities": {"parent": activity("program")}},
    )
    assert xapi.put(statement_id, body).status_code == 204
    fetched = fetch(xapi, statement_id)
    assert fetched["context"]["contextActivities"]["parent"] == [activity("program")]
    assert xapi.put(statement_id, fetched).status_code == 204
    assert xapi.put(statement_id, body).status_code == 204


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"result": {"duration": "PT1.001S"}}, {"result": {"duration": "PT1.004S"}}),
        ({"context": {"language": "en-US"}}, {"context": {"language": "en-us"}}),
        (
            {"context": {"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7"}},
            {"context": {"registration": "EC531277-B57B-4C15-8D91-D292C5B2B8F7"}},
        ),
    ],
    ids=["sub-hundredth-duration", "language-tag-case", "uuid-case"],
)
def test_put_treats_differences_the_spec_ignores_as_equivalent(xapi, first, second):
    statement_id = str(uuid.uuid4())
    assert xapi.put(statement_id, statement(**first)).status_code == 204
    before = fetch(xapi, statement_id)
    assert xapi.put(statement_id, statement(**second)).status_code == 204
    assert fetch(xapi, statement_id) == before


def test_put_with_durations_differing_by_a_hundredth_is_409(xapi):
    statement_id = str(uuid.uuid4())
    assert xapi.put(statement_id, statement(result={"duration": "PT1.01S"})).status_code == 204
    response = xapi.put(statement_id, statement(result={"duration": "PT1.02S"}))
    assert response.status_code == 409
