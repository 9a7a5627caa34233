"""Signed statements (xAPI Data 2.6): checked on arrival, 400 with the reason when wrong."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from joserfc import jws
from joserfc.jwk import OctKey, RSAKey

from tests.factories import statement
from tests.lrs.test_attachments import multipart_body, post_multipart

SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"


@pytest.fixture(scope="module")
def signer():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "course signer")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    der = certificate.public_bytes(serialization.Encoding.DER)
    return RSAKey.import_key(key), base64.b64encode(der).decode()


def signed_request(stmt, jws_text: bytes, content_type: str = "application/octet-stream"):
    signature_object = {
        "usageType": SIGNATURE_USAGE,
        "display": {"en-US": "Signature"},
        "contentType": content_type,
        "length": len(jws_text),
        "sha2": hashlib.sha256(jws_text).hexdigest(),
    }
    return multipart_body({**stmt, "attachments": [signature_object]}, jws_text)


def sign(payload: dict, key, header: dict) -> bytes:
    registry = jws.JWSRegistry(algorithms=["RS256", "RS384", "HS256"])
    return jws.serialize_compact(header, orjson.dumps(payload), key, registry=registry).encode()


def test_valid_signature_with_x5c_is_accepted(xapi, signer):
    key, certificate = signer
    stmt = statement(id="5b7c3a5e-1c7b-4f3a-9a55-7e1f2b9d0c11")
    body = signed_request(stmt, sign(stmt, key, {"alg": "RS256", "x5c": [certificate]}))
    response = post_multipart(xapi, body)
    assert response.status_code == 200, response.json
    assert response.json == [stmt["id"]]


def test_signature_without_x5c_is_accepted_when_payload_matches(xapi, signer):
    key, _certificate = signer
    stmt = statement()
    response = post_multipart(xapi, signed_request(stmt, sign(stmt, key, {"alg": "RS384"})))
    assert response.status_code == 200, response.json


def test_signature_over_a_different_statement_is_rejected(xapi, signer):
    key, certificate = signer
    stmt = statement()
    other = statement(actor="mallory")
    response = post_multipart(
        xapi, signed_request(stmt, sign(other, key, {"alg": "RS256", "x5c": [certificate]}))
    )
    assert response.status_code == 400
    assert "payload" in response.json["detail"]
    assert xapi.get().json["statements"] == []


def test_signature_with_hmac_algorithm_is_rejected(xapi):
    stmt = statement()
    token = sign(stmt, OctKey.import_key("s" * 32), {"alg": "HS256"})
    response = post_multipart(xapi, signed_request(stmt, token))
    assert response.status_code == 400
    assert "RS256" in response.json["detail"]


def test_signature_that_does_not_verify_with_its_certificate_is_rejected(xapi, signer):
    _key, certificate = signer
    other_key = RSAKey.generate_key(2048)
    stmt = statement()
    response = post_multipart(
        xapi, signed_request(stmt, sign(stmt, other_key, {"alg": "RS256", "x5c": [certificate]}))
    )
    assert response.status_code == 400
    assert "x5c" in response.json["detail"]


def test_signature_attachment_must_be_octet_stream(xapi, signer):
    key, _certificate = signer
    stmt = statement()
    body = signed_request(stmt, sign(stmt, key, {"alg": "RS256"}), content_type="text/plain")
    response = post_multipart(xapi, body)
    assert response.status_code == 400
    assert "application/octet-stream" in response.json["detail"]


def test_signature_that_is_not_a_jws_is_rejected(xapi):
    response = post_multipart(xapi, signed_request(statement(), b"not a signature"))
    assert response.status_code == 400
    assert response.json["errors"][0]["path"] == "attachments[0]"
