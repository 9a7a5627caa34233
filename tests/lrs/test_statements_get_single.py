"""GET /statements?statementId=... | voidedStatementId=... (xAPI Communication 2.1.3, 2.1.4)."""

from __future__ import annotations

import uuid
from datetime import datetime
from email.utils import parsedate_to_datetime

import pytest

from tests.factories import activity, agent, statement, voiding


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_get_by_statement_id_returns_the_statement_exactly_as_sent(xapi):
    body = statement(
        obj=activity("course/x", name={"en-US": "X", "fr-FR": "X fr"}),
        result={"score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10}, "duration": "PT1H"},
        context={"registration": str(uuid.uuid4()), "language": "en-US"},
    )
    body["verb"]["display"] = {"en-US": "completed", "de-DE": "abgeschlossen"}
    [statement_id] = xapi.store(body)
    response = xapi.get({"statementId": statement_id})
    assert response.status_code == 200
    assert response.content_type.startswith("application/json")
    returned = response.json
    for key in ("actor", "verb", "object", "result", "context"):
        assert returned[key] == body[key], key
    assert set(returned) == {*body, "id", "stored", "timestamp", "authority", "version"}


def test_get_unknown_statement_id_is_404_with_json_error(xapi):
    xapi.store(statement())
    response = xapi.get({"statementId": str(uuid.uuid4())})
    assert response.status_code == 404
    assert response.json["status"] == 404
    assert response.json["code"]
    assert response.json["detail"]


def test_get_unknown_voided_statement_id_is_404(xapi):
    assert xapi.get({"voidedStatementId": str(uuid.uuid4())}).status_code == 404


def test_get_voided_statement_id_of_a_statement_that_is_not_voided_is_404(xapi):
    [statement_id] = xapi.store(statement())
    assert xapi.get({"voidedStatementId": statement_id}).status_code == 404


def test_get_by_statement_id_is_case_insensitive_on_the_uuid(xapi):
    [statement_id] = xapi.store(statement())
    response = xapi.get({"statementId": statement_id.upper()})
    assert response.status_code == 200
    assert response.json["id"] == statement_id


@pytest.mark.parametrize("param", ["statementId", "voidedStatementId"])
@pytest.mark.parametrize("value", ["", "nope", "123e4567-e89b-12d3-a456"])
def test_malformed_ids_are_400(xapi, param, value):
    assert xapi.get({param: value}).status_code == 400


def test_statement_id_and_voided_statement_id_together_are_400(xapi):
    [target] = xapi.store(statement())
    xapi.store(voiding(target))
    [other] = xapi.store(statement("bob"))
    response = xapi.get({"statementId": other, "voidedStatementId": target})
    assert response.status_code == 400


@pytest.mark.parametrize("param", ["statementId", "voidedStatementId"])
@pytest.mark.parametrize(
    "extra",
    [
        {"verb": "http://adlnet.gov/expapi/verbs/completed"},
        {"agent": agent()},
        {"activity": activity()["id"]},
        {"registration": str(uuid.uuid4())},
        {"related_activities": "false"},
        {"related_agents": "false"},
        {"since": "2000-01-01T00:00:00Z"},
        {"until": "2999-01-01T00:00:00Z"},
        {"limit": "1"},
        {"ascending": "true"},
    ],
    ids=lambda extra: next(iter(extra)),
)
def test_single_statement_lookup_with_another_filter_is_400(xapi, param, extra):
    [target] = xapi.store(statement())
    xapi.store(voiding(target))
    [live] = xapi.store(statement("bob"))
    statement_id = live if param == "statementId" else target
    assert xapi.get({param: statement_id}).status_code == 200
    assert xapi.get({param: statement_id, **extra}).status_code == 400


@pytest.mark.parametrize("fmt", ["ids", "exact", "canonical"])
def test_single_statement_lookup_accepts_format_and_attachments_false(xapi, fmt):
    [statement_id] = xapi.store(statement())
    response = xapi.get({"statementId": statement_id, "format": fmt, "attachments": "false"})
    assert response.status_code == 200
    assert response.json["id"] == statement_id
    assert response.content_type.startswith("application/json")


def test_single_statement_lookup_with_unknown_format_is_400(xapi):
    [statement_id] = xapi.store(statement())
    assert xapi.get({"statementId": statement_id, "format": "full"}).status_code == 400


def test_single_statement_response_has_last_modified_equal_to_stored(xapi):
    [statement_id] = xapi.store(statement())
    response = xapi.get({"statementId": statement_id})
    last_modified = parsedate_to_datetime(response.headers["Last-Modified"])
    stored = when(response.json["stored"])
    assert abs((last_modified - stored).total_seconds()) < 1


def test_single_statement_response_has_consistent_through_header(xapi):
    [statement_id] = xapi.store(statement())
    response = xapi.get({"statementId": statement_id})
    assert when(response.headers["X-Experience-API-Consistent-Through"])


def test_voided_statement_lookup_returns_it_with_last_modified(xapi):
    [target] = xapi.store(statement())
    xapi.store(voiding(target))
    response = xapi.get({"voidedStatementId": target})
    assert response.status_code == 200
    assert response.json["id"] == target
    last_modified = parsedate_to_datetime(response.headers["Last-Modified"])
    assert abs((last_modified - when(response.json["stored"])).total_seconds()) < 1


def test_head_single_statement_returns_headers_without_body(xapi):
    [statement_id] = xapi.store(statement())
    get = xapi.get({"statementId": statement_id})
    head = xapi.request("HEAD", "statements", query_string={"statementId": statement_id})
    assert head.status_code == 200
    assert head.get_data() == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert head.headers["Last-Modified"] == get.headers["Last-Modified"]
    assert head.headers["X-Experience-API-Version"] == "1.0.3"
    assert "X-Experience-API-Consistent-Through" in head.headers


def test_head_unknown_statement_is_404_without_body(xapi):
    head = xapi.request("HEAD", "statements", query_string={"statementId": str(uuid.uuid4())})
    assert head.status_code == 404
    assert head.get_data() == b""


def test_voiding_statement_is_itself_reachable_by_statement_id(xapi):
    [target] = xapi.store(statement())
    [voiding_id] = xapi.store(voiding(target))
    response = xapi.get({"statementId": voiding_id})
    assert response.status_code == 200
    assert response.json["verb"]["id"] == "http://adlnet.gov/expapi/verbs/voided"


@pytest.mark.parametrize(
    "form",
    [lambda u: u.replace("-", ""), lambda u: "{" + u + "}", lambda u: "urn:uuid:" + u],
    ids=["no-hyphens", "braces", "urn"],
)
def test_non_canonical_uuid_forms_are_rejected(xapi, form):
    [statement_id] = xapi.store(statement())
    assert xapi.get({"statementId": form(statement_id)}).status_code == 400
    response = xapi.post(statement("bob", id=form(str(uuid.uuid4()))))
    assert response.status_code == 400
    assert xapi.get({"registration": form(str(uuid.uuid4()))}).status_code == 400
