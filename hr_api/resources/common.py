"""Shared pieces of the HR API resources: tenant look-ups, filters and masking."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from hr_api.access import Access
from mapping.choices import EnrollmentStatus
from mapping.models import Employee, LMSCourseEnrollment
from statements.errors import NotFound

T = TypeVar("T")
MASK = "***"


def owned(session: Session, model: type[T], object_id: uuid.UUID, access: Access, what: str) -> T:
    """A row of the caller's company; another company's ids are 404, never 403."""
    found = session.get(model, object_id)
    if found is None or getattr(found, "company_id", None) != access.company_id:
        raise NotFound(f"no {what} {object_id}")
    return found


def enrolled_between(statement: Select[Any], query: Mapping[str, Any]) -> Select[Any]:
    """`statement` over enrollments narrowed to the date_from/date_to the caller sent."""
    enrolled = LMSCourseEnrollment.enrollment_date
    if "date_from" in query:
        statement = statement.where(enrolled >= query["date_from"])
    if "date_to" in query:
        statement = statement.where(enrolled <= query["date_to"])
    return statement


# Enrollments no longer owed: done, or taken off the learner's plate.
SETTLED = (
    EnrollmentStatus.COMPLETED,
    EnrollmentStatus.CERTIFIED,
    EnrollmentStatus.DROPPED,
    EnrollmentStatus.EXPIRED,
)


def overdue(today: date) -> ColumnElement[bool]:
    """An enrollment past its due date and still owed."""
    e = LMSCourseEnrollment
    return e.enrollment_status.not_in(SETTLED) & e.due_date.is_not(None) & (e.due_date < today)


def visible_employee(session: Session, access: Access, employee_id: uuid.UUID) -> Employee:
    """An employee whose records the caller may see; others are 404 too."""
    employee = session.scalar(
        select(Employee).where(Employee.id == employee_id, access.visible_employees())
    )
    if employee is None:
        raise NotFound(f"no employee {employee_id} you may see")
    return employee


def mask(data: dict[str, Any], fields: tuple[str, ...], allowed: bool) -> dict[str, Any]:
    """Personal fields that hold a value replaced by a mask (strings) or null (numbers), and
    listed in `masked_fields` so a client sees that something is withheld rather than
    missing; empty fields stay as they are."""
    if allowed:
        data.setdefault("masked_fields", [])
        return data
    masked = [name for name in fields if data.get(name) not in (None, "")]
    for name in masked:
        data[name] = MASK if isinstance(data[name], str) else None
    data["masked_fields"] = sorted(set(data.get("masked_fields", [])) | set(masked))
    return data
