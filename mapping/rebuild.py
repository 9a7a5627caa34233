"""Replaying the statement history into HR records from scratch (`lrs mapping rebuild`)."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from mapping.keys import EnrollmentKey
from mapping.models import LMSCourseEnrollment, LMSIntegrationConfig, UnmatchedStatement
from mapping.records import CompanyRecords
from statements import timestamps
from statements.db import chunks
from statements.models import StatementRow

CHUNK = 2000  # statements
ENROLLMENTS = 500  # recomputed at once


def rebuild(
    session: Session, company_id: uuid.UUID, integration_id: uuid.UUID | None = None
) -> int:
    """Delete the derived records of a company (or one of its integrations) and fold every
    stored statement again; return the number of enrollments written. The result is the
    same as folding the statements as they arrived, under the integrations' rules of now, so
    no rebuild is pending after it."""
    started = timestamps.now()
    enrollments = delete(LMSCourseEnrollment).where(LMSCourseEnrollment.company_id == company_id)
    unmatched = delete(UnmatchedStatement).where(UnmatchedStatement.company_id == company_id)
    statements = select(StatementRow.id).where(
        StatementRow.company_id == company_id, StatementRow.integration_id.is_not(None)
    )
    if integration_id is not None:
        enrollments = enrollments.where(LMSCourseEnrollment.lms_integration_id == integration_id)
        unmatched = unmatched.where(UnmatchedStatement.lms_integration_id == integration_id)
        statements = statements.where(StatementRow.integration_id == integration_id)
    session.execute(enrollments)
    session.execute(unmatched)
    ids = list(session.scalars(statements.order_by(StatementRow.stored, StatementRow.id)))
    keys: set[EnrollmentKey] = set()
    # A CompanyRecords per chunk: it keeps what it reads, and a company's history need not
    # fit in memory.
    for some_ids in chunks(ids, CHUNK):
        keys.update(CompanyRecords(session, company_id).touched_by(some_ids))
    for some_keys in chunks(sorted(keys), ENROLLMENTS):
        CompanyRecords(session, company_id).recompute(some_keys)
    # A change of rules made while this rebuild ran leaves it pending.
    pending = update(LMSIntegrationConfig).where(
        LMSIntegrationConfig.company_id == company_id,
        LMSIntegrationConfig.rebuild_pending_since <= started,
    )
    if integration_id is not None:
        pending = pending.where(LMSIntegrationConfig.id == integration_id)
    session.execute(pending.values(rebuild_pending_since=None))
    written = select(func.count()).where(LMSCourseEnrollment.company_id == company_id)
    if integration_id is not None:
        written = written.where(LMSCourseEnrollment.lms_integration_id == integration_id)
    return session.scalar(written) or 0
