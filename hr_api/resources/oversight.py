"""/api/lms-unmatched-learners/ and /api/audit-log/: what needs a person's attention."""

from __future__ import annotations

import math
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from hr_api.context import current_access
from hr_api.models import AuditEvent
from hr_api.pagination import PageQuery, page_of, paginate, where_equal
from hr_api.resources.common import owned
from lrs.context import request_session
from mapping.identity import count_unmatched_learners, unmatched_learners
from mapping.models import LMSIntegrationConfig

unmatched = Blueprint(
    "lms-unmatched-learners", __name__, description="Learners the identity map does not know"
)
audit_log = Blueprint("audit-log", __name__, description="The tamper-evident audit trail")


class UnmatchedQuery(PageQuery):
    lms_integration_id = fields.UUID()


class UnmatchedSchema(Schema):
    lms_integration_id = fields.UUID(allow_none=True)
    agent_key = fields.String(required=True)
    agent = fields.Dict(required=True)
    statements = fields.Integer(required=True)
    first_stored = fields.DateTime(required=True)
    last_stored = fields.DateTime(required=True)


class AuditQuery(PageQuery):
    object_type = fields.String(validate=validate.Length(max=60))
    object_id = fields.String(validate=validate.Length(max=100))
    action = fields.String(validate=validate.Length(max=40))


class AuditEventSchema(Schema):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor_user_id = fields.UUID(allow_none=True)
    action = fields.String(required=True)
    object_type = fields.String(required=True)
    object_id = fields.String(required=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    request_id = fields.String(required=True)
    previous_hash = fields.String(required=True)
    hash = fields.String(required=True)


@unmatched.route("/")
class UnmatchedLearners(MethodView):
    @unmatched.arguments(UnmatchedQuery, location="query")
    @unmatched.response(200, page_of(UnmatchedSchema))
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Learners statements are about whom the identity map does not know, most
        statements first; load them through /api/employees/ and their records are folded."""
        access = current_access()
        access.require("can_manage_integrations", "can_manage_lms_config")
        session = request_session()
        integration_id = query.get("lms_integration_id")
        if integration_id is not None:
            owned(session, LMSIntegrationConfig, integration_id, access, "LMS integration")
        page, size = query["page"], query["page_size"]
        total = count_unmatched_learners(session, access.company_id, integration_id)
        learners = unmatched_learners(
            session, access.company_id, integration_id, offset=(page - 1) * size, limit=size
        )
        return {
            "items": learners,
            "page": page,
            "page_size": size,
            "total": total,
            "pages": math.ceil(total / size),
        }


@audit_log.route("/")
class AuditLog(MethodView):
    @audit_log.arguments(AuditQuery, location="query")
    @audit_log.response(200, page_of(AuditEventSchema))
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The company's audit trail, newest first."""
        access = current_access()
        access.require("can_view_audit_logs")
        statement = select(AuditEvent).where(AuditEvent.company_id == access.company_id)
        filters = {
            "object_type": AuditEvent.object_type,
            "object_id": AuditEvent.object_id,
            "action": AuditEvent.action,
        }
        statement = where_equal(statement, query, filters)
        statement = statement.order_by(AuditEvent.id.desc())
        return paginate(request_session(), statement, query["page"], query["page_size"])
