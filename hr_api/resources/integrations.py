"""/api/lms-integrations/: LMS integration configurations, their health and rebuilds (their
LRS credentials are in integration_credentials)."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import (
    Schema,
    ValidationError,
    fields,
    missing,
    pre_load,
    validate,
    validates_schema,
)
from sqlalchemy import select

from hr_api.context import audit_event, current_access, requires
from hr_api.pagination import NoQuery, PageQuery, page_of, paginate, where_equal
from hr_api.resources.common import owned
from hr_api.state import hr_state
from hr_api.validation import bounded_json, web_url
from lrs.context import request_session, state
from mapping.choices import (
    AuthenticationType,
    ConnectionStatus,
    DataFormat,
    IntegrationMethod,
    LmsType,
    SyncDirection,
    SyncFrequency,
)
from mapping.health import fold_backlog
from mapping.integration_rules import IntegrationRules
from mapping.lti import (
    REGISTRATION_LIFETIME_S,
    register,
    registration_invitation,
    registration_problems,
    taken,
    tool_configuration,
)
from mapping.models import LMSIntegrationConfig, LtiPlatform
from mapping.providers.connect import READ, test_connection
from mapping.providers.credentials import config_problems
from mapping.providers.errors import ProviderError
from mapping.rebuild import rebuild
from mapping.rules import check_lms_code
from statements import timestamps
from statements.credentials import (
    count_active,
    revoke_integration_credentials,
)
from statements.errors import BadRequest, Conflict, FieldError

blp = Blueprint(
    "lms-integrations", __name__, description="LMS integrations and their LRS credentials"
)
MANAGE = ("can_manage_integrations", "can_manage_lms_config")
# How long a statement may wait to be folded before test-connection calls it a backlog.
BACKLOG_ALERT_S = 60.0
# Integration methods whose LMS pushes statements with an LRS credential.
PUSH_METHODS = {IntegrationMethod.XAPI, IntegrationMethod.LTI, IntegrationMethod.WEBHOOK}


class IntegrationSchema(Schema):
    id = fields.UUID(dump_only=True)
    lms_name = fields.String(required=True, validate=validate.Length(1, 200))
    lms_type = fields.Enum(LmsType, by_value=True, required=True)
    lms_code = fields.String(required=True, validate=validate.Length(1, 50))
    integration_method = fields.Enum(IntegrationMethod, by_value=True, required=True)
    api_endpoint_url = fields.String(load_default="", validate=[validate.Length(max=500), web_url])
    api_version = fields.String(load_default="v1", validate=validate.Length(1, 20))
    authentication_type = fields.Enum(AuthenticationType, by_value=True, required=True)
    # Write-only: encrypted at rest and never returned.
    authentication_config = fields.Dict(load_only=True, load_default=dict, validate=bounded_json)
    has_authentication_config = fields.Boolean(dump_only=True)
    data_format = fields.Enum(DataFormat, by_value=True, required=True)
    sync_frequency = fields.Enum(SyncFrequency, by_value=True, required=True)
    sync_direction = fields.Enum(SyncDirection, by_value=True, required=True)
    is_primary_lms = fields.Boolean(load_default=False)
    is_active = fields.Boolean(load_default=True)
    connection_status = fields.Enum(ConnectionStatus, by_value=True, dump_only=True)
    last_sync_at = fields.DateTime(dump_only=True, allow_none=True)
    last_successful_sync_at = fields.DateTime(dump_only=True, allow_none=True)
    error_count = fields.Integer(dump_only=True)
    max_retry_attempts = fields.Integer(load_default=3, validate=validate.Range(0, 100))
    timeout_seconds = fields.Integer(load_default=30, validate=validate.Range(1, 3600))
    rate_limit_per_hour = fields.Integer(load_default=1000, validate=validate.Range(1, 10_000_000))
    supported_course_types = fields.List(
        fields.String(validate=validate.Length(1, 50)),
        load_default=list,
        validate=validate.Length(max=50),
    )
    field_mappings = fields.Dict(load_default=dict, validate=bounded_json)
    validation_rules = fields.Dict(load_default=dict, validate=bounded_json)
    transformation_rules = fields.Dict(load_default=dict, validate=bounded_json)
    compliance_settings = fields.Dict(load_default=dict, validate=bounded_json)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    rebuild_pending = fields.Boolean(
        dump_only=True,
        metadata={
            "description": "the reading rules changed since the records were folded; "
            "POST rebuild/ refolds them"
        },
    )
    rebuild_pending_since = fields.DateTime(dump_only=True, allow_none=True)

    @validates_schema
    def _rules_apply(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if "field_mappings" not in data and "transformation_rules" not in data:
            return
        problems = IntegrationRules.problems(
            data.get("field_mappings") or {}, data.get("transformation_rules") or {}
        )
        if problems:
            raise ValidationError(problems)


class IntegrationPatchSchema(IntegrationSchema):
    """The fields of a PATCH, all optional."""


def _replace_schema() -> type[Schema]:
    """The body of a PUT: an integration as GET returns it, changed, is one. Its read-only
    fields are ignored; what it leaves out of the optional fields (the write-only secrets
    above all, which GET never returns) stays as it is."""
    declared: dict[str, Any] = {}
    for name, field in IntegrationSchema._declared_fields.items():
        if field.dump_only:
            continue
        kept = copy.deepcopy(field)
        kept.load_default = missing
        declared[name] = kept
    read_only = {name for name, f in IntegrationSchema._declared_fields.items() if f.dump_only}

    @pre_load
    def drop_read_only(_schema: Schema, data: Any, **_kwargs: Any) -> Any:
        if not isinstance(data, dict):
            return data
        return {name: value for name, value in data.items() if name not in read_only}

    hooks = {"_drop": drop_read_only, "_rules_apply": IntegrationSchema._rules_apply}
    return type("IntegrationReplaceSchema", (Schema,), {**declared, **hooks})


IntegrationReplaceSchema = _replace_schema()


class IntegrationQuery(PageQuery):
    is_active = fields.Boolean()
    lms_type = fields.Enum(LmsType, by_value=True)


class ConnectionTestSchema(Schema):
    status = fields.String(required=True)
    message = fields.String(required=True)
    api_version = fields.String(
        metadata={"description": "the LMS's version, where it says (API integrations)"}
    )
    latency_ms = fields.Float(metadata={"description": "the authenticating request's"})
    missing_permissions = fields.List(
        fields.String(),
        metadata={"description": "what the credentials may not do that the poller needs"},
    )
    courses = fields.List(fields.String(), metadata={"description": "the courses it can see"})
    active_credentials = fields.Integer(allow_none=True)
    last_statement_at = fields.DateTime(allow_none=True)
    fold_backlog = fields.Integer(
        allow_none=True, metadata={"description": "statements stored, not yet folded"}
    )
    fold_lag_seconds = fields.Float(
        allow_none=True, metadata={"description": "how long the oldest of them has waited"}
    )


def callers_integration(integration_id: uuid.UUID) -> LMSIntegrationConfig:
    """The caller's integration. Checks no permission: every view calling this is decorated
    with @requires(*MANAGE), which runs before the request body is read."""
    return owned(
        request_session(), LMSIntegrationConfig, integration_id, current_access(), "LMS integration"
    )


def _dump(integration: LMSIntegrationConfig) -> dict[str, Any]:
    data: dict[str, Any] = IntegrationSchema().dump(integration)
    return data


def _apply(integration: LMSIntegrationConfig, data: dict[str, Any]) -> None:
    for name, value in data.items():
        if name == "authentication_config":
            integration.authentication_config = hr_state().secrets.seal(value) if value else {}
        else:
            setattr(integration, name, value)


@blp.route("/")
class Integrations(MethodView):
    @blp.arguments(IntegrationQuery, location="query")
    @blp.response(200, page_of(IntegrationSchema))
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List LMS integrations."""
        access = current_access()
        access.require(*MANAGE)
        statement = select(LMSIntegrationConfig).where(
            LMSIntegrationConfig.company_id == access.company_id
        )
        filters = {
            "is_active": LMSIntegrationConfig.is_active,
            "lms_type": LMSIntegrationConfig.lms_type,
        }
        statement = where_equal(statement, query, filters)
        statement = statement.order_by(LMSIntegrationConfig.lms_name, LMSIntegrationConfig.id)
        return paginate(request_session(), statement, query["page"], query["page_size"])

    @requires(*MANAGE)
    @blp.arguments(IntegrationSchema)
    @blp.response(201, IntegrationSchema)
    def post(self, data: dict[str, Any]) -> LMSIntegrationConfig:
        """Create an LMS integration."""
        access = current_access()
        session = request_session()
        check_lms_code(session, access.company_id, data["lms_code"])
        now = datetime.now(UTC)
        integration = LMSIntegrationConfig(
            id=uuid.uuid4(),
            company_id=access.company_id,
            created_by_user_id=access.user_id,
            updated_by_user_id=access.user_id,
            connection_status=ConnectionStatus.DISCONNECTED,
            created_at=now,
            updated_at=now,
        )
        _require_credentials(
            integration.id,
            data["lms_type"],
            data["integration_method"],
            data["authentication_config"],
        )
        _apply(integration, data)
        session.add(integration)
        session.flush()
        _keep_platform(integration, data["authentication_config"])
        audit_event("create", "lms_integration", integration.id, after=_dump(integration))
        session.commit()
        return integration


@blp.route("/<uuid:integration_id>/")
class IntegrationItem(MethodView):
    @requires(*MANAGE)
    @blp.arguments(NoQuery, location="query")
    @blp.response(200, IntegrationSchema)
    def get(self, _query: dict[str, Any], integration_id: uuid.UUID) -> LMSIntegrationConfig:
        """Get an LMS integration."""
        return callers_integration(integration_id)

    @requires(*MANAGE)
    @blp.arguments(IntegrationReplaceSchema)
    @blp.response(200, IntegrationSchema)
    def put(self, data: dict[str, Any], integration_id: uuid.UUID) -> LMSIntegrationConfig:
        """Replace an LMS integration's configuration."""
        return _update(integration_id, data)

    @requires(*MANAGE)
    @blp.arguments(IntegrationPatchSchema(partial=True))
    @blp.response(200, IntegrationSchema)
    def patch(self, data: dict[str, Any], integration_id: uuid.UUID) -> LMSIntegrationConfig:
        """Change some fields of an LMS integration."""
        return _update(integration_id, data)

    @requires(*MANAGE)
    @blp.response(204)
    def delete(self, integration_id: uuid.UUID) -> None:
        """Deactivate an integration and revoke its LRS credentials; its history stays."""
        integration = callers_integration(integration_id)
        session = request_session()
        before = _dump(integration)
        integration.is_active = False
        integration.updated_by_user_id = current_access().user_id
        integration.updated_at = datetime.now(UTC)
        _deactivate(integration)
        session.flush()
        audit_event(
            "deactivate", "lms_integration", integration.id, before=before, after=_dump(integration)
        )
        session.commit()


def _deactivate(integration: LMSIntegrationConfig) -> None:
    """What deactivating an integration means, whichever way it is done: it is disconnected
    and its LMS can no longer push."""
    integration.connection_status = ConnectionStatus.DISCONNECTED
    revoke_integration_credentials(request_session(), integration.id)


def _update(integration_id: uuid.UUID, data: dict[str, Any]) -> LMSIntegrationConfig:
    integration = callers_integration(integration_id)
    session = request_session()
    if "lms_code" in data:
        check_lms_code(session, integration.company_id, data["lms_code"], integration.id)
    before = _dump(integration)
    rules = (integration.field_mappings, integration.transformation_rules)
    config = (
        data["authentication_config"]
        if "authentication_config" in data
        else hr_state().secrets.open(integration.authentication_config)
    )
    if {"lms_type", "integration_method", "authentication_config"} & data.keys():
        _require_credentials(
            integration.id,
            data.get("lms_type", integration.lms_type),
            data.get("integration_method", integration.integration_method),
            config,
        )
    _apply(integration, data)
    _keep_platform(integration, config)
    integration.updated_by_user_id = current_access().user_id
    integration.updated_at = datetime.now(UTC)
    if (integration.field_mappings, integration.transformation_rules) != rules:
        # Records folded under the old rules stay as they are until refolded.
        integration.rebuild_pending_since = integration.updated_at
    if before["is_active"] and not integration.is_active:
        _deactivate(integration)
    session.flush()
    audit_event(
        "update", "lms_integration", integration.id, before=before, after=_dump(integration)
    )
    session.commit()
    return integration


@blp.route("/lti-registration/")
class LtiRegistration(MethodView):
    @requires(*MANAGE)
    @blp.response(200)
    def get(self) -> dict[str, Any]:
        """A URL to paste into an LMS that supports LTI Dynamic Registration (Moodle,
        Canvas): the LMS registers the tool and becomes an lti integration of this company,
        inactive until an HR admin activates it. Good for a week."""
        access = current_access()
        settings = state().settings
        invitation = registration_invitation(settings.secret_key, access.company_id, access.user_id)
        return {
            "registration_url": f"{settings.base_url}/lti/register?invitation={invitation}",
            "expires_in_seconds": REGISTRATION_LIFETIME_S,
        }


@blp.route("/<uuid:integration_id>/lti-config/")
class LtiConfig(MethodView):
    @requires(*MANAGE)
    @blp.response(200)
    def get(self, integration_id: uuid.UUID) -> dict[str, Any]:
        """What an LMS admin enters to add the LTI tool to their LMS (an lti integration's
        LMS type decides the form: Moodle, Canvas or Blackboard; the URLs for any other)."""
        integration = callers_integration(integration_id)
        if integration.integration_method is not IntegrationMethod.LTI:
            raise Conflict(
                "only lti integrations launch the tool; this one's method is "
                f"{integration.integration_method.value}"
            )
        return tool_configuration(
            integration.lms_type.value, state().settings.base_url, integration.lms_name
        )


@blp.route("/<uuid:integration_id>/test-connection/")
class ConnectionTest(MethodView):
    @requires(*MANAGE)
    @blp.response(200, ConnectionTestSchema)
    def post(self, integration_id: uuid.UUID) -> dict[str, Any]:
        """Check an integration: for pushing LMSs, its credentials and latest statement."""
        integration = callers_integration(integration_id)
        session = request_session()
        if integration.integration_method is IntegrationMethod.API:
            return _test_api(integration)
        if integration.integration_method not in PUSH_METHODS:
            return {
                "status": "not_configured",
                "message": f"{integration.integration_method.value} integrations are not "
                "read yet; statements pushed with an LRS credential are still accepted",
            }
        active = count_active(session, integration.id)
        backlog = fold_backlog(session, integration.company_id, integration.id)
        lag = (timestamps.now() - backlog.oldest).total_seconds() if backlog.oldest else None
        status, message = _connection(integration, active, backlog.statements, lag)
        return {
            "status": status,
            "message": message,
            "active_credentials": active,
            "last_statement_at": integration.last_sync_at,
            "fold_backlog": backlog.statements,
            "fold_lag_seconds": round(lag, 3) if lag is not None else None,
        }


def _test_api(integration: LMSIntegrationConfig) -> dict[str, Any]:
    """Authenticate with the LMS and read a page; the integration's connection status says
    how it went."""
    if integration.lms_type not in READ:
        known = ", ".join(sorted(t.value for t in READ))
        return {
            "status": "not_configured",
            "message": f"no API client reads {integration.lms_type.value} (those read: "
            f"{known}); statements pushed with an LRS credential are accepted",
        }
    try:
        report = test_connection(
            integration,
            hr_state().secrets.open(integration.authentication_config),
            private_networks=state().settings.providers_private_networks,
        )
    except ProviderError as exc:
        integration.connection_status = ConnectionStatus.ERROR
        request_session().commit()
        return {"status": "error", "message": exc.message}
    missing = report.missing_permissions
    integration.connection_status = ConnectionStatus.CONNECTED
    request_session().commit()
    message = f"connected to {report.site_name} ({report.release}); {len(report.courses)} courses"
    if missing:
        message += f"; the credentials lack {', '.join(missing)}: {report.remedy}"
    return {
        "status": "incomplete" if missing else "connected",
        "message": message,
        "api_version": report.release,
        "latency_ms": report.latency_ms,
        "missing_permissions": missing,
        "courses": report.courses,
    }


def _require_credentials(
    integration_id: uuid.UUID, lms_type: LmsType, method: IntegrationMethod, config: dict[str, Any]
) -> None:
    """An API integration's credentials must hold what its LMS's client needs, and an LTI
    platform's what a launch is checked against."""
    if method is IntegrationMethod.LTI:
        if problems := registration_problems(config):
            raise BadRequest(
                "an LTI platform's authentication_config needs "
                + ", ".join(path.rsplit(".", 1)[-1] for path in problems),
                [FieldError(path, message) for path, message in problems.items()],
            )
        if taken(request_session(), config["issuer"], config["client_id"], integration_id):
            raise Conflict(
                "another integration has registered this issuer and client_id: a platform's "
                "client id names one integration"
            )
    if method is not IntegrationMethod.API:
        return
    problems = config_problems(lms_type, config)
    if problems:
        raise BadRequest(
            f"reading {lms_type.value} through its API needs authentication_config with "
            + ", ".join(path.rsplit(".", 1)[-1] for path in problems),
            [FieldError(path, message) for path, message in problems.items()],
        )


def _keep_platform(integration: LMSIntegrationConfig, config: dict[str, Any]) -> None:
    """Where launches find an LTI platform: kept while the integration is one."""
    session = request_session()
    if integration.integration_method is IntegrationMethod.LTI:
        register(session, integration, config)
    elif (platform := session.get(LtiPlatform, integration.id)) is not None:
        session.delete(platform)
    session.flush()


def _connection(
    integration: LMSIntegrationConfig, active: int, backlog: int, lag: float | None
) -> tuple[str, str]:
    """A push integration's state, and what to do about it."""
    if not integration.is_active:
        return "inactive", (
            "the integration is deactivated and its credentials revoked; reactivate it "
            "(PATCH is_active: true) and issue a credential to receive statements again"
        )
    if not active:
        return "no_credentials", "issue an LRS credential for the LMS to push with"
    if lag is not None and lag > BACKLOG_ALERT_S:
        return "backlog", (
            f"{backlog} statements wait to be folded into HR records, the oldest for "
            f"{lag:.0f} s: check that lrs worker is running"
        )
    if integration.last_sync_at is None and not backlog:
        return "waiting", "credentials are active; no statement has arrived yet"
    return "receiving", "statements are arriving and being folded"


class RebuildSchema(Schema):
    enrollments = fields.Integer(required=True)
    rebuild_pending = fields.Boolean(required=True)


@blp.route("/<uuid:integration_id>/rebuild/")
class Rebuild(MethodView):
    @requires(*MANAGE)
    @blp.response(200, RebuildSchema)
    def post(self, integration_id: uuid.UUID) -> dict[str, Any]:
        """Refold the integration's HR records from its statements under its rules of now
        (after a change of field_mappings or transformation_rules)."""
        integration = callers_integration(integration_id)
        session = request_session()
        enrollments = rebuild(session, integration.company_id, integration.id)
        audit_event(
            "rebuild", "lms_integration", integration.id, after={"enrollments": enrollments}
        )
        session.commit()
        # Rules changed while it ran leave the integration pending still.
        session.refresh(integration)
        pending = integration.rebuild_pending_since is not None
        return {"enrollments": enrollments, "rebuild_pending": pending}
