"""The shell's after-commit hook: statements a request stored are folded into HR records once
its transaction has committed, when configured to; otherwise `lrs worker` folds them."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from sqlalchemy import select

from lrs import app as app_module
from lrs.app import create_app
from lrs.context import state
from mapping.choices import EnrollmentStatus
from mapping.identity import EmployeeRecord, upsert_employees
from mapping.models import LMSCourseEnrollment
from statements.models import StatementOutbox
from statements.timestamps import now
from tests.factories import COMPLETED, CompanyFactory, IntegrationFactory, statement
from tests.xapi_client import new_credential

COURSE = {
    "id": "http://example.com/course/safety",
    "definition": {"type": "http://adlnet.gov/expapi/activities/course"},
}


@pytest.fixture
def lms_app(settings, connection, db_session):
    def make(fold_immediately: bool):
        app = create_app(replace(settings, fold_immediately=fold_immediately), bind=connection)
        state(app).make_session.configure(join_transaction_mode="create_savepoint")
        company = CompanyFactory()
        integration = IntegrationFactory(company_id=company.id)
        upsert_employees(
            db_session, company.id, [EmployeeRecord("E1", "Ann", "ann@example.com")], now()
        )
        return new_credential(app, scopes=["all"], company=company, integration_id=integration.id)

    return make


def outbox(db_session, ids):
    return db_session.scalars(
        select(StatementOutbox.statement_id).where(
            StatementOutbox.statement_id.in_([uuid.UUID(i) for i in ids])
        )
    ).all()


def test_committed_statements_are_folded_at_once_when_configured(lms_app, db_session):
    lms = lms_app(fold_immediately=True)
    ids = lms.store(statement("ann", COMPLETED, COURSE))
    [enrollment] = db_session.scalars(
        select(LMSCourseEnrollment).where(LMSCourseEnrollment.company_id == lms.company.id)
    ).all()
    assert enrollment.enrollment_status == EnrollmentStatus.COMPLETED
    assert outbox(db_session, ids) == []


def test_otherwise_they_wait_in_the_outbox_for_the_worker(lms_app, db_session):
    lms = lms_app(fold_immediately=False)
    ids = lms.store(statement("ann", COMPLETED, COURSE))
    assert (
        db_session.scalars(
            select(LMSCourseEnrollment).where(LMSCourseEnrollment.company_id == lms.company.id)
        ).all()
        == []
    )
    assert [str(i) for i in outbox(db_session, ids)] == ids


def test_a_failing_fold_keeps_the_statements_and_their_outbox_rows(
    lms_app, db_session, monkeypatch
):
    folded: list[list[str]] = []

    def broken(_session, _company_id, statement_ids):
        folded.append([str(i) for i in statement_ids])
        raise RuntimeError("the fold broke")

    monkeypatch.setattr(app_module, "fold_now", broken)
    lms = lms_app(fold_immediately=True)
    ids = lms.store(statement("ann", COMPLETED, COURSE))
    assert folded == [ids]  # the fold was tried, and broke
    assert lms.get({"statementId": ids[0]}).status_code == 200
    assert [str(i) for i in outbox(db_session, ids)] == ids
