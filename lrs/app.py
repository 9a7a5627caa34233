"""The application factory: one engine, a session per request, every blueprint."""

from __future__ import annotations

import json

from flask import Flask, Response, request
from flask_cors import CORS
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import sessionmaker

from config import Settings
from hr_api import api as hr_api
from lrs import problems
from lrs.alternate import AlternateSyntaxMiddleware
from lrs.auth import PrincipalCache
from lrs.context import AppState, close_session
from lrs.params import NUL_ESCAPE, refuse_nul
from lrs.version import HEADER
from lrs.xapi import add_version_header
from lrs.xapi import bp as xapi_bp
from lrs.xapi.statements import consistent_through
from statements.db import make_engine
from statements.errors import BadRequest

XAPI_PREFIX = "/xapi"
CONSISTENT_THROUGH = "X-Experience-API-Consistent-Through"


def create_app(
    settings: Settings | None = None, *, bind: Engine | Connection | None = None
) -> Flask:
    """Build the app; `bind` lets tests run every request inside their own transaction."""
    settings = settings or Settings.from_env()
    app = Flask(__name__, static_folder=None)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        JSON_SORT_KEYS=False,
    )
    engine = bind if bind is not None else make_engine(settings.database_url)
    app.extensions["lrs"] = AppState(
        settings,
        sessionmaker(bind=engine, expire_on_commit=False),
        PrincipalCache(settings.auth_cache_s),
    )
    app.teardown_appcontext(close_session)
    hr_api.init_app(app)
    problems.init_app(app)
    app.register_blueprint(xapi_bp, url_prefix=XAPI_PREFIX)
    CORS(
        app,
        resources={f"{XAPI_PREFIX}/*": {"origins": settings.cors_origins}},
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
    app.before_request(_refuse_unstorable)
    app.after_request(_xapi_headers)
    app.wsgi_app = AlternateSyntaxMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, prefix=f"{XAPI_PREFIX}/", max_bytes=settings.max_request_bytes
    )
    return app


def _refuse_unstorable() -> None:
    # PostgreSQL can store neither U+0000 in text nor NaN and Infinity in JSON (which the
    # HR API's JSON parser accepts): refuse them in parameters and HR API bodies up front,
    # with a 400, rather than failing at the database.
    if any("\x00" in value for values in request.args.listvalues() for value in values):
        raise BadRequest("parameters may not contain the NUL character (U+0000)")
    if request.path.startswith("/api/") and request.mimetype == "application/json":
        body = request.get_data(cache=True)
        if any(token in body for token in (NUL_ESCAPE, b"NaN", b"Infinity")):
            try:
                parsed = json.loads(body, parse_constant=_refuse_constant)
            except ValueError:
                return  # not JSON at all: the view's parser says so
            refuse_nul(body, parsed)


def _refuse_constant(name: str) -> None:
    raise BadRequest(f"{name} is not a JSON number; send a finite number or null")


def _xapi_headers(response: Response) -> Response:
    # After-request hooks run for error responses too, so every xAPI answer gets its headers.
    if request.path.startswith(f"{XAPI_PREFIX}/"):
        add_version_header(response)
        if request.path.rstrip("/") == f"{XAPI_PREFIX}/statements":
            response.headers[CONSISTENT_THROUGH] = consistent_through()
    return response
