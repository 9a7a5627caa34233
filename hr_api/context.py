"""Per-request context of the HR API: the caller's access, the request id, audit events."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar, cast

from flask import g, request
from sqlalchemy.exc import SQLAlchemyError

from hr_api import audit
from hr_api.access import Access, load_access
from hr_api.state import hr_state
from hr_api.tokens import InvalidToken
from lrs.context import request_session
from statements import timestamps
from statements.models import Company

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger(__name__)


def current_access() -> Access:
    """The authenticated caller's access; 401 without a valid bearer token."""
    if "access" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidToken("send an Authorization: Bearer <JWT> header")
        identity = hr_state().tokens.verify(token.strip())
        g.access = load_access(request_session(), identity, date.today())
    return cast(Access, g.access)


def requires(*permissions: str) -> Callable[[F], F]:
    """Check the caller's permissions before anything else of the view runs (request body
    validation included), so an unauthorised caller always gets 401 or 403."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            current_access().require(*permissions)
            return view(*args, **kwargs)

        return cast(F, checked)

    return decorate


def request_id() -> str:
    """The caller's X-Request-ID, or one made for this request."""
    if "request_id" not in g:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given[:64] if given else uuid.uuid4().hex
    return cast(str, g.request_id)


def audit_read(what: str, query: Mapping[str, Any], items: Sequence[Mapping[str, Any]]) -> None:
    """Audit a page of personal records read: who saw which rows, asked how."""
    audit_event(
        "read",
        what,
        f"page {query.get('page', 1)}",
        after={
            "ids": [str(item["id"]) for item in items],
            "query": {name: str(value) for name, value in sorted(query.items())},
        },
    )


def audit_denied(detail: str) -> None:
    """Keep that the caller asked for something their roles do not grant: whatever the
    request did is rolled back, and the refusal committed in its place."""
    access: Access | None = g.get("access")
    if access is None:
        return
    session = request_session()
    session.rollback()
    if session.get(Company, access.company_id) is None:
        return  # a token for a company that does not exist: nothing to audit it in
    try:
        audit.record(
            session,
            hr_state().audit_key,
            company_id=access.company_id,
            actor_user_id=access.user_id,
            action="denied",
            object_type="request",
            object_id=f"{request.method} {request.path}"[:100],
            request_id=request_id(),
            at=timestamps.now(),
            after={"detail": detail},
        )
        session.commit()
    except SQLAlchemyError:
        # The refusal stands whether or not it could be written down.
        session.rollback()
        log.exception("could not audit a refused request")


def audit_event(
    action: str,
    object_type: str,
    object_id: object,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append an event about the current request to the audit trail (same transaction)."""
    access = current_access()
    audit.record(
        request_session(),
        hr_state().audit_key,
        company_id=access.company_id,
        actor_user_id=access.user_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        request_id=request_id(),
        at=timestamps.now(),
        before=before,
        after=after,
    )
