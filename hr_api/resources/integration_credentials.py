"""/api/lms-integrations/{id}/credentials/: the LRS credentials an LMS pushes statements with,
never reading more than the user who issues them may see."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from hr_api.access import Access
from hr_api.context import audit_event, current_access, requires
from hr_api.pagination import NoQuery
from hr_api.resources.integrations import MANAGE, blp, callers_integration
from lrs.context import request_session, state
from statements.credentials import (
    DEFAULT_SCOPES,
    SCOPES,
    CredentialInfo,
    create_credential,
    list_credentials,
    revoke_credential,
)
from statements.errors import Conflict, Forbidden
from statements.models import Company

# Scopes that read learners' records of the whole company, unmasked (statements, state
# documents, agent profiles): granting one is handing out an export of everyone's data.
READING_SCOPES = frozenset({"statements/read", "all/read", "all", "state", "profile"})
EXPORT = "can_export_data"
# What lifts the HR API's masking of scores and free text (hr_api.resources.enrollments).
UNMASKED = ("can_view_reports",)


class CredentialRequestSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    scopes = fields.List(
        fields.String(validate=validate.OneOf(SCOPES)),
        load_default=lambda: list(DEFAULT_SCOPES),
    )


class CredentialSchema(Schema):
    key = fields.String(required=True)
    name = fields.String(required=True)
    scopes = fields.List(fields.String(), required=True)
    created_at = fields.DateTime(required=True)
    revoked_at = fields.DateTime(allow_none=True)


class IssuedCredentialSchema(CredentialSchema):
    secret = fields.String(required=True, metadata={"description": "Shown once; store it now."})
    endpoint = fields.String(required=True)


@blp.route("/<uuid:integration_id>/credentials/")
class Credentials(MethodView):
    @requires(*MANAGE)
    @blp.arguments(NoQuery, location="query")
    @blp.response(200, CredentialSchema(many=True))
    def get(self, _query: dict[str, Any], integration_id: uuid.UUID) -> list[dict[str, Any]]:
        """The LRS credentials of an integration (never their secrets)."""
        integration = callers_integration(integration_id)
        return [
            _credential(c)
            for c in list_credentials(request_session(), integration_id=integration.id)
        ]

    @requires(*MANAGE)
    @blp.arguments(CredentialRequestSchema)
    @blp.response(201, IssuedCredentialSchema)
    def post(self, data: dict[str, Any], integration_id: uuid.UUID) -> dict[str, Any]:
        """Issue a key and secret for the LMS to push statements with; the secret is shown once."""
        integration = callers_integration(integration_id)
        if not integration.is_active:
            raise Conflict(
                "the integration is deactivated; reactivate it (PATCH is_active: true) before "
                "issuing credentials for it"
            )
        _may_grant(current_access(), data["scopes"])
        session = request_session()
        company = session.get(Company, integration.company_id)
        assert company is not None
        issued = create_credential(session, company, data["name"], data["scopes"], integration.id)
        created = _credential(issued.info)
        audit_event("credential_issued", "lrs_credential", issued.key, after=created)
        session.commit()
        return created | {
            "secret": issued.secret,
            "endpoint": f"{state().settings.base_url}/xapi/",
        }


@blp.route("/<uuid:integration_id>/credentials/<string:key>/")
class CredentialItem(MethodView):
    @requires(*MANAGE)
    @blp.response(204)
    def delete(self, integration_id: uuid.UUID, key: str) -> None:
        """Revoke an LRS credential."""
        integration = callers_integration(integration_id)
        session = request_session()
        revoked = revoke_credential(session, key, integration_id=integration.id)
        audit_event("credential_revoked", "lrs_credential", key, after=_credential(revoked))
        session.commit()


def _may_grant(access: Access, scopes: list[str]) -> None:
    """A credential never reads more than the user who issues it may see: scopes that read
    everyone's records need the export permission with company-wide data access."""
    reading = sorted(READING_SCOPES.intersection(scopes))
    unmasked = all(access.can(p) for p in UNMASKED)
    if reading and not (access.can(EXPORT) and unmasked and access.sees_all):
        raise Forbidden(
            f"the scopes {', '.join(reading)} let a credential read every employee's learning "
            f"records, unmasked; issuing them needs {', '.join((EXPORT, *UNMASKED))} with "
            "company-wide data access. Issue statements/write and statements/read/mine for an "
            "LMS that only sends statements"
        )


def _credential(credential: CredentialInfo) -> dict[str, Any]:
    return {
        "key": credential.key,
        "name": credential.name,
        "scopes": credential.scopes,
        "created_at": credential.created_at,
        "revoked_at": credential.revoked_at,
    }
