"""The xAPI face under /xapi/: the resources of xAPI 1.0.3, their version header, credentials,
the alternate request syntax and CORS."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, Response, g, request
from flask_cors import CORS

from lrs.context import request_session, state
from lrs.guards import refuse_nul_parameters
from lrs.xapi import alternate
from lrs.xapi.auth import authenticate_request, install_cache
from lrs.xapi.version import HEADER, XAPI_1_0, negotiate
from statements import timestamps
from statements.errors import BadRequest, PayloadTooLarge

PREFIX = "/xapi"
CONSISTENT_THROUGH = "X-Experience-API-Consistent-Through"
bp = Blueprint("xapi", __name__)
# Resources that answer without credentials or a version header (Communication 2.8).
PUBLIC_ENDPOINTS = {"xapi.about"}


def init_app(app: Flask) -> None:
    """Mount the xAPI resources on `app`."""
    settings = state(app).settings
    install_cache(app, settings.auth_cache_s)
    app.register_blueprint(bp, url_prefix=PREFIX)
    CORS(
        app,
        resources={f"{PREFIX}/*": {"origins": settings.cors_origins}},
        methods=["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "Content-Length",
            "If-Match",
            "If-None-Match",
            "Accept-Language",
            HEADER,
        ],
        expose_headers=[
            "ETag",
            "Last-Modified",
            "Content-Type",
            "Content-Length",
            "WWW-Authenticate",
            HEADER,
            CONSISTENT_THROUGH,
        ],
        max_age=86400,
    )
    # An app-wide hook, not the blueprint's: it must also see the 404s and 405s of paths
    # under /xapi/ that match no resource.
    app.after_request(_xapi_headers)
    app.wsgi_app = alternate.AlternateSyntaxMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, prefix=f"{PREFIX}/", max_bytes=settings.max_request_bytes
    )


@bp.before_request
def _check_request() -> None:
    refuse_nul_parameters(request.args)
    if request.method == "OPTIONS":
        return  # CORS preflight: answered by flask-cors, never authenticated
    if request.environ.get(alternate.TOO_LARGE_KEY):
        raise PayloadTooLarge("the request body is larger than this LRS accepts")
    if error := request.environ.get(alternate.ERROR_KEY):
        raise BadRequest(error)
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    g.xapi_version = negotiate(request.headers.get(HEADER))
    if request.environ.get(alternate.USED_KEY) and not g.xapi_version.alternate_syntax:
        raise BadRequest("the alternate request syntax is not part of this xAPI version")
    g.principal = authenticate_request(request_session())


def _xapi_headers(response: Response) -> Response:
    # After-request hooks run for error responses too, so every xAPI answer gets its headers:
    # Communication 3.3, the latest patch version the LRS speaks, and on the Statement
    # resource Consistent-Through.
    if request.path.startswith(f"{PREFIX}/"):
        response.headers[HEADER] = g.get("xapi_version", XAPI_1_0).latest
        if request.path.rstrip("/") == f"{PREFIX}/statements":
            response.headers[CONSISTENT_THROUGH] = consistent_through()
    return response


def consistent_through() -> str:
    """Communication 2.1.3: every statement stored before this instant is visible now."""
    lag = timedelta(seconds=state().settings.consistency_lag_s)
    return timestamps.format_timestamp(timestamps.now() - lag)


from lrs.xapi import about, agents, documents, statements  # noqa: E402,F401  (registers routes)
