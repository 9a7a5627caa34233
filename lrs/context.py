"""What every face's request can reach: the settings and a database session.

Each face keeps what it alone needs in `app.extensions` under a key of its own: the xAPI face
its credential cache, the HR face its token verifier, secret box and audit key
(`hr_api.state.HrState`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from flask import Flask, Response, current_app, g, request
from sqlalchemy.orm import Session, sessionmaker

from config import Settings

STATE_KEY = "lrs"


@dataclass(frozen=True, slots=True)
class AppState:
    """What the shell stores in `app.extensions`."""

    settings: Settings
    make_session: sessionmaker[Session]


def state(app: Flask | None = None) -> AppState:
    """The shell's state of `app`, or of the current app."""
    return cast(AppState, (app or current_app).extensions[STATE_KEY])


def request_session() -> Session:
    """The request's database session, opened on first use and closed at teardown."""
    if "db" not in g:
        g.db = state().make_session()
    return cast(Session, g.db)


def open_session() -> Session | None:
    """The request's session if the request opened one."""
    return cast(Session | None, g.get("db"))


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
