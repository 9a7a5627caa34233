"""HTTP Basic authentication of LRS credentials and the xAPI scope rules (Communication 4)."""

from __future__ import annotations

import hashlib
import time
from typing import cast

from flask import Flask, current_app, g, request
from sqlalchemy.orm import Session

from lrs.problems import Unauthorized
from statements.credentials import Principal, authenticate
from statements.errors import Forbidden

STATEMENTS_READ = ("statements/read", "statements/read/mine", "all/read", "all")
STATEMENTS_WRITE = ("statements/write", "all")
_READ_ALL = ("statements/read", "all/read", "all")


class PrincipalCache:
    """Credentials that authenticated in the last `ttl` seconds, so that a busy client does
    not cost a database look-up per request. A revoked credential keeps working for at most
    `ttl` seconds; `ttl=0` turns the cache off."""

    MAX_ENTRIES = 10_000

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._entries: dict[tuple[str, str], tuple[float, Principal]] = {}

    def get(self, key: str, secret: str) -> Principal | None:
        entry = self._entries.get((key, _digest(secret)))
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key: str, secret: str, principal: Principal) -> None:
        if self.ttl <= 0:
            return
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()
        self._entries[(key, _digest(secret))] = (time.monotonic() + self.ttl, principal)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


CACHE_KEY = "xapi.principals"


def install_cache(app: Flask, ttl: float) -> None:
    """Give an app the credential cache its xAPI requests share."""
    app.extensions[CACHE_KEY] = PrincipalCache(ttl)


def principal_cache(app: Flask | None = None) -> PrincipalCache:
    """The credential cache of `app`, or of the current app."""
    return cast(PrincipalCache, (app or current_app).extensions[CACHE_KEY])


def authenticate_request(session: Session) -> Principal:
    """The principal behind the request's Basic credentials; 401 when there is none."""
    cache = principal_cache()
    auth = request.authorization
    if auth is None or auth.type != "basic" or not auth.username:
        raise Unauthorized("send HTTP Basic credentials (an LRS key and secret)")
    secret = auth.password or ""
    principal = cache.get(auth.username, secret)
    if principal is None:
        principal = authenticate(session, auth.username, secret)
        if principal is None:
            raise Unauthorized("the key and secret do not match an active LRS credential")
        cache.put(auth.username, secret, principal)
    return principal


def require(principal: Principal, scopes: tuple[str, ...], action: str) -> None:
    """403 unless the principal holds one of `scopes`."""
    if not principal.allows(*scopes):
        raise Forbidden(
            f"this credential may not {action}; it needs one of the scopes: {', '.join(scopes)}"
        )


def read_only_own(principal: Principal) -> bool:
    """True when the principal may read only the statements it stored itself."""
    return not principal.allows(*_READ_ALL)


def principal() -> Principal:
    """The authenticated caller; set by the xAPI blueprint before any view runs."""
    return cast(Principal, g.principal)
