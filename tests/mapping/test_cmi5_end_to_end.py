"""A cmi5 course session posted to /xapi/statements becomes an HR enrollment and lesson."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from mapping.choices import EnrollmentStatus, ProgressStatus
from mapping.identity import EmployeeRecord, upsert_employees
from mapping.models import LMSCourseEnrollment, LMSLearningProgress, RecordEvidence
from mapping.outbox import process_batch
from statements.timestamps import now
from tests.factories import IntegrationFactory
from tests.mapping.cmi5 import AU, COURSE, cmi5_session
from tests.xapi_client import new_credential


def test_cmi5_session_becomes_a_completed_enrollment_with_its_lesson(app, db_session, xapi):
    integration = IntegrationFactory(company_id=xapi.company.id)
    [ann] = upsert_employees(
        db_session, xapi.company.id, [EmployeeRecord("E1", "Ann", "ann@example.com")], now()
    )
    lms = new_credential(app, scopes=["all"], company=xapi.company, integration_id=integration.id)
    statements = cmi5_session()
    ids = lms.store(*statements)
    process_batch(db_session)

    enrollment = db_session.scalars(select(LMSCourseEnrollment)).one()
    assert (enrollment.employee_id, enrollment.lms_integration_id) == (ann.id, integration.id)
    assert enrollment.course_activity_id == COURSE
    assert enrollment.course_name == "Fire Safety"
    assert enrollment.enrollment_status == EnrollmentStatus.COMPLETED
    assert enrollment.enrollment_date == date(2026, 3, 2)
    assert enrollment.start_date == date(2026, 3, 2)
    assert enrollment.completion_date == date(2026, 3, 2)
    assert enrollment.progress_percentage == Decimal("100.00")
    assert enrollment.score_achieved == Decimal("90.00")
    assert enrollment.passing_score == Decimal("80.00")
    assert enrollment.time_spent_minutes == 21
    assert enrollment.total_access_count == 1

    lesson = db_session.scalars(select(LMSLearningProgress)).one()
    assert lesson.lesson_activity_id == AU
    assert lesson.enrollment_id == enrollment.id
    assert lesson.progress_status == ProgressStatus.COMPLETED
    assert lesson.attempts_count == 1
    assert lesson.score_achieved == Decimal("90.00")
    assert lesson.time_spent_seconds == 21 * 60
    assert lesson.completion_percentage == Decimal("100.00")

    evidence = set(
        db_session.scalars(
            select(RecordEvidence.statement_id).where(RecordEvidence.record_id == enrollment.id)
        )
    )
    assert {str(e) for e in evidence} == set(ids)
