"""The HR REST API under /api/: flask-smorest, so that the OpenAPI document is the contract."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api
from marshmallow import Schema, fields


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

    app.config.update(
        API_TITLE="HR learning records API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
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
        api.register_blueprint(blueprint, url_prefix=f"/api/{blueprint.name}")
