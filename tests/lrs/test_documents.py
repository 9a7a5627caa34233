"""State, Activity Profile and Agent Profile resources (xAPI Communication 2.2-2.7, 3.1)."""

from __future__ import annotations

import hashlib
import time

import orjson
import pytest

from tests.factories import agent
from tests.xapi_client import new_credential

ACTIVITY = "http://example.com/course/safety"
AGENT = agent("ann")
REGISTRATION = "0b1c9d6e-7f2a-4b3c-8d4e-5f6a7b8c9d0e"


def state_params(**extra: str) -> dict[str, str]:
    return {"activityId": ACTIVITY, "agent": orjson.dumps(AGENT).decode(), **extra}


def put(xapi, path, params, body, content_type="application/json", **headers):
    return xapi.request(
        "PUT", path, query_string=params, data=body, content_type=content_type, headers=headers
    )


def post(xapi, path, params, body, content_type="application/json", **headers):
    return xapi.request(
        "POST", path, query_string=params, data=body, content_type=content_type, headers=headers
    )


def get(xapi, path, params, **headers):
    return xapi.request("GET", path, query_string=params, headers=headers)


def delete(xapi, path, params, **headers):
    return xapi.request("DELETE", path, query_string=params, headers=headers)


def test_state_round_trips_bytes_content_type_and_etag(xapi):
    body = b"\x00\x01binary bookmark\xff"
    assert (
        put(
            xapi,
            "activities/state",
            state_params(stateId="bookmark"),
            body,
            "application/octet-stream",
        ).status_code
        == 204
    )
    response = get(xapi, "activities/state", state_params(stateId="bookmark"))
    assert response.status_code == 200
    assert response.data == body
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["ETag"] == f'"{hashlib.sha1(body).hexdigest()}"'
    assert "Last-Modified" in response.headers


def test_missing_document_is_404(xapi):
    assert get(xapi, "activities/state", state_params(stateId="nothing")).status_code == 404


def test_registration_is_part_of_the_state_key(xapi):
    put(xapi, "activities/state", state_params(stateId="s"), b'{"a":1}')
    put(xapi, "activities/state", state_params(stateId="s", registration=REGISTRATION), b'{"a":2}')
    assert get(xapi, "activities/state", state_params(stateId="s")).json == {"a": 1}
    assert get(
        xapi, "activities/state", state_params(stateId="s", registration=REGISTRATION)
    ).json == {"a": 2}


def test_agent_is_matched_by_identifier_not_by_name(xapi):
    put(xapi, "activities/state", state_params(stateId="s"), b'{"a":1}')
    renamed = {"mbox": AGENT["mbox"], "name": "Someone Else"}
    response = get(
        xapi,
        "activities/state",
        {"activityId": ACTIVITY, "agent": orjson.dumps(renamed).decode(), "stateId": "s"},
    )
    assert response.json == {"a": 1}


def test_post_merges_top_level_properties_of_json_objects(xapi):
    params = state_params(stateId="vars")
    put(xapi, "activities/state", params, b'{"x":"foo","y":"bar"}')
    assert post(xapi, "activities/state", params, b'{"x":"bash","z":"faz"}').status_code == 204
    assert get(xapi, "activities/state", params).json == {"x": "bash", "y": "bar", "z": "faz"}


def test_post_stores_the_document_when_there_is_none(xapi):
    params = state_params(stateId="new")
    assert post(xapi, "activities/state", params, b'{"x":1}').status_code == 204
    assert get(xapi, "activities/state", params).json == {"x": 1}


@pytest.mark.parametrize(
    ("stored", "stored_type", "posted", "posted_type"),
    [
        (b"plain", "text/plain", b'{"x":1}', "application/json"),
        (b'{"x":1}', "application/json", b"plain", "text/plain"),
        (b"[1,2]", "application/json", b'{"x":1}', "application/json"),
        (b'{"x":1}', "application/json", b"not json", "application/json"),
    ],
)
def test_post_merge_needs_json_objects_on_both_sides(
    xapi, stored, stored_type, posted, posted_type
):
    params = state_params(stateId="doc")
    put(xapi, "activities/state", params, stored, stored_type)
    assert post(xapi, "activities/state", params, posted, posted_type).status_code == 400
    assert get(xapi, "activities/state", params).data == stored


def test_state_ids_are_listed_with_since_and_registration(xapi):
    put(xapi, "activities/state", state_params(stateId="a"), b"1")
    put(xapi, "activities/state", state_params(stateId="b", registration=REGISTRATION), b"2")
    listed = get(xapi, "activities/state", state_params())
    assert listed.status_code == 200
    assert sorted(listed.json) == ["a", "b"]
    assert "Last-Modified" in listed.headers
    assert get(xapi, "activities/state", state_params(registration=REGISTRATION)).json == ["b"]
    assert get(xapi, "activities/state", state_params(since="2999-01-01T00:00:00Z")).json == []


def test_since_is_exclusive_of_the_update_time(xapi):
    put(xapi, "activities/state", state_params(stateId="a"), b"1")
    updated = get(xapi, "activities/state", state_params(stateId="a")).headers["Last-Modified"]
    assert updated
    time.sleep(0.01)
    listed = get(xapi, "activities/state", state_params(since="2000-01-01T00:00:00Z")).json
    assert listed == ["a"]


def test_delete_all_states_of_a_context(xapi):
    put(xapi, "activities/state", state_params(stateId="a"), b"1")
    put(xapi, "activities/state", state_params(stateId="b", registration=REGISTRATION), b"2")
    assert (
        delete(xapi, "activities/state", state_params(registration=REGISTRATION)).status_code == 204
    )
    assert get(xapi, "activities/state", state_params()).json == ["a"]
    assert delete(xapi, "activities/state", state_params()).status_code == 204
    assert get(xapi, "activities/state", state_params()).json == []


def test_delete_single_state(xapi):
    params = state_params(stateId="a")
    put(xapi, "activities/state", params, b"1")
    deleted = delete(xapi, "activities/state", params)
    assert deleted.status_code == 204
    assert "Content-Type" not in deleted.headers
    assert get(xapi, "activities/state", params).status_code == 404


def test_state_put_without_preconditions_replaces(xapi):
    params = state_params(stateId="a")
    put(xapi, "activities/state", params, b"1", "text/plain")
    assert put(xapi, "activities/state", params, b"2", "text/plain").status_code == 204
    assert get(xapi, "activities/state", params).data == b"2"


@pytest.mark.parametrize(
    ("missing", "params"),
    [
        ("activityId", {"agent": orjson.dumps(AGENT).decode(), "stateId": "a"}),
        ("agent", {"activityId": ACTIVITY, "stateId": "a"}),
    ],
)
def test_state_requires_activity_and_agent(xapi, missing, params):
    response = put(xapi, "activities/state", params, b"1")
    assert response.status_code == 400
    assert missing in response.json["detail"]


@pytest.mark.parametrize(
    "params",
    [
        {"activityId": "not an iri", "agent": orjson.dumps(AGENT).decode(), "stateId": "a"},
        {"activityId": ACTIVITY, "agent": '{"name": "no identifier"}', "stateId": "a"},
        {
            "activityId": ACTIVITY,
            "agent": orjson.dumps(AGENT).decode(),
            "stateId": "a",
            "registration": "nope",
        },
        {"activityId": ACTIVITY, "agent": orjson.dumps(AGENT).decode(), "stateid": "a"},
    ],
)
def test_state_parameters_are_validated(xapi, params):
    assert put(xapi, "activities/state", params, b"1").status_code == 400


def create_profile(xapi, path, params, body, content_type="application/json"):
    response = put(xapi, path, params, body, content_type, **{"If-None-Match": "*"})
    assert response.status_code == 204, response.json


def test_profile_put_without_any_precondition_is_400(xapi):
    params = {"activityId": ACTIVITY, "profileId": "p"}
    response = put(xapi, "activities/profile", params, b'{"v":1}')
    assert response.status_code == 400
    assert "If-None-Match" in response.json["detail"]
    assert get(xapi, "activities/profile", params).status_code == 404


def test_post_of_invalid_json_is_400_even_for_a_new_document(xapi):
    params = {"activityId": ACTIVITY, "profileId": "p"}
    assert post(xapi, "activities/profile", params, b'{"a":1}[').status_code == 400
    assert get(xapi, "activities/profile", params).status_code == 404


def test_activity_profile_put_of_existing_document_needs_a_precondition(xapi):
    params = {"activityId": ACTIVITY, "profileId": "p"}
    create_profile(xapi, "activities/profile", params, b'{"v":1}')
    conflict = put(xapi, "activities/profile", params, b'{"v":2}')
    assert conflict.status_code == 409
    assert "If-Match" in conflict.json["detail"]
    assert get(xapi, "activities/profile", params).json == {"v": 1}


def test_if_match_with_current_etag_replaces_and_stale_etag_is_412(xapi):
    params = {"activityId": ACTIVITY, "profileId": "p"}
    create_profile(xapi, "activities/profile", params, b'{"v":1}')
    etag = get(xapi, "activities/profile", params).headers["ETag"]
    assert (
        put(xapi, "activities/profile", params, b'{"v":2}', **{"If-Match": etag}).status_code == 204
    )
    stale = put(xapi, "activities/profile", params, b'{"v":3}', **{"If-Match": etag})
    assert stale.status_code == 412
    assert get(xapi, "activities/profile", params).json == {"v": 2}


def test_if_none_match_star_only_creates(xapi):
    params = {"activityId": ACTIVITY, "profileId": "p"}
    assert (
        put(
            xapi, "activities/profile", params, b"1", "text/plain", **{"If-None-Match": "*"}
        ).status_code
        == 204
    )
    assert (
        put(
            xapi, "activities/profile", params, b"2", "text/plain", **{"If-None-Match": "*"}
        ).status_code
        == 412
    )
    assert get(xapi, "activities/profile", params).data == b"1"


def test_if_match_on_missing_document_is_412(xapi):
    params = {"activityId": ACTIVITY, "profileId": "p"}
    assert put(xapi, "activities/profile", params, b"1", **{"If-Match": '"abc"'}).status_code == 412


def test_post_and_delete_honour_if_match(xapi):
    params = {"activityId": ACTIVITY, "profileId": "p"}
    create_profile(xapi, "activities/profile", params, b'{"a":1}')
    assert (
        post(xapi, "activities/profile", params, b'{"b":2}', **{"If-Match": '"stale"'}).status_code
        == 412
    )
    assert delete(xapi, "activities/profile", params, **{"If-Match": '"stale"'}).status_code == 412
    etag = get(xapi, "activities/profile", params).headers["ETag"]
    assert delete(xapi, "activities/profile", params, **{"If-Match": etag}).status_code == 204
    assert get(xapi, "activities/profile", params).status_code == 404


def test_activity_profile_ids_are_listed(xapi):
    create_profile(xapi, "activities/profile", {"activityId": ACTIVITY, "profileId": "one"}, b"1")
    create_profile(xapi, "activities/profile", {"activityId": ACTIVITY, "profileId": "two"}, b"2")
    assert get(xapi, "activities/profile", {"activityId": ACTIVITY}).json == ["one", "two"]


def test_agent_profile_round_trip_and_listing(xapi):
    params = {"agent": orjson.dumps(AGENT).decode(), "profileId": "prefs"}
    create_profile(xapi, "agents/profile", params, b'{"lang":"de"}')
    assert get(xapi, "agents/profile", params).json == {"lang": "de"}
    assert get(xapi, "agents/profile", {"agent": params["agent"]}).json == ["prefs"]


def test_profile_delete_without_id_is_400(xapi):
    assert (
        delete(xapi, "agents/profile", {"agent": orjson.dumps(AGENT).decode()}).status_code == 400
    )


def test_since_with_a_document_id_is_400(xapi):
    params = state_params(stateId="a", since="2020-01-01T00:00:00Z")
    assert get(xapi, "activities/state", params).status_code == 400


def test_document_scopes(app, db_session):
    reader = new_credential(app, scopes=["statements/read"])
    assert put(reader, "activities/state", state_params(stateId="a"), b"1").status_code == 403
    state_only = new_credential(app, scopes=["state"], company=reader.company)
    assert put(state_only, "activities/state", state_params(stateId="a"), b"1").status_code == 204
    assert (
        put(
            state_only, "activities/profile", {"activityId": ACTIVITY, "profileId": "p"}, b"1"
        ).status_code
        == 403
    )
    all_read = new_credential(app, scopes=["all/read"], company=reader.company)
    assert get(all_read, "activities/state", state_params(stateId="a")).data == b"1"
    assert put(all_read, "activities/state", state_params(stateId="a"), b"2").status_code == 403


def test_documents_are_isolated_between_companies(app, db_session, xapi):
    put(xapi, "activities/state", state_params(stateId="a"), b"1")
    create_profile(xapi, "activities/profile", {"activityId": ACTIVITY, "profileId": "p"}, b"1")
    other = new_credential(app, scopes=["all"])
    assert get(other, "activities/state", state_params(stateId="a")).status_code == 404
    assert get(other, "activities/state", state_params()).json == []
    assert get(other, "activities/profile", {"activityId": ACTIVITY}).json == []
    create_profile(other, "activities/profile", {"activityId": ACTIVITY, "profileId": "p"}, b"2")
    assert get(xapi, "activities/profile", {"activityId": ACTIVITY, "profileId": "p"}).data == b"1"
