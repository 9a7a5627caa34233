"""/api/lms-integrations/{id}/sync/ and sync-runs/: polls of an API integration's LMS, asked
for now or made by the scheduler (`lrs scheduler` runs them), and what each read and
stored."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields
from sqlalchemy import select

from hr_api.context import audit_event, current_access, requires
from hr_api.pagination import PageQuery, page_of, paginate
from hr_api.resources.integrations import MANAGE, blp, callers_integration
from lrs.context import request_session
from mapping.choices import IntegrationMethod, SyncRunStatus
from mapping.models import SyncRun
from mapping.providers.connect import READ
from mapping.providers.sync import queue
from statements.errors import Conflict

OPEN = (SyncRunStatus.QUEUED, SyncRunStatus.RUNNING)


class SyncRunSchema(Schema):
    id = fields.UUID(dump_only=True)
    status = fields.Enum(SyncRunStatus, by_value=True, dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    started_at = fields.DateTime(dump_only=True, allow_none=True)
    finished_at = fields.DateTime(dump_only=True, allow_none=True)
    pages_read = fields.Integer(dump_only=True, metadata={"description": "API requests answered"})
    records_read = fields.Integer(dump_only=True)
    statements_stored = fields.Integer(dump_only=True)
    duplicates_skipped = fields.Integer(
        dump_only=True, metadata={"description": "statements read that were stored before"}
    )
    error = fields.String(dump_only=True)
    watermark = fields.Dict(dump_only=True)


@blp.route("/<uuid:integration_id>/sync/")
class Sync(MethodView):
    @requires(*MANAGE)
    @blp.response(202, SyncRunSchema)
    def post(self, integration_id: uuid.UUID) -> SyncRun:
        """Poll the integration's LMS now: the run, queued for the scheduler (or the run
        already queued or running)."""
        integration = callers_integration(integration_id)
        session = request_session()
        if integration.integration_method is not IntegrationMethod.API:
            raise Conflict(
                f"only API integrations are polled; this one's LMS pushes its statements "
                f"({integration.integration_method.value})"
            )
        if not integration.is_active:
            raise Conflict("the integration is deactivated; reactivate it to poll its LMS")
        if integration.lms_type not in READ:
            raise Conflict(
                f"no API client reads {integration.lms_type.value}: its LMS pushes statements "
                "with an LRS credential"
            )
        running = session.scalars(
            select(SyncRun)
            .where(SyncRun.lms_integration_id == integration.id, SyncRun.status.in_(OPEN))
            .order_by(SyncRun.created_at)
        ).first()
        if running is not None:
            return running
        run = queue(session, integration, current_access().user_id)
        audit_event("sync", "lms_integration", integration.id, after={"sync_run_id": str(run.id)})
        session.commit()
        return run


@blp.route("/<uuid:integration_id>/sync-runs/")
class SyncRuns(MethodView):
    @requires(*MANAGE)
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(SyncRunSchema))
    def get(self, query: dict[str, Any], integration_id: uuid.UUID) -> dict[str, Any]:
        """The integration's sync runs, newest first."""
        integration = callers_integration(integration_id)
        statement = (
            select(SyncRun)
            .where(SyncRun.lms_integration_id == integration.id)
            .order_by(SyncRun.created_at.desc(), SyncRun.id)
        )
        return paginate(request_session(), statement, query["page"], query["page_size"])
