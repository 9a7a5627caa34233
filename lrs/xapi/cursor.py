"""Opaque `more` tokens: the whole query and where its page ended, signed so it can't be forged.

The token carries everything needed to run the next page, so paging needs no server-side
state, survives restarts and lasts as long as the secret key (xAPI Data 2.5: at least 24 h).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import orjson

from statements.errors import BadRequest

_SIGNATURE_BYTES = 16


def encode(payload: dict[str, Any], secret: str) -> str:
    """A URL-safe token holding `payload`."""
    body = orjson.dumps(payload)
    signature = _sign(body, secret)
    return base64.urlsafe_b64encode(signature + body).decode().rstrip("=")


def decode(token: str, secret: str) -> dict[str, Any]:
    """The payload of a token made by `encode`; 400 for anything else."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        raise BadRequest("the 'more' token is malformed; use the 'more' IRL as returned") from None
    signature, body = raw[:_SIGNATURE_BYTES], raw[_SIGNATURE_BYTES:]
    if not hmac.compare_digest(signature, _sign(body, secret)):
        raise BadRequest("the 'more' token is not valid; use the 'more' IRL as returned")
    payload = orjson.loads(body)
    if not isinstance(payload, dict):
        raise BadRequest("the 'more' token is not valid; use the 'more' IRL as returned")
    return payload


def _sign(body: bytes, secret: str) -> bytes:
    return hmac.new(secret.encode(), body, hashlib.sha256).digest()[:_SIGNATURE_BYTES]
