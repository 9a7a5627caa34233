"""Every error becomes a JSON problem document (RFC 9457) with a stable shape.

`{"type", "title", "status", "code", "detail", "errors": [{"path", "message"}]}`: the status, a
machine code, a message that says what to do, and the field paths for validation errors.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from statements.errors import (
    BadRequest,
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
)

log = logging.getLogger(__name__)


class Unauthorized(DomainError):
    """No credentials, or credentials that do not match an active key (xAPI Communication 4.0)."""

    code = "unauthorized"


STATUS: dict[type[DomainError], int] = {
    BadRequest: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    PreconditionFailed: 412,
    PayloadTooLarge: 413,
}


def problem(status: int, code: str, detail: str, **extra: Any) -> Response:
    """A problem response."""
    body = {"type": "about:blank", "title": _title(status), "status": status, "code": code}
    body["detail"] = detail
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="xAPI"'
    return response


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def domain_error_response(exc: DomainError) -> Response:
    status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
    extra = dict(exc.extra)
    if isinstance(exc, BadRequest) and exc.errors:
        extra["errors"] = [e.as_dict() for e in exc.errors]
    return problem(status, exc.code, exc.detail, **extra)


def init_app(app: Flask) -> None:
    """Register the handlers that turn every failure into a problem document."""

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError) -> Response:
        return domain_error_response(exc)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        code = (exc.name or "error").lower().replace(" ", "_")
        return problem(status, code, exc.description or exc.name)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error", exc_info=exc)
        return problem(500, "internal_error", "the server failed; the request was not applied")
