"""The 1.0.3 alternate request syntax (xAPI Communication 1.3), undone before Flask sees it.

A browser that cannot send custom headers or PUT POSTs to `...?method=PUT` with a form body:
`content` is the real body, Authorization, X-Experience-API-Version, Content-Type,
Content-Length, If-Match and If-None-Match are headers, anything else is a query parameter.
This middleware rewrites such a request into the request it stands for, so every resource
handles both syntaxes with one code path. Problems are left in the environ for the xAPI
blueprint to report as JSON errors.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

ERROR_KEY = "lrs.alternate_syntax_error"
TOO_LARGE_KEY = "lrs.alternate_syntax_too_large"
USED_KEY = "lrs.alternate_syntax"
METHODS = ("GET", "PUT", "POST", "DELETE")
_HEADER_FIELDS = {
    "authorization": "HTTP_AUTHORIZATION",
    "x-experience-api-version": "HTTP_X_EXPERIENCE_API_VERSION",
    "content-type": "CONTENT_TYPE",
    "content-length": None,  # recomputed from `content`
    "if-match": "HTTP_IF_MATCH",
    "if-none-match": "HTTP_IF_NONE_MATCH",
}


class AlternateSyntaxMiddleware:
    """WSGI middleware rewriting alternate-syntax requests under `prefix`."""

    def __init__(self, app: WSGIApplication, *, prefix: str, max_bytes: int) -> None:
        self.app = app
        self.prefix = prefix
        self.max_bytes = max_bytes

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO", "").startswith(
            self.prefix
        ):
            query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
            if "method" in query:
                self._rewrite(environ, query)
        return self.app(environ, start_response)

    def _rewrite(self, environ: WSGIEnvironment, query: dict[str, list[str]]) -> None:
        error = _problem(environ, query)
        if error:
            environ[ERROR_KEY] = error
            return
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length > self.max_bytes:
            environ[TOO_LARGE_KEY] = True
            return
        body = environ["wsgi.input"].read(length) if length else b""
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            environ[ERROR_KEY] = "the form body of an alternate-syntax request must be UTF-8"
            return
        params: dict[str, list[str]] = {}
        content = b""
        content_type = None
        for name, values in form.items():
            lowered = name.lower()
            if name == "content":
                content = values[-1].encode("utf-8")
            elif lowered in _HEADER_FIELDS:
                target = _HEADER_FIELDS[lowered]
                if target == "CONTENT_TYPE":
                    content_type = values[-1]
                elif target is not None:
                    environ[target] = values[-1]
            else:
                params[name] = values
        environ["REQUEST_METHOD"] = query["method"][0]
        environ["QUERY_STRING"] = urlencode(params, doseq=True)
        environ["CONTENT_TYPE"] = content_type or ("application/json" if content else "")
        environ["CONTENT_LENGTH"] = str(len(content))
        environ["wsgi.input"] = io.BytesIO(content)
        environ[USED_KEY] = True


def _problem(environ: dict[str, Any], query: dict[str, list[str]]) -> str | None:
    if len(query) > 1 or len(query["method"]) > 1:
        return (
            "an alternate-syntax request carries only 'method' in its query string; "
            "send the other parameters as form fields"
        )
    method = query["method"][0]
    if method not in METHODS:
        return f"'method' must be one of {', '.join(METHODS)}, got {method!r}"
    content_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return (
            "an alternate-syntax request must have Content-Type application/x-www-form-urlencoded"
        )
    return None
