"""HTTP Basic authentication of LRS credentials and the xAPI scope rules (Communication 4)."""

from __future__ import annotations

from flask import request
from sqlalchemy.orm import Session

from lrs.credentials import Principal, authenticate
from lrs.problems import Unauthorized
from statements.errors import Forbidden

STATEMENTS_READ = ("statements/read", "statements/read/mine", "all/read", "all")
STATEMENTS_WRITE = ("statements/write", "all")
_READ_ALL = ("statements/read", "all/read", "all")


def authenticate_request(session: Session) -> Principal:
    """The principal behind the request's Basic credentials; 401 when there is none."""
    auth = request.authorization
    if auth is None or auth.type != "basic" or not auth.username:
        raise Unauthorized("send HTTP Basic credentials (an LRS key and secret)")
    principal = authenticate(session, auth.username, auth.password or "")
    if principal is None:
        raise Unauthorized("the key and secret do not match an active LRS credential")
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
