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
    """No credentials, or credentials that do not match (xAPI Communication 4.0): an HTTP
    matter, so it lives here rather than among the domain's errors. `challenge` is the
    WWW-Authenticate header of the 401."""

    code = "unauthorized"
    challenge = 'Basic realm="xAPI"'


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
    response = problem(status, exc.code, exc.detail, **extra)
    if isinstance(exc, Unauthorized):
        response.headers["WWW-Authenticate"] = exc.challenge
    return response


def http_error_response(exc: HTTPException) -> Response:
    """A problem document for a werkzeug HTTP error (routing, 405, 413, webargs 422s)."""
    status = exc.code or 500
    code = (exc.name or "error").lower().replace(" ", "_")
    data = getattr(exc, "data", None) or {}
    errors = _field_errors(data.get("messages") or data.get("errors") or {})
    detail = data.get("message") or exc.description or exc.name
    if errors and status == 422:
        detail = f"{errors[0]['path']}: {errors[0]['message']}"
    return problem(status, code, str(detail), **({"errors": errors} if errors else {}))


def _field_errors(messages: Any, path: str = "") -> list[dict[str, str]]:
    """webargs/marshmallow nested messages as [{path, message}]."""
    if isinstance(messages, dict):
        found: list[dict[str, str]] = []
        for key, value in messages.items():
            child = f"{path}.{key}" if path else str(key)
            found += _field_errors(value, child)
        return found
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [{"path": path, "message": m} for m in messages]
    if isinstance(messages, list):
        return [e for index, m in enumerate(messages) for e in _field_errors(m, f"{path}[{index}]")]
    return [{"path": path, "message": str(messages)}] if messages else []


def init_app(app: Flask) -> None:
    """Register the handlers that turn every failure into a problem document."""

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError) -> Response:
        return domain_error_response(exc)

    app.register_error_handler(HTTPException, http_error_response)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error", exc_info=exc)
        return problem(500, "internal_error", "the server failed; the request was not applied")
