"""The application factory: one engine, a session per request, and the faces on top.

A face (the xAPI resources, the HR API) registers itself: its routes, hooks and state. The
shell adds what they share: settings and sessions, problem documents for every error, and the
after-commit hook that folds newly stored statements into HR records.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import sessionmaker

from config import Settings
from hr_api import api as hr_api
from lrs import lti, problems, xapi
from lrs.context import STATE_KEY, AppState, close_session, open_session, state
from mapping.outbox import fold_now
from statements import ingest
from statements.db import make_engine

log = logging.getLogger(__name__)
FACES: tuple[Callable[[Flask], None], ...] = (xapi.init_app, lti.init_app, hr_api.init_app)


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
    make_session = sessionmaker(bind=engine, expire_on_commit=False)
    ingest.hand_on_commits(make_session)
    app.extensions[STATE_KEY] = AppState(settings, make_session)
    app.teardown_appcontext(close_session)
    for init_face in FACES:
        init_face(app)
    # After the faces: flask-smorest registers an HTTPException handler of its own, and the
    # last one registered answers.
    problems.init_app(app)
    app.after_request(_fold_committed)
    return app


def _fold_committed(response: Response) -> Response:
    """The after-commit hook: fold what the request's committed transactions stored into HR
    records, when configured to (SQLite, LRS_FOLD_IMMEDIATELY). The statements are committed
    already; should folding fail, their outbox rows stay for `lrs worker` to retry."""
    session = open_session()
    if session is None:
        return response
    receipts = ingest.take_committed(session)
    if not receipts or not state().settings.folds_immediately:
        return response
    try:
        for receipt in receipts:
            fold_now(session, receipt.company_id, receipt.statement_ids)
        session.commit()
    except Exception:
        session.rollback()
        log.exception("folding statements right after storing them failed")
    return response
