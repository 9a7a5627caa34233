"""GET /xapi/about (Communication 2.8); it is also the readiness probe."""

from __future__ import annotations

from flask import Response, jsonify, request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from lrs.context import request_session, state
from lrs.problems import problem
from lrs.xapi import bp
from lrs.xapi.params import single_values
from lrs.xapi.version import SUPPORTED

# The most statements one GET Statements request returns (the `limit=0` page size).
STATEMENT_PAGE_MAX = "urn:x-hr-lrs:about:statement-page-max"


@bp.get("/about")
def about() -> Response:
    """The versions this LRS speaks; 503 while the database is unreachable."""
    single_values(request.args, ())
    try:
        request_session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        return problem(
            503, "database_unavailable", "the statement store is unreachable; retry shortly"
        )
    return jsonify(
        {
            "version": [v for version in SUPPORTED for v in version.listed],
            # Communication 2.8: anything else goes in extensions, keyed by IRI.
            "extensions": {STATEMENT_PAGE_MAX: state().settings.statement_page_max},
        }
    )
