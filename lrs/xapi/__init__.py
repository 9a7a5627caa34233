"""The xAPI resources under /xapi/: version header, authentication and response headers."""

from __future__ import annotations

from flask import Blueprint, Response, g, request

from lrs import alternate
from lrs.auth import authenticate_request
from lrs.context import request_session, state
from lrs.version import HEADER, XAPI_1_0, negotiate
from statements.errors import BadRequest, PayloadTooLarge

bp = Blueprint("xapi", __name__)
# Resources that answer without credentials or a version header (Communication 2.8).
PUBLIC_ENDPOINTS = {"xapi.about"}


@bp.before_request
def _check_request() -> None:
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
    g.principal = authenticate_request(request_session(), state().principals)


def add_version_header(response: Response) -> Response:
    """Communication 3.3: every response carries the latest patch version the LRS speaks."""
    version = g.get("xapi_version", XAPI_1_0)
    response.headers[HEADER] = version.latest
    return response


from lrs.xapi import about, agents, documents, statements  # noqa: E402,F401  (registers routes)
