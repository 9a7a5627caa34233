"""Bearer tokens (JWT) for the HR API, checked with joserfc, the JOSE library of the Authlib
project (its `authlib.jose` module is deprecated in favour of it).

Which algorithm a token may use follows from the configured keys, never from the token: with
a shared secret only HS256, with public keys only RS256 and ES256. `alg: none` is never
accepted, and an RSA public key can never be used as an HMAC secret (algorithm confusion).
`exp`, `iat`, `nbf`, `iss` and `aud` are checked, and a token may be valid for no longer
than the configured session timeout (LRS_JWT_MAX_HOURS): a stolen token stops working within
hours, not years.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OctKey

from config import Settings
from lrs.problems import Unauthorized
from statements.errors import BadRequest

ASYMMETRIC = ("RS256", "ES256")
LEEWAY_S = 30


class InvalidToken(Unauthorized):
    """The bearer token is missing, malformed, expired or not signed by a trusted key."""

    code = "invalid_token"
    challenge = 'Bearer realm="hr-api"'


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a valid token says the caller is."""

    user_id: uuid.UUID
    company_id: uuid.UUID


class TokenVerifier:
    """Checks tokens against the configured secret or public keys."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._secret = OctKey.import_key(settings.jwt_secret) if settings.jwt_secret else None
        self._keys: KeySet | None = None
        self._keys_loaded = 0.0
        self._lock = threading.Lock()
        self._claims = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_S,
            exp={"essential": True},
            iat={"essential": True},
            nbf={"essential": False},
            iss={"essential": True, "value": settings.jwt_issuer},
            aud={"essential": True, "value": settings.jwt_audience},
            sub={"essential": True},
        )

    def verify(self, token: str) -> Identity:
        """The identity in a valid token; InvalidToken otherwise."""
        try:
            algorithm = jws.extract_compact(token.encode()).protected.get("alg")
        except (JoseError, ValueError):
            raise InvalidToken("the bearer token is not a JWT") from None
        try:
            if algorithm == "HS256" and self._secret is not None:
                decoded = jwt.decode(token, self._secret, algorithms=["HS256"])
            elif algorithm in ASYMMETRIC and self._has_public_keys():
                decoded = jwt.decode(token, self._public_keys(), algorithms=list(ASYMMETRIC))
            else:
                raise InvalidToken(f"tokens signed with {algorithm!r} are not accepted here")
            self._claims.validate(decoded.claims)
        except JoseError as exc:
            raise InvalidToken(f"the bearer token is not valid: {exc.description or exc}") from None
        claims = decoded.claims
        self._check_lifetime(claims)
        try:
            return Identity(uuid.UUID(str(claims["sub"])), uuid.UUID(str(claims["company_id"])))
        except (KeyError, ValueError):
            raise InvalidToken(
                "the token needs a UUID `sub` and a UUID `company_id` claim"
            ) from None

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        issued, expires = claims["iat"], claims["exp"]
        if not isinstance(issued, int | float) or not isinstance(expires, int | float):
            raise InvalidToken("the token's iat and exp must be numbers of seconds")
        if issued > time.time() + LEEWAY_S:
            raise InvalidToken("the token was issued in the future (iat); check the clocks")
        hours = self.settings.jwt_max_hours
        if expires - issued > hours * 3600 + LEEWAY_S:
            raise InvalidToken(
                f"the token is valid for {(expires - issued) / 3600:.1f} hours; at most {hours:g} "
                "hours are accepted (the session timeout): ask for a shorter-lived token"
            )

    def _has_public_keys(self) -> bool:
        return bool(self.settings.jwt_jwks_file or self.settings.jwt_jwks_url)

    def _public_keys(self) -> KeySet:
        # A JWKS URL is re-read at most every five minutes (keys rotate rarely).
        with self._lock:
            if self._keys is None or time.monotonic() - self._keys_loaded > 300:
                self._keys = KeySet.import_key_set(self._load_jwks())
                self._keys_loaded = time.monotonic()
            return self._keys

    def _load_jwks(self) -> Any:
        if self.settings.jwt_jwks_file:
            return json.loads(Path(self.settings.jwt_jwks_file).read_text())
        response = requests.get(self.settings.jwt_jwks_url, timeout=10)
        response.raise_for_status()
        return response.json()


def development_token(
    settings: Settings, user_id: uuid.UUID, company_id: uuid.UUID, hours: float = 8
) -> str:
    """An HS256 token signed with the configured development secret (`lrs tokens create`)."""
    if not settings.jwt_secret:
        raise InvalidToken("no LRS_JWT_SECRET is configured to sign development tokens")
    if not 0 < hours <= settings.jwt_max_hours:
        raise BadRequest(
            f"a token may be valid for at most {settings.jwt_max_hours:g} hours "
            "(LRS_JWT_MAX_HOURS, the session timeout)"
        )
    now = datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "company_id": str(company_id),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(hours=hours)).timestamp()),
    }
    return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(settings.jwt_secret))
