"""/api/lms-analytics/: enrollment figures computed by the database, grouped on request."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import Float, case, cast, func, select
from sqlalchemy.orm import Session

from hr_api.context import current_access
from lrs.context import request_session
from mapping.choices import EnrollmentStatus
from mapping.models import Employee, LMSCourseEnrollment

blp = Blueprint("lms-analytics", __name__, description="Learning analytics")
GROUPS = ("course", "department", "month")


class AnalyticsQuery(Schema):
    date_from = fields.Date()
    date_to = fields.Date()
    lms_integration_id = fields.UUID()
    group_by = fields.String(validate=validate.OneOf(GROUPS))


class FiguresSchema(Schema):
    group = fields.String(allow_none=True)
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
        group_column = _group_column(session, query.get("group_by"))
        conditions = [access.visible_employees()]
        e = LMSCourseEnrollment
        if "date_from" in query:
            conditions.append(e.enrollment_date >= query["date_from"])
        if "date_to" in query:
            conditions.append(e.enrollment_date <= query["date_to"])
        if "lms_integration_id" in query:
            conditions.append(e.lms_integration_id == query["lms_integration_id"])
        totals = _figures(session, conditions, None)
        groups = _figures(session, conditions, group_column) if group_column is not None else []
        return {"totals": totals[0] if totals else _empty(), "groups": groups}


def _group_column(session: Session, group_by: str | None) -> Any:
    e = LMSCourseEnrollment
    if group_by == "course":
        return e.course_id
    if group_by == "department":
        return func.coalesce(Employee.department_name, "")
    if group_by == "month":
        if session.get_bind().dialect.name == "postgresql":
            return func.to_char(e.enrollment_date, "YYYY-MM")
        return func.strftime("%Y-%m", e.enrollment_date)
    return None


def _figures(session: Session, conditions: list[Any], group: Any) -> list[dict[str, Any]]:
    e = LMSCourseEnrollment
    today = date.today()
    completed = e.enrollment_status == EnrollmentStatus.COMPLETED
    scored = e.score_achieved.is_not(None) & e.passing_score.is_not(None)
    open_and_due = (~completed) & e.due_date.is_not(None) & (e.due_date < today)
    columns = [
        func.count().label("enrollments"),
        func.sum(case((completed, 1), else_=0)).label("completed"),
        func.sum(case((scored, 1), else_=0)).label("scored"),
        func.sum(case((scored & (e.score_achieved >= e.passing_score), 1), else_=0)).label(
            "passed"
        ),
        func.avg(cast(e.score_achieved, Float)).label("average_score"),
        func.avg(cast(e.time_spent_minutes, Float)).label("average_time"),
        func.sum(case((open_and_due & e.is_mandatory, 1), else_=0)).label("overdue_mandatory"),
        func.sum(case((open_and_due & e.is_compliance_training, 1), else_=0)).label(
            "overdue_compliance"
        ),
    ]
    statuses = [
        func.sum(case((e.enrollment_status == status, 1), else_=0)).label(status.value)
        for status in EnrollmentStatus
    ]
    statement = (
        select(*([group.label("group")] if group is not None else []), *columns, *statuses)
        .select_from(e)
        .join(Employee, Employee.id == e.employee_id)
        .where(*conditions)
    )
    if group is not None:
        statement = statement.group_by(group).order_by(group)
    results = []
    for row in session.execute(statement).mappings():
        total = row["enrollments"] or 0
        if not total and group is None:
            return []
        results.append(
            {
                "group": row["group"] if group is not None else None,
                "enrollments": total,
                "by_status": {status.value: row[status.value] or 0 for status in EnrollmentStatus},
                "completion_rate": round((row["completed"] or 0) / total, 4) if total else None,
                "pass_rate": round(row["passed"] / row["scored"], 4) if row["scored"] else None,
                "average_score": round(row["average_score"], 2)
                if row["average_score"] is not None
                else None,
                "average_time_minutes": round(row["average_time"], 2)
                if row["average_time"] is not None
                else None,
                "overdue_mandatory": row["overdue_mandatory"] or 0,
                "overdue_compliance": row["overdue_compliance"] or 0,
            }
        )
    return results


def _empty() -> dict[str, Any]:
    return {
        "group": None,
        "enrollments": 0,
        "by_status": {status.value: 0 for status in EnrollmentStatus},
        "completion_rate": None,
        "pass_rate": None,
        "average_score": None,
        "average_time_minutes": None,
        "overdue_mandatory": 0,
        "overdue_compliance": 0,
    }
