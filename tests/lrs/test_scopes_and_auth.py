"""Authentication (Communication 4.0, 3.2) and xAPI scopes (4.2) on the Statement resource."""

from __future__ import annotations

import base64
import uuid

import orjson
import pytest

from statements.credentials import revoke_credential
from tests.factories import CredentialFactory, statement, voiding
from tests.xapi_client import XapiClient, new_credential


def ids(response) -> set[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {s["id"] for s in response.json["statements"]}


def assert_error(response, status: int) -> None:
    assert response.status_code == status
    assert response.json["status"] == status
    assert response.json["code"]
    assert response.json["detail"]
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def unauthorized(response) -> None:
    assert_error(response, 401)
    assert response.headers.get("WWW-Authenticate", "").lower().startswith("basic")


@pytest.fixture
def reader(app, db_session, xapi):
    return new_credential(app, scopes=["statements/read"], company=xapi.company)


@pytest.fixture
def writer(app, db_session, xapi):
    return new_credential(app, scopes=["statements/write"], company=xapi.company)


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "HEAD"])
def test_request_without_credentials_is_401_with_www_authenticate(xapi, method):
    response = xapi.request(
        method,
        "statements",
        auth=None,
        query_string={"statementId": str(uuid.uuid4())} if method == "PUT" else None,
        data=orjson.dumps(statement()) if method in ("POST", "PUT") else None,
        content_type="application/json",
    )
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers
    if method != "HEAD":
        unauthorized(response)
    assert xapi.get().json["statements"] == []


def test_wrong_secret_is_401_and_stores_nothing(xapi):
    response = xapi.post(statement(), auth=(xapi.key, xapi.secret + "x"))
    unauthorized(response)
    assert xapi.get().json["statements"] == []


def test_unknown_key_is_401(xapi):
    unauthorized(xapi.get(auth=("no-such-key", xapi.secret)))


@pytest.mark.parametrize(
    "header", ["Bearer abc", "Basic", "Basic !!!notbase64", "Basic " + "YWJj", "Digest x=y"]
)
def test_malformed_authorization_header_is_401(xapi, header):
    unauthorized(xapi.get(auth=None, headers={"Authorization": header}))


def test_a_credential_revoked_before_its_first_use_is_401(app, xapi):
    revoked = CredentialFactory(company_id=xapi.company.id, revoked=True, secret="s" * 32)
    client = XapiClient(app.test_client(), revoked.key, "s" * 32, xapi.company)
    response = client.get()
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="xAPI"'


def test_revoked_credential_is_401(app, db_session, xapi):
    other = new_credential(app, scopes=["all"], company=xapi.company)
    [statement_id] = other.store(statement())
    revoke_credential(db_session, other.key)
    unauthorized(other.get())
    unauthorized(other.post(statement()))
    assert ids(xapi.get()) == {statement_id}


def test_write_scope_may_post_and_put_but_not_read(writer, xapi):
    [posted] = writer.store(statement())
    put_id = str(uuid.uuid4())
    assert writer.put(put_id, statement("bob")).status_code == 204
    assert ids(xapi.get()) == {posted, put_id}
    assert_error(writer.get(), 403)
    assert_error(writer.get({"statementId": posted}), 403)
    assert_error(writer.get({"voidedStatementId": posted}), 403)


def test_read_scope_may_read_everything_of_the_company_but_not_write(reader, xapi):
    [mine] = xapi.store(statement())
    assert ids(reader.get()) == {mine}
    assert reader.get({"statementId": mine}).status_code == 200
    assert_error(reader.post(statement()), 403)
    statement_id = str(uuid.uuid4())
    assert_error(reader.put(statement_id, statement()), 403)
    assert ids(xapi.get()) == {mine}


def test_forbidden_voiding_changes_nothing(reader, xapi):
    [target] = xapi.store(statement())
    assert_error(reader.post(voiding(target)), 403)
    assert xapi.get({"statementId": target}).status_code == 200


@pytest.mark.parametrize("scopes", [["all/read"], ["all/read", "statements/read/mine"]])
def test_all_read_scope_reads_but_cannot_write(app, db_session, xapi, scopes):
    [stored] = xapi.store(statement())
    client = new_credential(app, scopes=scopes, company=xapi.company)
    assert ids(client.get()) == {stored}
    assert_error(client.post(statement()), 403)
    assert ids(xapi.get()) == {stored}


def test_all_scope_reads_and_writes(app, db_session, xapi):
    client = new_credential(app, scopes=["all"], company=xapi.company)
    [mine] = client.store(statement())
    [theirs] = xapi.store(statement())
    assert ids(client.get()) == {mine, theirs}


@pytest.mark.parametrize("scopes", [["state"], ["profile"], ["define"]])
def test_scopes_without_statement_access_are_403(app, db_session, xapi, scopes):
    client = new_credential(app, scopes=scopes, company=xapi.company)
    assert_error(client.get(), 403)
    assert_error(client.post(statement()), 403)
    assert_error(client.put(str(uuid.uuid4()), statement()), 403)
    assert xapi.get().json["statements"] == []


@pytest.fixture
def mine(app, db_session, xapi):
    return new_credential(
        app, scopes=["statements/write", "statements/read/mine"], company=xapi.company
    )


def test_read_mine_returns_only_statements_with_this_credentials_authority(mine, xapi):
    [own] = mine.store(statement("ann"))
    [others] = xapi.store(statement("ann"))
    assert ids(mine.get()) == {own}
    assert ids(xapi.get()) == {own, others}
    own_authority = xapi.get({"statementId": own}).json["authority"]
    assert mine.get({"statementId": own}).json["authority"] == own_authority


def test_read_mine_cannot_look_up_another_credentials_statement(mine, xapi):
    [others] = xapi.store(statement())
    assert mine.get({"statementId": others}).status_code == 404
    [voided] = xapi.store(statement())
    xapi.store(voiding(voided))
    assert mine.get({"voidedStatementId": voided}).status_code == 404


def test_read_mine_applies_to_every_filter(mine, xapi):
    registration = str(uuid.uuid4())
    [own] = mine.store(statement("ann", context={"registration": registration}))
    xapi.store(statement("ann", context={"registration": registration}))
    authority = xapi.get({"statementId": own}).json["authority"]
    for params in (
        {"agent": statement("ann")["actor"]},
        {"verb": statement()["verb"]["id"]},
        {"activity": statement()["object"]["id"]},
        {"registration": registration},
        {"agent": authority, "related_agents": "true"},
        {"since": "2000-01-01T00:00:00Z"},
        {"ascending": "true", "limit": 1},
    ):
        assert ids(mine.get(params)) == {own}, params


def test_read_mine_does_not_reach_other_statements_through_statement_refs(mine, xapi):
    [others] = xapi.store(statement("ann"))
    [own] = mine.store(statement("bob", obj={"objectType": "StatementRef", "id": others}))
    assert ids(mine.get({"agent": statement("ann")["actor"]})) == {own}


def test_read_mine_paging_never_shows_other_statements(mine, xapi):
    for n in range(3):
        mine.store(statement(f"own{n}"))
        xapi.store(statement(f"other{n}"))
    response = mine.get({"limit": 1})
    seen = [s["id"] for s in response.json["statements"]]
    while response.json["more"]:
        response = mine.client.open(
            response.json["more"], headers=mine.headers, auth=(mine.key, mine.secret)
        )
        seen += [s["id"] for s in response.json["statements"]]
    assert len(seen) == 3
    assert all(s["actor"]["name"].startswith("Own") for s in mine.get().json["statements"])


def test_read_mine_more_link_of_a_full_reader_is_not_usable(mine, xapi):
    xapi.store(statement("x"), statement("y"))
    more = xapi.get({"limit": 1}).json["more"]
    response = mine.client.open(more, headers=mine.headers, auth=(mine.key, mine.secret))
    assert response.status_code == 400
    assert response.json["detail"] == "this 'more' IRL belongs to another credential"


def test_other_credentials_of_the_same_company_share_statements(app, db_session, xapi):
    first = new_credential(app, scopes=["all"], company=xapi.company)
    second = new_credential(app, scopes=["all"], company=xapi.company)
    [a] = first.store(statement())
    [b] = second.store(statement())
    assert ids(first.get()) == ids(second.get()) == {a, b}
    assert (
        first.get({"statementId": b}).json["authority"]
        != second.get({"statementId": a}).json["authority"]
    )


@pytest.mark.parametrize("scheme", ["basic", "BASIC", "Basic"])
def test_basic_scheme_name_is_case_insensitive(xapi, scheme):
    token = base64.b64encode(f"{xapi.key}:{xapi.secret}".encode()).decode()
    response = xapi.get(auth=None, headers={"Authorization": f"{scheme} {token}"})
    assert response.status_code == 200


def test_read_mine_reaches_its_own_voided_statement_by_voided_id(mine):
    [own] = mine.store(statement())
    mine.store(voiding(own))
    assert mine.get({"statementId": own}).status_code == 404
    assert mine.get({"voidedStatementId": own}).status_code == 200
