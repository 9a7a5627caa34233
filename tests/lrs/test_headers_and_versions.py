"""Version header, Consistent-Through, Last-Modified, HEAD, CORS, content types, parameter
checks, request size and error bodies (Communication 1.1-1.5, 2.1.3, 3.2, 3.3)."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import orjson
import pytest

from config import Settings
from lrs.app import create_app
from lrs.context import state
from tests.factories import statement
from tests.xapi_client import new_credential

ACCEPTED = ["1.0", "1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.9", "1.0.10", " 1.0.3 "]
REJECTED = ["0.9", "0.95", "1.1.0", "1.1", "2.0.0", "2.0", "1", "abc", "1.0.x", "", "1.0.3.1"]
EXPOSED = [
    "ETag",
    "Last-Modified",
    "X-Experience-API-Consistent-Through",
    "X-Experience-API-Version",
]


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def assert_error_body(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type.startswith(("application/json", "application/problem+json"))
    body = response.json
    assert body["status"] == status
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    return body


def calls(xapi):
    """One call of each statement-resource method."""
    return {
        "GET": lambda **kw: xapi.get(**kw),
        "GET-single": lambda **kw: xapi.get({"statementId": str(uuid.uuid4())}, **kw),
        "POST": lambda **kw: xapi.post(statement(), **kw),
        "PUT": lambda **kw: xapi.put(str(uuid.uuid4()), statement(), **kw),
    }


@pytest.mark.parametrize("call", ["GET", "GET-single", "POST", "PUT"])
def test_missing_version_header_is_400_and_stores_nothing(xapi, call):
    xapi.headers = {}
    response = calls(xapi)[call]()
    assert_error_body(response, 400)
    xapi.headers = {"X-Experience-API-Version": "1.0.3"}
    assert xapi.get().json["statements"] == []


@pytest.mark.parametrize("version", REJECTED)
def test_unsupported_version_header_is_400(xapi, version):
    for call in calls(xapi).values():
        assert_error_body(call(headers={"X-Experience-API-Version": version}), 400)
    assert xapi.get().json["statements"] == []


@pytest.mark.parametrize("version", ACCEPTED)
def test_supported_version_headers_are_accepted(xapi, version):
    headers = {"X-Experience-API-Version": version}
    response = xapi.post(statement(), headers=headers)
    assert response.status_code == 200
    assert xapi.get(headers=headers).status_code == 200
    assert xapi.put(str(uuid.uuid4()), statement(), headers=headers).status_code == 204
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_every_statement_response_carries_version_and_consistent_through(app, db_session, xapi):
    [statement_id] = xapi.store(statement())
    writer = new_credential(app, scopes=["statements/write"], company=xapi.company)
    responses = [
        writer.get(),
        xapi.get(auth=("nobody", "nothing")),
        xapi.get(headers={"X-Experience-API-Version": "2.0.0"}),
        xapi.get(),
        xapi.get({"statementId": statement_id}),
        xapi.get({"statementId": str(uuid.uuid4())}),
        xapi.get({"voidedStatementId": statement_id}),
        xapi.post(statement()),
        xapi.put(str(uuid.uuid4()), statement()),
        xapi.put(statement_id, statement("bob")),
        xapi.get({"limit": "x"}),
        xapi.request("HEAD", "statements"),
    ]
    for response in responses:
        assert response.headers["X-Experience-API-Version"] == "1.0.3", response.status
        consistent = when(response.headers["X-Experience-API-Consistent-Through"])
        assert consistent.tzinfo is not None
        now = datetime.now(UTC)
        assert now - timedelta(minutes=5) < consistent <= now + timedelta(seconds=1)


def test_statements_stored_before_consistent_through_are_visible(settings, connection, db_session):
    eager = Settings(database_url=settings.database_url, consistency_lag_s=0.0)
    app = create_app(eager, bind=connection)
    state(app).make_session.configure(join_transaction_mode="create_savepoint")
    client = new_credential(app, scopes=["all"])
    [statement_id] = client.store(statement())
    response = client.get()
    consistent = when(response.headers["X-Experience-API-Consistent-Through"])
    assert when(response.json["statements"][0]["stored"]) <= consistent
    assert [s["id"] for s in response.json["statements"]] == [statement_id]


@pytest.mark.parametrize("status", [401, 403, 404, 409, 400])
def test_error_responses_carry_the_version_header_and_json_body(app, db_session, xapi, status):
    [statement_id] = xapi.store(statement())
    writer = new_credential(app, scopes=["statements/write"], company=xapi.company)
    response = {
        401: lambda: xapi.get(auth=("nobody", "nothing")),
        403: lambda: writer.get(),
        404: lambda: xapi.get({"statementId": str(uuid.uuid4())}),
        409: lambda: xapi.put(statement_id, statement("bob")),
        400: lambda: xapi.get({"nope": "1"}),
    }[status]()
    assert_error_body(response, status)


def test_validation_errors_list_paths(xapi):
    body = statement()
    body["actor"]["mbox"] = "not-a-mailto"
    error = assert_error_body(xapi.post(body), 400)
    assert error["errors"]
    assert all(isinstance(e["path"], str | list) for e in error["errors"])


def test_head_on_query_returns_headers_without_body(xapi):
    xapi.store(statement())
    get = xapi.get()
    head = xapi.request("HEAD", "statements")
    assert head.status_code == 200
    assert head.get_data() == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert "X-Experience-API-Consistent-Through" in head.headers


def test_head_applies_the_same_validation_as_get(xapi):
    assert xapi.request("HEAD", "statements", query_string={"limit": "x"}).status_code == 400
    xapi.headers = {}
    assert xapi.request("HEAD", "statements").status_code == 400


def test_cors_preflight_needs_no_credentials_or_version(xapi):
    response = xapi.client.open(
        "/xapi/statements",
        method="OPTIONS",
        headers={
            "Origin": "https://course.example.com",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "Authorization, Content-Type, "
            "X-Experience-API-Version, If-Match",
        },
    )
    assert response.status_code == 200
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    assert response.headers["Access-Control-Allow-Origin"] == "https://course.example.com"
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    for header in ("authorization", "content-type", "x-experience-api-version"):
        assert header in allowed


def test_cors_exposes_the_xapi_response_headers(xapi):
    [statement_id] = xapi.store(statement())
    response = xapi.get(
        {"statementId": statement_id}, headers={"Origin": "https://course.example.com"}
    )
    assert response.headers["Access-Control-Allow-Origin"] in ("*", "https://course.example.com")
    exposed = {
        h.strip().lower() for h in response.headers["Access-Control-Expose-Headers"].split(",")
    }
    assert {h.lower() for h in EXPOSED} <= exposed


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data"])
def test_json_body_with_wrong_content_type_is_400(xapi, content_type):
    data = orjson.dumps(statement())
    post = xapi.request("POST", "statements", data=data, content_type=content_type)
    assert_error_body(post, 400)
    put = xapi.request(
        "PUT",
        "statements",
        query_string={"statementId": str(uuid.uuid4())},
        data=data,
        content_type=content_type,
    )
    assert_error_body(put, 400)
    assert xapi.get().json["statements"] == []


def test_json_with_charset_parameter_is_accepted(xapi):
    data = orjson.dumps(statement())
    response = xapi.request(
        "POST", "statements", data=data, content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 200


def test_form_encoded_post_without_method_is_400(xapi):
    response = xapi.request(
        "POST", "statements", data={"content": orjson.dumps(statement()).decode()}
    )
    assert_error_body(response, 400)
    assert xapi.get().json["statements"] == []


@pytest.mark.parametrize("raw", [b"{", b"", b"{'a': 1}", b"\xff\xfe", b'{"actor": }'])
def test_malformed_json_is_400(xapi, raw):
    response = xapi.request("POST", "statements", data=raw, content_type="application/json")
    assert_error_body(response, 400)


@pytest.mark.parametrize(
    "params",
    [
        {"foo": "bar"},
        {"statementID": "x"},
        {"Verb": "http://adlnet.gov/expapi/verbs/completed"},
        {"LIMIT": "1"},
        {"relatedActivities": "true"},
        {"Ascending": "true"},
    ],
    ids=lambda p: next(iter(p)),
)
def test_unknown_or_wrongly_cased_query_parameters_are_400(xapi, params):
    assert_error_body(xapi.get(params), 400)


def test_unknown_parameters_on_post_and_put_are_400(xapi):
    statement_id = str(uuid.uuid4())
    response = xapi.request(
        "PUT",
        "statements",
        query_string={"statementId": statement_id, "foo": "1"},
        data=orjson.dumps(statement()),
        content_type="application/json",
    )
    assert_error_body(response, 400)
    response = xapi.request(
        "PUT",
        "statements",
        query_string={"StatementId": statement_id},
        data=orjson.dumps(statement()),
        content_type="application/json",
    )
    assert_error_body(response, 400)
    response = xapi.request(
        "POST",
        "statements",
        query_string={"verbose": "true"},
        data=orjson.dumps(statement()),
        content_type="application/json",
    )
    assert_error_body(response, 400)
    assert xapi.get().json["statements"] == []


def test_repeated_query_parameter_is_400(xapi):
    response = xapi.request("GET", "statements", query_string=[("limit", "1"), ("limit", "2")])
    assert_error_body(response, 400)


@pytest.fixture
def small_app(settings, connection):
    small = Settings(
        database_url=settings.database_url, statement_page_max=50, max_request_bytes=1000
    )
    app = create_app(small, bind=connection)
    state(app).make_session.configure(join_transaction_mode="create_savepoint")
    return app


def test_request_body_over_the_limit_is_413_and_stores_nothing(small_app, db_session):
    client = new_credential(small_app, scopes=["all"])
    big = statement(result={"response": "x" * 2000})
    assert_error_body(client.post(big), 413)
    assert_error_body(client.put(str(uuid.uuid4()), big), 413)
    assert client.get().json["statements"] == []
    assert client.post(statement()).status_code == 200


def test_unknown_method_on_statements_is_405_with_version_header(xapi):
    response = xapi.request("DELETE", "statements")
    assert response.status_code == 405
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_utf8_is_used_for_responses(xapi):
    body = statement()
    body["actor"]["name"] = "Łukasz Żółć"
    [statement_id] = xapi.store(body)
    response = xapi.get({"statementId": statement_id})
    assert "Łukasz Żółć".encode() in response.get_data()


def test_unknown_xapi_path_is_404_with_version_header(xapi):
    assert_error_body(xapi.request("GET", "no-such-resource"), 404)


def test_method_not_allowed_has_json_error_body(xapi):
    assert_error_body(xapi.request("PATCH", "statements"), 405)


@pytest.mark.parametrize("content_type", ["Application/JSON", "application/json;charset=UTF-8"])
def test_media_type_is_matched_case_insensitively(xapi, content_type):
    response = xapi.request(
        "POST", "statements", data=orjson.dumps(statement()), content_type=content_type
    )
    assert response.status_code == 200


def chunked_post(client, body: bytes):
    """A POST with a chunked body (no Content-Length), as a WSGI server passes it on."""
    return client.request(
        "POST",
        "statements",
        input_stream=io.BytesIO(body),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_body_over_the_limit_without_content_length_is_413(small_app, db_session):
    client = new_credential(small_app, scopes=["all"])
    assert chunked_post(client, orjson.dumps(statement())).status_code == 200
    big = orjson.dumps(statement("bob", result={"response": "x" * 5000}))
    assert_error_body(chunked_post(client, big), 413)
    assert len(client.get().json["statements"]) == 1


def test_alternate_syntax_body_over_the_limit_is_413(small_app, db_session):
    client = new_credential(small_app, scopes=["all"])
    form = {
        "X-Experience-API-Version": "1.0.3",
        "content": orjson.dumps(statement(result={"response": "x" * 2000})).decode(),
        "Content-Type": "application/json",
    }
    response = client.client.open(
        "/xapi/statements",
        method="POST",
        query_string={"method": "POST"},
        data=form,
        auth=(client.key, client.secret),
        content_type="application/x-www-form-urlencoded",
    )
    assert_error_body(response, 413)
    assert client.get().json["statements"] == []


def test_last_modified_of_a_statement_is_its_stored_time_on_get_and_head(xapi):
    [statement_id] = xapi.store(statement())
    get = xapi.get({"statementId": statement_id})
    head = xapi.request("HEAD", "statements", query_string={"statementId": statement_id})
    stored = when(get.json["stored"])
    for response in (get, head):
        last_modified = parsedate_to_datetime(response.headers["Last-Modified"])
        assert abs((last_modified - stored).total_seconds()) < 1


def test_nul_characters_are_refused_in_bodies_and_parameters(xapi):
    body = statement(result={"response": "a\u0000b"})
    response = xapi.post(body)
    assert response.status_code == 400
    assert "NUL" in response.json["detail"]
    assert xapi.get({"verb": "http://example.com/\u0000"}).status_code == 400
    assert xapi.get().json["statements"] == []


def test_unpaired_surrogates_are_refused_in_statements_and_documents(xapi):
    response = xapi.request(
        "POST",
        "statements",
        data=b'{"actor": {"mbox": "mailto:a@example.com"}, "verb": '
        b'{"id": "http://example.com/v"}, "object": {"id": "http://example.com/\\ud800"}}',
        content_type="application/json",
    )
    assert response.status_code == 400
    state = {"activityId": "http://example.com/a", "agent": '{"mbox": "mailto:a@example.com"}',
             "stateId": "s"}  # fmt: skip
    xapi.request("PUT", "activities/state", query_string=state, data=b'{"a": 1}',
                 content_type="application/json")  # fmt: skip
    merged = xapi.request("POST", "activities/state", query_string=state,
                          data=b'{"b": "\\udc00"}', content_type="application/json")  # fmt: skip
    assert merged.status_code == 400
    assert xapi.request("GET", "activities/state", query_string=state).json == {"a": 1}
    assert xapi.get().json["statements"] == []


def test_an_escaped_backslash_before_u0000_is_not_a_nul(xapi):
    assert xapi.post(statement(result={"response": "a\\u0000b"})).status_code == 200
