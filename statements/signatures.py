"""Signed statements (xAPI Data 2.6): a JWS over the statement, sent as an attachment.

The LRS checks what it can: the signature decodes as a JWS compact serialisation with an RS
algorithm, its payload is the statement it travels with, and, when the header carries an x5c
certificate chain, the chain links up and its first certificate's key verifies the signature.
That is a sanity check, not proof of authorship, as the specification says.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from statements.attachments import SIGNATURE_USAGE, AttachmentPart, declared_attachments
from statements.equivalence import equivalent
from statements.errors import FieldError, StatementInvalid

Json = Mapping[str, Any]
ALGORITHMS = ("RS256", "RS384", "RS512")

# Data 2.6: these three, and only these, are allowed; the library's defaults differ. Its size
# limits are raised too: an x5c chain outgrows 512 bytes of header, and a statement 128 kB.
_REGISTRY = jws.JWSRegistry(algorithms=list(ALGORITHMS))
_REGISTRY.max_header_length = 64 * 1024
_REGISTRY.max_payload_length = 16 * 1024 * 1024
SIGNATURE_CONTENT_TYPE = "application/octet-stream"


def verify_signatures(statements: Sequence[Json], parts: Sequence[AttachmentPart]) -> None:
    """Raise StatementInvalid (400) naming the first statement whose signature fails."""
    data = {part.sha2: part.content for part in parts}
    errors: list[FieldError] = []
    batch = len(statements) > 1
    for index, statement in enumerate(statements):
        for path, attachment in declared_attachments([statement]):
            if attachment["usageType"] != SIGNATURE_USAGE:
                continue
            full_path = f"[{index}].{path}" if batch else path
            problem = _signature_problem(
                statement, attachment, data.get(attachment["sha2"].lower())
            )
            if problem:
                errors.append(FieldError(full_path, problem))
    if errors:
        raise StatementInvalid(f"invalid signature: {errors[0].message}", errors)


def _signature_problem(statement: Json, attachment: Json, signature: bytes | None) -> str | None:
    if attachment["contentType"] != SIGNATURE_CONTENT_TYPE:
        return f"a signature attachment must have contentType {SIGNATURE_CONTENT_TYPE}"
    if signature is None:
        return "the signature must be sent as a multipart/mixed part"
    try:
        compact = jws.extract_compact(signature.strip(), registry=_REGISTRY)
    except (JoseError, ValueError, binascii.Error):
        return "the signature is not a JWS compact serialisation"
    header = compact.protected
    if header.get("alg") not in ALGORITHMS:
        return f"the signature algorithm must be one of {', '.join(ALGORITHMS)}"
    try:
        signed = orjson.loads(compact.payload)
    except orjson.JSONDecodeError:
        return "the signature payload is not JSON"
    if not isinstance(signed, dict) or not _same_statement(signed, statement):
        return "the signature payload is not the statement it is attached to"
    if "x5c" in header:
        return _certificate_problem(header["x5c"], signature.strip(), header["alg"])
    return None


def _same_statement(signed: Json, statement: Json) -> bool:
    if (
        "id" in signed
        and "id" in statement
        and str(signed["id"]).lower() != str(statement["id"]).lower()
    ):
        return False
    try:
        return equivalent(signed, statement)
    except (KeyError, TypeError, ValueError, AttributeError):
        return False  # a payload that is not even a statement


def _certificate_problem(chain: Any, signature: bytes, algorithm: str) -> str | None:
    if not isinstance(chain, list) or not chain or not all(isinstance(c, str) for c in chain):
        return "x5c must be a non-empty array of base64 certificates"
    try:
        certificates = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in chain]
    except (ValueError, binascii.Error):
        return "x5c holds a certificate that cannot be read"
    for issued, issuer in zip(certificates, certificates[1:], strict=False):
        try:
            issued.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            return "the x5c certificates do not form a chain"
    try:
        key = RSAKey.import_key(certificates[0].public_key())  # type: ignore[arg-type]
        jws.deserialize_compact(signature, key, algorithms=[algorithm], registry=_REGISTRY)
    except (JoseError, ValueError, TypeError):
        return "the signature does not verify with the x5c certificate's key"
    return None
