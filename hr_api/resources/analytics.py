"""/api/lms-analytics/: enrollment figures computed by the database, grouped on request."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import ColumnElement, Float, Select, case, cast, func, select
from sqlalchemy.orm import Session

from hr_api.context import current_access
from hr_api.pagination import QuerySchema, where_equal
from hr_api.resources.common import enrolled_between, overdue
from lrs.context import request_session
from mapping.choices import EnrollmentStatus
from mapping.models import Employee, LMSCourseEnrollment

blp = Blueprint("lms-analytics", __name__, description="Learning analytics")
GROUPS = ("course", "department", "month")


class AnalyticsQuery(QuerySchema):
    date_from = fields.Date()
    date_to = fields.Date()
    lms_integration_id = fields.UUID()
    group_by = fields.String(validate=validate.OneOf(GROUPS))


class FiguresSchema(Schema):
    group = fields.String(allow_none=True)
    course_id = fields.String(metadata={"description": "the course's IRI, when grouped by course"})
    enrollments = fields.Integer(required=True)
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    completion_rate = fields.Float(allow_none=True)
    pass_rate = fields.Float(allow_none=True)
    average_score = fields.Float(allow_none=True)
    average_time_minutes = fields.Float(allow_none=True)
    overdue_mandatory = fields.Integer(required=True)
    overdue_compliance = fields.Integer(required=True)


class AnalyticsSchema(Schema):
    totals = fields.Nested(FiguresSchema, required=True)
    groups = fields.List(fields.Nested(FiguresSchema), required=True)


@blp.route("/")
class Analytics(MethodView):
    @blp.arguments(AnalyticsQuery, location="query")
    @blp.response(200, AnalyticsSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Enrollments by status, completion and pass rates, average score and time, and
        overdue mandatory and compliance training, for the employees you may see."""
        access = current_access()
        access.require("can_access_analytics", "can_view_reports")
        session = request_session()
        e = LMSCourseEnrollment
        group_by = query.get("group_by")
        statement = (
            select().select_from(e).where(access.visible_records(e.company_id, e.employee_id))
        )
        filters = {"lms_integration_id": e.lms_integration_id}
        statement = enrolled_between(where_equal(statement, query, filters), query)
        if group_by == "department":
            statement = statement.join(Employee, Employee.id == e.employee_id)
        group = _group_column(session, group_by)
        if group_by == "course":
            # Named as people know them, counted apart: two courses may share a name.
            statement = statement.add_columns(e.course_activity_id.label("course_id"))
            statement = statement.group_by(e.course_activity_id)
        rows = _sums(session, statement, group)
        totals = {name: sum(row[name] for row in rows) for name in SUMS}
        return {
            "totals": _figures(None, totals),
            "groups": [
                _figures(row["group"], row)
                | ({"course_id": row["course_id"]} if "course_id" in row else {})
                for row in rows
            ]
            if group is not None
            else [],
        }


def _group_column(session: Session, group_by: str | None) -> Any:
    e = LMSCourseEnrollment
    if group_by == "course":
        return e.course_name
    if group_by == "department":
        return func.coalesce(Employee.department_name, "")
    if group_by == "month":
        if session.get_bind().dialect.name == "postgresql":
            return func.to_char(e.enrollment_date, "YYYY-MM")
        return func.strftime("%Y-%m", e.enrollment_date)
    return None


SUMS = (
    "enrollments",
    "completed",
    "scored",
    "passed",
    "score_count",
    "score_sum",
    "time_count",
    "time_sum",
    "overdue_mandatory",
    "overdue_compliance",
    *(status.value for status in EnrollmentStatus),
)


def _sums(session: Session, statement: Select[Any], group: Any) -> list[dict[str, Any]]:
    """Counts and sums per group (one row when `group` is None). Sums rather than averages,
    so that the totals are the sums of the groups and one query answers both."""
    e = LMSCourseEnrollment
    completed = e.enrollment_status == EnrollmentStatus.COMPLETED
    scored = e.score_achieved.is_not(None) & e.passing_score.is_not(None)
    open_and_due = overdue(date.today())

    def count_of(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    if group is not None:
        statement = statement.add_columns(group.label("group")).group_by(group).order_by(group)
    statement = statement.add_columns(
        func.count().label("enrollments"),
        count_of(completed).label("completed"),
        count_of(scored).label("scored"),
        count_of(scored & (e.score_achieved >= e.passing_score)).label("passed"),
        func.count(e.score_achieved).label("score_count"),
        func.coalesce(func.sum(cast(e.score_achieved, Float)), 0).label("score_sum"),
        func.count(e.time_spent_minutes).label("time_count"),
        func.coalesce(func.sum(e.time_spent_minutes), 0).label("time_sum"),
        count_of(open_and_due & e.is_mandatory).label("overdue_mandatory"),
        count_of(open_and_due & e.is_compliance_training).label("overdue_compliance"),
        *(count_of(e.enrollment_status == s).label(s.value) for s in EnrollmentStatus),
    )
    return [dict(row) for row in session.execute(statement).mappings()]


def _figures(group: str | None, sums: dict[str, Any]) -> dict[str, Any]:
    """The published figures of one group (or of all) from its counts and sums."""

    def ratio(part: float, whole: float) -> float | None:
        return round(part / whole, 4) if whole else None

    def average(name: str) -> float | None:
        count = sums[f"{name}_count"]
        return round(float(sums[f"{name}_sum"]) / count, 2) if count else None

    return {
        "group": group,
        "enrollments": sums["enrollments"],
        "by_status": {status.value: sums[status.value] for status in EnrollmentStatus},
        "completion_rate": ratio(sums["completed"], sums["enrollments"]),
        "pass_rate": ratio(sums["passed"], sums["scored"]),
        "average_score": average("score"),
        "average_time_minutes": average("time"),
        "overdue_mandatory": sums["overdue_mandatory"],
        "overdue_compliance": sums["overdue_compliance"],
    }
