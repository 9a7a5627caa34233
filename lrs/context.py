"""What a request can reach: the settings, a database session, the calling principal."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from flask import Flask, Response, current_app, g, request
from sqlalchemy.orm import Session, sessionmaker

from config import Settings
from lrs.auth import PrincipalCache
from lrs.credentials import Principal


@dataclass(frozen=True, slots=True)
class AppState:
    """The only thing the app stores in `app.extensions`."""

    settings: Settings
    make_session: sessionmaker[Session]
    principals: PrincipalCache
    # Services other packages build lazily (the HR API's token verifier, secret box).
    extensions: dict[str, object] = field(default_factory=dict)


def state(app: Flask | None = None) -> AppState:
    """The state of `app`, or of the current app."""
    return cast(AppState, (app or current_app).extensions["lrs"])


def request_session() -> Session:
    """The request's database session, opened on first use and closed at teardown."""
    if "db" not in g:
        g.db = state().make_session()
    return cast(Session, g.db)


def close_session(_exc: BaseException | None) -> None:
    """Teardown hook: uncommitted work is rolled back."""
    session = g.pop("db", None)
    if session is not None:
        session.close()


def request_body() -> bytes:
    """The whole request body; 413 when it is over the size limit, chunked bodies included.

    Werkzeug stops a body without Content-Length at the limit and raises only on the next
    read, so one more read tells a body that fits from one that was cut.
    """
    data = request.get_data(cache=False)
    if request.content_length is None:
        request.stream.read(1)
    return data


def no_content() -> Response:
    """A 204 response: no body, so no Content-Type either."""
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response


def principal() -> Principal:
    """The authenticated caller; set by the xAPI blueprint before any view runs."""
    return cast(Principal, g.principal)
