"""The 1.0.3 alternate request syntax: POST ?method=... with a form body (Communication 1.3)."""

from __future__ import annotations

import base64
import uuid

import orjson
import pytest

from tests.factories import COMPLETED, PASSED, agent, statement, voiding
from tests.xapi_client import new_credential


def auth_header(client) -> str:
    token = base64.b64encode(f"{client.key}:{client.secret}".encode()).decode()
    return f"Basic {token}"


def alternate(client, method: str, form: dict, *, with_headers: bool = True, query=None):
    """A cross-domain style request: no headers, everything in the form."""
    fields = dict(form)
    if with_headers:
        fields.setdefault("Authorization", auth_header(client))
        fields.setdefault("X-Experience-API-Version", "1.0.3")
    for key, value in list(fields.items()):
        if isinstance(value, dict | list):
            fields[key] = orjson.dumps(value).decode()
    return client.client.open(
        "/xapi/statements",
        method="POST",
        query_string=query if query is not None else {"method": method},
        data=fields,
        content_type="application/x-www-form-urlencoded",
    )


def content(body) -> dict:
    return {"content": orjson.dumps(body).decode(), "Content-Type": "application/json"}


def ids(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [s["id"] for s in response.json["statements"]]


def test_put_through_alternate_syntax_stores_the_statement(xapi):
    statement_id = str(uuid.uuid4())
    response = alternate(xapi, "PUT", {"statementId": statement_id, **content(statement())})
    assert response.status_code == 204
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    stored = xapi.get({"statementId": statement_id})
    assert stored.status_code == 200
    assert stored.json["actor"] == agent()
    assert "authority" in stored.json


def test_put_through_alternate_syntax_follows_conflict_rules(xapi):
    statement_id = str(uuid.uuid4())
    xapi.put(statement_id, statement())
    same = alternate(xapi, "PUT", {"statementId": statement_id, **content(statement())})
    assert same.status_code == 204
    different = alternate(
        xapi, "PUT", {"statementId": statement_id, **content(statement(verb=PASSED))}
    )
    assert different.status_code == 409
    assert xapi.get({"statementId": statement_id}).json["verb"]["id"] == COMPLETED


def test_put_through_alternate_syntax_without_statement_id_is_400(xapi):
    response = alternate(xapi, "PUT", content(statement()))
    assert response.status_code == 400
    assert xapi.get().json["statements"] == []


def test_post_through_alternate_syntax_stores_a_batch(xapi):
    response = alternate(xapi, "POST", content([statement("ann"), statement("bob")]))
    assert response.status_code == 200
    assert len(response.json) == 2
    assert set(ids(xapi.get())) == set(response.json)


def test_get_through_alternate_syntax_queries_with_form_fields_as_parameters(xapi):
    [passed] = xapi.store(statement("ann", PASSED))
    xapi.store(statement("bob", COMPLETED), statement("ann", COMPLETED))
    response = alternate(xapi, "GET", {"verb": PASSED, "agent": agent("ann")})
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    assert "X-Experience-API-Consistent-Through" in response.headers
    assert ids(response) == [passed]


def test_get_through_alternate_syntax_pages_with_more(xapi):
    stored = xapi.store(*[statement(f"user{n}") for n in range(3)])
    response = alternate(xapi, "GET", {"limit": "2"})
    assert len(ids(response)) == 2
    rest = xapi.client.open(
        response.json["more"], headers=xapi.headers, auth=(xapi.key, xapi.secret)
    )
    assert set(ids(response) + ids(rest)) == set(stored)


def test_get_single_statement_through_alternate_syntax(xapi):
    [statement_id] = xapi.store(statement())
    response = alternate(xapi, "GET", {"statementId": statement_id, "format": "ids"})
    assert response.status_code == 200
    assert response.json["id"] == statement_id
    assert "name" not in response.json["actor"]


def test_post_without_method_but_with_query_parameters_in_a_json_post_is_not_a_query(xapi):
    response = xapi.request(
        "POST",
        "statements",
        query_string={"verb": PASSED},
        data=orjson.dumps(statement()),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert xapi.get().json["statements"] == []


def test_other_query_parameters_besides_method_are_400(xapi):
    statement_id = str(uuid.uuid4())
    response = alternate(
        xapi,
        "PUT",
        content(statement()),
        query={"method": "PUT", "statementId": statement_id},
    )
    assert response.status_code == 400
    assert xapi.get({"statementId": statement_id}).status_code == 404


@pytest.mark.parametrize("method", ["PATCH", "CONNECT", ""])
def test_unsupported_method_value_is_rejected(xapi, method):
    response = alternate(xapi, method, content(statement()))
    assert response.status_code == 400
    assert "'method' must be one of GET, PUT, POST, DELETE" in response.json["detail"]
    assert xapi.get().json["statements"] == []


def test_alternate_delete_of_statements_is_refused_like_a_real_one(xapi):
    response = alternate(xapi, "DELETE", content(statement()))
    assert response.status_code == 405
    assert xapi.get().json["statements"] == []


def test_unknown_form_field_is_treated_as_unknown_query_parameter(xapi):
    response = alternate(xapi, "GET", {"colour": "blue"})
    assert response.status_code == 400
    wrong_case = alternate(xapi, "GET", {"Verb": PASSED})
    assert wrong_case.status_code == 400


def test_missing_version_in_form_and_headers_is_400(xapi):
    form = {"Authorization": auth_header(xapi), **content(statement())}
    response = alternate(xapi, "POST", form, with_headers=False)
    assert response.status_code == 400
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    assert xapi.get().json["statements"] == []


def test_unsupported_version_in_form_is_400(xapi):
    form = {"X-Experience-API-Version": "2.0.0", **content(statement())}
    assert alternate(xapi, "POST", form).status_code == 400


def test_missing_or_wrong_authorization_in_form_is_401(xapi):
    form = {"X-Experience-API-Version": "1.0.3", **content(statement())}
    assert alternate(xapi, "POST", form, with_headers=False).status_code == 401
    bad = {"Authorization": "Basic " + base64.b64encode(b"x:y").decode(), **form}
    response = alternate(xapi, "POST", bad, with_headers=False)
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers
    assert xapi.get().json["statements"] == []


def test_scopes_apply_to_alternate_syntax(app, db_session, xapi):
    reader = new_credential(app, scopes=["statements/read"], company=xapi.company)
    assert alternate(reader, "POST", content(statement())).status_code == 403
    writer = new_credential(app, scopes=["statements/write"], company=xapi.company)
    assert alternate(writer, "GET", {}).status_code == 403
    assert xapi.get().json["statements"] == []


def test_content_of_wrong_content_type_is_400(xapi):
    form = {"content": orjson.dumps(statement()).decode(), "Content-Type": "text/plain"}
    assert alternate(xapi, "POST", form).status_code == 400
    assert xapi.get().json["statements"] == []


def test_malformed_json_content_is_400(xapi):
    form = {"content": "{not json", "Content-Type": "application/json"}
    assert alternate(xapi, "POST", form).status_code == 400


def test_content_is_read_as_utf8(xapi):
    body = statement()
    body["actor"]["name"] = "Zoë 日本"
    statement_id = str(uuid.uuid4())
    assert alternate(xapi, "PUT", {"statementId": statement_id, **content(body)}).status_code == 204
    assert xapi.get({"statementId": statement_id}).json["actor"]["name"] == "Zoë 日本"


def test_invalid_statement_in_alternate_post_rejects_the_batch(xapi):
    bad = statement()
    bad["verb"] = {"id": "nope"}
    response = alternate(xapi, "POST", content([statement(), bad]))
    assert response.status_code == 400
    assert response.json["errors"]
    assert xapi.get().json["statements"] == []


def test_voiding_through_alternate_syntax(xapi):
    [target] = xapi.store(statement())
    assert alternate(xapi, "POST", content(voiding(target))).status_code == 200
    assert xapi.get({"statementId": target}).status_code == 404


def test_http_headers_still_work_with_alternate_syntax(xapi):
    response = xapi.client.open(
        "/xapi/statements",
        method="POST",
        query_string={"method": "GET"},
        data={"limit": "1"},
        content_type="application/x-www-form-urlencoded",
        headers=xapi.headers,
        auth=(xapi.key, xapi.secret),
    )
    assert response.status_code == 200
    assert response.json["statements"] == []


def test_appendix_c_cross_domain_put_example_works(xapi):
    body = (
        '{"id":"c70c2b85-c294-464f-baca-cebd4fb9b348","timestamp":"2014-12-29T12:09:37.468Z",'
        '"actor":{"objectType":"Agent","mbox":"mailto:example@example.com","name":"Test User"},'
        '"verb":{"id":"http://adlnet.gov/expapi/verbs/experienced",'
        '"display":{"en-US":"experienced"}},'
        '"object":{"id":"http://example.com/xAPI/activities/myactivity","objectType":"Activity"}}'
    )
    form = {
        "statementId": "c70c2b85-c294-464f-baca-cebd4fb9b348",
        "Authorization": auth_header(xapi),
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
        "Content-Length": str(len(body.encode())),
        "content": body,
    }
    response = alternate(xapi, "PUT", form, with_headers=False)
    assert response.status_code == 204, response.get_data(as_text=True)
    stored = xapi.get({"statementId": "c70c2b85-c294-464f-baca-cebd4fb9b348"}).json
    assert stored["actor"]["name"] == "Test User"


def test_if_match_and_if_none_match_form_fields_are_headers_not_parameters(xapi):
    form = {"If-None-Match": "*", "If-Match": '"abc"', "Content-Length": "0"}
    response = alternate(xapi, "GET", form)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["statements"] == []


def test_form_content_type_with_charset_is_accepted(xapi):
    fields = {
        "Authorization": auth_header(xapi),
        "X-Experience-API-Version": "1.0.3",
        **content(statement()),
    }
    response = xapi.client.open(
        "/xapi/statements",
        method="POST",
        query_string={"method": "POST"},
        data=fields,
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
    )
    assert response.status_code == 200
    assert len(ids(xapi.get())) == 1


def test_alternate_get_with_both_statement_ids_is_400(xapi):
    [statement_id] = xapi.store(statement())
    form = {"statementId": statement_id, "voidedStatementId": statement_id}
    assert alternate(xapi, "GET", form).status_code == 400
