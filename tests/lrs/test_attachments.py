"""Attachments over multipart/mixed (xAPI Communication 1.5.2, Data 2.4.11)."""

from __future__ import annotations

import email.policy
import hashlib
from email.parser import BytesParser

import orjson
from sqlalchemy import func, select

from statements.models import Attachment
from tests.factories import statement

BOUNDARY = "abcABC0123'()+_,-./:=?"
CERTIFICATE = b"%PDF-1.4 certificate\r\n\x00\xff binary\r\n--not-a-boundary\r\n"


def attachment_object(data: bytes, **extra: object) -> dict[str, object]:
    return {
        "usageType": "http://example.com/attachment-usage/certificate",
        "display": {"en-US": "Certificate"},
        "contentType": "application/pdf",
        "length": len(data),
        "sha2": hashlib.sha256(data).hexdigest(),
        **extra,
    }


def multipart_body(statements: object, *parts: bytes, hashes: list[str] | None = None) -> bytes:
    chunks = [
        f"--{BOUNDARY}\r\nContent-Type: application/json\r\n\r\n".encode(),
        orjson.dumps(statements),
    ]
    for index, data in enumerate(parts):
        sha2 = hashes[index] if hashes else hashlib.sha256(data).hexdigest()
        chunks.append(
            f"\r\n--{BOUNDARY}\r\nContent-Type: application/pdf\r\n"
            f"Content-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {sha2}\r\n\r\n".encode()
        )
        chunks.append(data)
    chunks.append(f"\r\n--{BOUNDARY}--".encode())
    return b"".join(chunks)


def post_multipart(xapi, body: bytes):
    return xapi.request(
        "POST", "statements", data=body, content_type=f'multipart/mixed; boundary="{BOUNDARY}"'
    )


def parse_multipart(response):
    message = BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {response.headers['Content-Type']}\r\n\r\n".encode() + response.data
    )
    return list(message.iter_parts())


def test_multipart_statement_with_attachment_is_stored_and_returned(xapi):
    stmt = statement(attachments=[attachment_object(CERTIFICATE)])
    response = post_multipart(xapi, multipart_body(stmt, CERTIFICATE))
    assert response.status_code == 200, response.json
    [statement_id] = response.json

    fetched = xapi.get({"statementId": statement_id, "attachments": "true"})
    assert fetched.status_code == 200
    assert fetched.mimetype == "multipart/mixed"
    first, second = parse_multipart(fetched)
    assert first.get_content_type() == "application/json"
    assert orjson.loads(first.get_payload(decode=True))["id"] == statement_id
    assert second.get_payload(decode=True) == CERTIFICATE
    assert second["X-Experience-API-Hash"] == hashlib.sha256(CERTIFICATE).hexdigest()
    assert second["Content-Transfer-Encoding"] == "binary"


def test_attachments_false_returns_json_without_data(xapi):
    stmt = statement(attachments=[attachment_object(CERTIFICATE)])
    [statement_id] = post_multipart(xapi, multipart_body(stmt, CERTIFICATE)).json
    fetched = xapi.get({"statementId": statement_id, "attachments": "false"})
    assert fetched.mimetype == "application/json"
    assert fetched.json["attachments"][0]["sha2"] == hashlib.sha256(CERTIFICATE).hexdigest()


def test_query_with_attachments_sends_each_attachment_once(xapi, db_session):
    stmts = [
        statement("ann", attachments=[attachment_object(CERTIFICATE)]),
        statement("bob", attachments=[attachment_object(CERTIFICATE)]),
    ]
    assert post_multipart(xapi, multipart_body(stmts, CERTIFICATE)).status_code == 200

    parts = parse_multipart(xapi.get({"attachments": "true"}))
    assert len(parts) == 2
    assert len(orjson.loads(parts[0].get_payload(decode=True))["statements"]) == 2
    stored = db_session.scalar(select(func.count()).select_from(Attachment))
    assert stored == 1


def test_attachment_without_part_or_file_url_is_rejected(xapi):
    stmt = statement(attachments=[attachment_object(CERTIFICATE)])
    response = post_multipart(xapi, multipart_body(stmt))
    assert response.status_code == 400
    assert response.json["errors"][0]["path"] == "attachments[0]"
    assert xapi.get().json["statements"] == []


def test_part_that_no_attachment_declares_is_rejected(xapi):
    response = post_multipart(xapi, multipart_body(statement(), CERTIFICATE))
    assert response.status_code == 400
    assert xapi.get().json["statements"] == []


def test_part_whose_content_does_not_match_its_hash_is_rejected(xapi):
    stmt = statement(attachments=[attachment_object(CERTIFICATE)])
    body = multipart_body(stmt, b"other bytes", hashes=[hashlib.sha256(CERTIFICATE).hexdigest()])
    response = post_multipart(xapi, body)
    assert response.status_code == 400
    assert "hash" in response.json["detail"]


def test_json_request_needs_file_url_for_every_attachment(xapi):
    response = xapi.post(statement(attachments=[attachment_object(CERTIFICATE)]))
    assert response.status_code == 400
    assert response.json["errors"][0]["path"] == "attachments[0]"


def test_json_request_with_file_url_attachments_is_accepted(xapi):
    stmt = statement(
        attachments=[attachment_object(CERTIFICATE, fileUrl="http://example.com/c.pdf")]
    )
    assert xapi.post(stmt).status_code == 200


def test_multipart_without_attachments_is_accepted(xapi):
    response = post_multipart(xapi, multipart_body([statement()]))
    assert response.status_code == 200
    assert len(response.json) == 1


def test_multipart_without_boundary_is_rejected(xapi):
    response = xapi.request(
        "POST", "statements", data=b"--x\r\n\r\n{}", content_type="multipart/mixed"
    )
    assert response.status_code == 400


def test_first_part_must_be_json(xapi):
    body = f"--{BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nhello\r\n--{BOUNDARY}--".encode()
    response = post_multipart(xapi, body)
    assert response.status_code == 400
    assert "application/json" in response.json["detail"]


def test_put_accepts_multipart_with_attachment(xapi):
    statement_id = "a3c1d3a2-4b1e-4d7e-9f10-2b6f0f0c1d2e"
    stmt = statement(attachments=[attachment_object(CERTIFICATE)])
    response = xapi.request(
        "PUT",
        "statements",
        query_string={"statementId": statement_id},
        data=multipart_body(stmt, CERTIFICATE),
        content_type=f'multipart/mixed; boundary="{BOUNDARY}"',
    )
    assert response.status_code == 204, response.json
    parts = parse_multipart(xapi.get({"statementId": statement_id, "attachments": "true"}))
    assert parts[1].get_payload(decode=True) == CERTIFICATE
