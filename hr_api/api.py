"""The HR REST API under /api/: flask-smorest, so that the OpenAPI document is the contract."""

from __future__ import annotations

import json

from flask import Flask, Response, request
from flask_smorest import Api
from marshmallow import Schema, fields

from hr_api.audit import audit_key
from hr_api.context import audit_denied
from hr_api.state import STATE_KEY, HrState
from hr_api.tokens import TokenVerifier
from lrs.context import state
from lrs.guards import SUSPECT_ESCAPES, refuse_nul_parameters, refuse_unstorable
from lrs.problems import domain_error_response
from mapping.secrets import SecretBox
from statements.errors import BadRequest, Forbidden

PREFIX = "/api"


class FieldErrorSchema(Schema):
    path = fields.String(required=True)
    message = fields.String(required=True)


class ProblemSchema(Schema):
    """Every error: the status, a machine code, what to do, and field errors if any."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    code = fields.String(required=True)
    detail = fields.String(required=True)
    errors = fields.List(fields.Nested(FieldErrorSchema))


class HrApi(Api):  # type: ignore[misc]
    """An Api whose errors are documented as the problem documents lrs.problems answers with
    everywhere (its handlers, registered after the Api's, serve /api/ too)."""

    ERROR_SCHEMA = ProblemSchema


def init_app(app: Flask) -> None:
    """Mount the HR API and its OpenAPI document (/api/openapi.json, docs at /api/docs)."""
    from hr_api.resources import BLUEPRINTS

    settings = state(app).settings
    app.extensions[STATE_KEY] = HrState(
        TokenVerifier(settings), SecretBox.from_settings(settings), audit_key(settings)
    )
    app.before_request(_refuse_unstorable)
    app.register_error_handler(Forbidden, _forbidden)
    app.config.update(
        API_TITLE="HR learning records API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="https://cdn.jsdelivr.net/npm/swagger-ui-dist/",
    )
    api = HrApi(
        app,
        spec_kwargs={
            "security": [{"bearerAuth": []}],
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
                }
            },
        },
    )
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint, url_prefix=f"{PREFIX}/{blueprint.name}")


def _refuse_unstorable() -> None:
    # The HR API's JSON parser accepts NaN, Infinity and unpaired surrogates, which no
    # database here can store; they are refused with the NUL character, up front, with a 400.
    if not request.path.startswith(f"{PREFIX}/"):
        return
    refuse_nul_parameters(request.args)
    if not request.is_json:
        return
    body = request.get_data(cache=True)
    if any(token in body for token in (*SUSPECT_ESCAPES, b"NaN", b"Infinity")):
        try:
            parsed = json.loads(body, parse_constant=_refuse_constant)
        except ValueError:
            return  # not JSON at all: the view's parser says so
        refuse_unstorable(body, parsed)


def _forbidden(exc: Forbidden) -> Response:
    # Who tried what and was refused is for the auditors too.
    if request.path.startswith(f"{PREFIX}/"):
        audit_denied(exc.detail)
    return domain_error_response(exc)


def _refuse_constant(name: str) -> None:
    raise BadRequest(f"{name} is not a JSON number; send a finite number or null")
