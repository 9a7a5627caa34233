"""/api/lms-enrollments/ and /api/lms-progress/: the HR view of learning records."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from hr_api.assignments import assign
from hr_api.context import audit_event, audit_read, current_access, requires
from hr_api.pagination import NoQuery, PageQuery, page_of, paginate, where_equal
from hr_api.resources.common import enrolled_between, mask, overdue, owned, visible_employee
from hr_api.validation import recent_due_date
from lrs.context import request_session
from mapping.choices import (
    CourseType,
    EnrollmentSource,
    EnrollmentStatus,
    LessonType,
    OutboundStatus,
    ProgressStatus,
)
from mapping.fold import HR_STATUSES
from mapping.models import (
    DataQualityFinding,
    Employee,
    LMSCourseEnrollment,
    LMSIntegrationConfig,
    LMSLearningProgress,
    LtiGradeLink,
    OutboundEnrolment,
    RecordEvidence,
)
from statements.db import one_of
from statements.errors import NotFound
from statements.formats import IRI
from statements.models import Company

enrollments = Blueprint("lms-enrollments", __name__, description="Course enrollments")
progress = Blueprint("lms-progress", __name__, description="Lesson progress behind an enrollment")
READ = ("can_view_progress",)
ENROLL = ("can_enroll_learners",)
# What the learner achieved is personal; the course's maximum and passing scores are not.
SCORES = ("score_achieved",)
FREE_TEXT = ("waiver_reason", "grade_achieved")


class LmsEnrollmentSchema(Schema):
    """The enrolment in the LMS that an assignment asked for, where the LMS enrols through
    its API (mapping.providers.outbound)."""

    status = fields.Enum(OutboundStatus, by_value=True, required=True)
    message = fields.String(required=True)
    attempts = fields.Integer(required=True)
    updated_at = fields.DateTime(required=True)


class LtiGradeSchema(Schema):
    """Where the learner's result goes back to an LMS (LTI line items they launched)."""

    lineitem = fields.String(required=True)
    sent_at = fields.DateTime(allow_none=True)
    attempts = fields.Integer(required=True)
    message = fields.String(required=True)


class EnrollmentSchema(Schema):
    id = fields.UUID(required=True)
    lms_integration_id = fields.UUID(required=True)
    employee_id = fields.UUID(required=True)
    enrollment_number = fields.String(required=True)
    course_id = fields.String(required=True)
    course_activity_id = fields.String(required=True)
    course_name = fields.String(required=True)
    course_code = fields.String(required=True)
    course_type = fields.Enum(CourseType, by_value=True, required=True)
    enrollment_status = fields.Enum(EnrollmentStatus, by_value=True, required=True)
    enrollment_date = fields.Date(required=True)
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    completion_date = fields.Date(allow_none=True)
    due_date = fields.Date(allow_none=True)
    progress_percentage = fields.Decimal(as_string=True, required=True)
    time_spent_minutes = fields.Integer(required=True)
    score_achieved = fields.Decimal(as_string=True, allow_none=True)
    max_score = fields.Decimal(as_string=True, allow_none=True)
    passing_score = fields.Decimal(as_string=True, allow_none=True)
    grade_achieved = fields.String(allow_none=True)
    instructor_name = fields.String()
    credits_earned = fields.Decimal(as_string=True, required=True)
    is_mandatory = fields.Boolean(required=True)
    is_compliance_training = fields.Boolean(required=True)
    enrollment_source = fields.Enum(EnrollmentSource, by_value=True, required=True)
    waiver_reason = fields.String(allow_none=True)
    last_access_date = fields.DateTime(allow_none=True)
    total_access_count = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    masked_fields = fields.List(fields.String(), required=True)
    lti_grades = fields.List(fields.Nested(LtiGradeSchema), required=True)
    lms_enrollment = fields.Nested(
        LmsEnrollmentSchema,
        allow_none=True,
        metadata={"description": "the enrolment asked of the LMS; null where none was"},
    )


class EnrollmentQuery(PageQuery):
    employee_id = fields.UUID()
    status = fields.Enum(EnrollmentStatus, by_value=True)
    date_from = fields.Date()
    date_to = fields.Date()
    course_id = fields.String(validate=validate.Length(1, 2000))
    lms_integration_id = fields.UUID()
    is_mandatory = fields.Boolean()
    is_compliance_training = fields.Boolean()
    overdue = fields.Boolean(metadata={"description": "past the due date and not completed"})
    due_from = fields.Date()
    due_to = fields.Date()


class EnrollmentCreateSchema(Schema):
    employee_id = fields.UUID(required=True)
    lms_integration_id = fields.UUID(required=True)
    course_activity_id = fields.String(
        required=True,
        validate=validate.Regexp(
            IRI, error="must be an IRI such as https://lms.example.com/courses/42"
        ),
    )
    course_name = fields.String(load_default="", validate=validate.Length(max=200))
    due_date = fields.Date(load_default=None, allow_none=True, validate=recent_due_date)
    is_mandatory = fields.Boolean(load_default=False)
    is_compliance_training = fields.Boolean(load_default=False)


class EnrollmentUpdateSchema(Schema):
    due_date = fields.Date(allow_none=True, validate=recent_due_date)
    is_mandatory = fields.Boolean()
    is_compliance_training = fields.Boolean()
    hr_status = fields.String(
        allow_none=True,
        validate=validate.OneOf(sorted(HR_STATUSES)),
        metadata={
            "description": "on_hold, dropped or expired; null returns to the learning status"
        },
    )


class LessonSchema(Schema):
    id = fields.UUID(required=True)
    lesson_id = fields.String(required=True)
    lesson_activity_id = fields.String(required=True)
    lesson_name = fields.String(required=True)
    lesson_type = fields.Enum(LessonType, by_value=True, required=True)
    progress_status = fields.Enum(ProgressStatus, by_value=True, required=True)
    completion_date = fields.DateTime(allow_none=True)
    time_spent_seconds = fields.Integer(required=True)
    first_access_date = fields.DateTime(allow_none=True)
    last_access_date = fields.DateTime(allow_none=True)
    score_achieved = fields.Decimal(as_string=True, allow_none=True)
    max_score = fields.Decimal(as_string=True, allow_none=True)
    attempts_count = fields.Integer(required=True)
    completion_percentage = fields.Decimal(as_string=True, required=True)
    statement_ids = fields.List(fields.UUID(), required=True)
    masked_fields = fields.List(fields.String(), required=True)


class FindingSchema(Schema):
    rule = fields.String(required=True)
    message = fields.String(required=True)
    record_id = fields.UUID(required=True)
    statement_id = fields.UUID(allow_none=True)
    found_at = fields.DateTime(required=True)


class ProgressSchema(Schema):
    enrollment = fields.Nested(EnrollmentSchema, required=True)
    lessons = fields.List(fields.Nested(LessonSchema), required=True)
    statement_ids = fields.List(fields.UUID(), required=True)
    findings = fields.List(fields.Nested(FindingSchema), required=True)


def _sees_scores() -> bool:
    access = current_access()
    return any(
        access.can(p)
        for p in ("can_view_reports", "can_manage_assessments", "can_access_analytics")
    )


def _dump(enrollment: LMSCourseEnrollment) -> dict[str, Any]:
    return _dumped([enrollment])[0]


def _dumped(enrollments: Sequence[LMSCourseEnrollment]) -> list[dict[str, Any]]:
    """The enrollments as the API shows them, masked for the caller, with the grade links
    and LMS enrolments of the whole page read in one query each."""
    access = current_access()
    session = request_session()
    ids = [e.id for e in enrollments]
    grades: dict[uuid.UUID, list[LtiGradeLink]] = {}
    for link in session.scalars(
        select(LtiGradeLink).where(one_of(session, LtiGradeLink.enrollment_id, ids))
    ):
        grades.setdefault(link.enrollment_id, []).append(link)
    asked = {
        row.enrollment_id: row
        for row in session.scalars(
            select(OutboundEnrolment).where(one_of(session, OutboundEnrolment.enrollment_id, ids))
        )
    }
    found = []
    for enrollment in enrollments:
        own = enrollment.employee_id == access.employee_id
        data = {c.name: getattr(enrollment, c.name) for c in LMSCourseEnrollment.__table__.columns}
        data["lti_grades"] = grades.get(enrollment.id, [])
        data["lms_enrollment"] = asked.get(enrollment.id)
        data = mask(data, SCORES, own or _sees_scores())
        found.append(mask(data, FREE_TEXT, own or access.can("can_view_reports")))
    return found


def _visible_enrollment(enrollment_id: uuid.UUID) -> LMSCourseEnrollment:
    access = current_access()
    enrollment = request_session().scalar(
        select(LMSCourseEnrollment).where(
            LMSCourseEnrollment.id == enrollment_id,
            access.visible_records(LMSCourseEnrollment.company_id, LMSCourseEnrollment.employee_id),
        )
    )
    if enrollment is None:
        raise NotFound(f"no enrollment {enrollment_id} you may see")
    return enrollment


@enrollments.route("/")
class Enrollments(MethodView):
    @enrollments.arguments(EnrollmentQuery, location="query")
    @enrollments.response(200, page_of(EnrollmentSchema))
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Enrollments of the employees you may see."""
        access = current_access()
        access.require(*READ)
        e = LMSCourseEnrollment
        statement = select(e).where(access.visible_records(e.company_id, e.employee_id))
        filters = {
            "employee_id": e.employee_id,
            "status": e.enrollment_status,
            "lms_integration_id": e.lms_integration_id,
            "is_mandatory": e.is_mandatory,
            "is_compliance_training": e.is_compliance_training,
        }
        statement = enrolled_between(where_equal(statement, query, filters), query)
        if "overdue" in query:
            late = overdue(date.today())
            statement = statement.where(late if query["overdue"] else ~late)
        if "due_from" in query:
            statement = statement.where(e.due_date >= query["due_from"])
        if "due_to" in query:
            statement = statement.where(e.due_date <= query["due_to"])
        if "course_id" in query:
            statement = statement.where(
                (e.course_id == query["course_id"]) | (e.course_activity_id == query["course_id"])
            )
        statement = statement.order_by(e.enrollment_date.desc(), e.id.desc())
        page = paginate(request_session(), statement, query["page"], query["page_size"])
        page["items"] = _dumped(page["items"])
        audit_read("lms_enrollments", query, page["items"])
        request_session().commit()
        return page

    @requires(*ENROLL)
    @enrollments.arguments(EnrollmentCreateSchema)
    @enrollments.response(201, EnrollmentSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Assign a course: recorded as a statement with the HR system as authority, and
        folded at once."""
        access = current_access()
        session = request_session()
        employee = visible_employee(session, access, data["employee_id"])
        integration = owned(
            session, LMSIntegrationConfig, data["lms_integration_id"], access, "LMS integration"
        )
        company = session.get(Company, access.company_id)
        assert company is not None
        enrollment_id = assign(
            session,
            company=company,
            employee=employee,
            integration=integration,
            course_activity_id=data["course_activity_id"],
            course_name=data["course_name"],
            due_date=data["due_date"],
            is_mandatory=data["is_mandatory"],
            is_compliance_training=data["is_compliance_training"],
        )
        enrollment = session.get(LMSCourseEnrollment, enrollment_id)
        assert enrollment is not None
        created = _dump(enrollment)
        audit_event("create", "lms_enrollment", enrollment.id, after=created)
        session.commit()
        return created


@enrollments.route("/<uuid:enrollment_id>/")
class EnrollmentItem(MethodView):
    @enrollments.arguments(NoQuery, location="query")
    @enrollments.response(200, EnrollmentSchema)
    def get(self, _query: dict[str, Any], enrollment_id: uuid.UUID) -> dict[str, Any]:
        """An enrollment (access is logged)."""
        current_access().require(*READ)
        enrollment = _visible_enrollment(enrollment_id)
        audit_event("read", "lms_enrollment", enrollment.id)
        request_session().commit()
        return _dump(enrollment)

    @requires(*ENROLL)
    @enrollments.arguments(EnrollmentUpdateSchema)
    @enrollments.response(200, EnrollmentSchema)
    def patch(self, data: dict[str, Any], enrollment_id: uuid.UUID) -> dict[str, Any]:
        """Change the HR-owned fields: due date, mandatory and compliance flags, HR status.
        The change is recorded as a statement too."""
        access = current_access()
        session = request_session()
        enrollment = _visible_enrollment(enrollment_id)
        before = _dump(enrollment)
        employee = session.get(Employee, enrollment.employee_id)
        integration = session.get(LMSIntegrationConfig, enrollment.lms_integration_id)
        company = session.get(Company, access.company_id)
        assert employee is not None and integration is not None and company is not None
        status = enrollment.enrollment_status.value
        assign(
            session,
            company=company,
            employee=employee,
            integration=integration,
            course_activity_id=enrollment.course_activity_id,
            course_name="",
            due_date=data.get("due_date", enrollment.due_date),
            is_mandatory=data.get("is_mandatory", enrollment.is_mandatory),
            is_compliance_training=data.get(
                "is_compliance_training", enrollment.is_compliance_training
            ),
            hr_status=data["hr_status"]
            if "hr_status" in data
            else (status if status in HR_STATUSES else None),
            change=True,
        )
        session.expire(enrollment)
        after = _dump(enrollment)
        audit_event("update", "lms_enrollment", enrollment.id, before=before, after=after)
        session.commit()
        return after


@progress.route("/<uuid:enrollment_id>/")
class Progress(MethodView):
    @progress.arguments(NoQuery, location="query")
    @progress.response(200, ProgressSchema)
    def get(self, _query: dict[str, Any], enrollment_id: uuid.UUID) -> dict[str, Any]:
        """Lesson progress, scores, attempts, time and the statements behind them."""
        access = current_access()
        access.require(*READ)
        session = request_session()
        enrollment = _visible_enrollment(enrollment_id)
        own = enrollment.employee_id == access.employee_id
        lessons = session.scalars(
            select(LMSLearningProgress)
            .where(LMSLearningProgress.enrollment_id == enrollment.id)
            .order_by(LMSLearningProgress.first_access_date, LMSLearningProgress.lesson_activity_id)
        ).all()
        evidence: dict[uuid.UUID, list[uuid.UUID]] = {}
        for record_id, statement_id in session.execute(
            select(RecordEvidence.record_id, RecordEvidence.statement_id)
            .where(RecordEvidence.enrollment_id == enrollment.id)
            .order_by(RecordEvidence.statement_id)
        ):
            evidence.setdefault(record_id, []).append(statement_id)
        findings = session.scalars(
            select(DataQualityFinding)
            .where(DataQualityFinding.enrollment_id == enrollment.id)
            .order_by(DataQualityFinding.found_at, DataQualityFinding.rule)
        ).all()
        lesson_rows = [
            mask(
                {c.name: getattr(lesson, c.name) for c in LMSLearningProgress.__table__.columns}
                | {"statement_ids": evidence.get(lesson.id, [])},
                SCORES,
                own or _sees_scores(),
            )
            for lesson in lessons
        ]
        audit_event("read", "lms_progress", enrollment.id)
        session.commit()
        return {
            "enrollment": _dump(enrollment),
            "lessons": lesson_rows,
            "statement_ids": evidence.get(enrollment.id, []),
            "findings": findings,
        }
