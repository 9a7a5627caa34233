"""The business rules of the HR module specification (section 6) as domain validation.

HR-side edits that break a rule are refused with a message that says what to change.
Learning data that breaks one is never refused (the LRS has accepted it); the fold records a
finding instead (mapping.fold).
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mapping.fold import MAX_ATTEMPTS, MAX_COURSE_DAYS, MIN_LESSON_SECONDS
from mapping.models import LMSIntegrationConfig
from statements.errors import BadRequest, Conflict, FieldError


def check_lms_code(
    session: Session, company_id: uuid.UUID, lms_code: str, integration_id: uuid.UUID | None = None
) -> None:
    """Section 6.1: LMS codes are unique within a company."""
    query = select(LMSIntegrationConfig.lms_name).where(
        LMSIntegrationConfig.company_id == company_id, LMSIntegrationConfig.lms_code == lms_code
    )
    if integration_id is not None:
        query = query.where(LMSIntegrationConfig.id != integration_id)
    taken_by = session.scalar(query)
    if taken_by is not None:
        raise Conflict(
            f"LMS code {lms_code!r} is already used by the integration {taken_by!r}; "
            "LMS codes must be unique within the company"
        )


def enrollment_errors(
    *,
    progress_percentage: Decimal | None = None,
    start_date: date | None = None,
    completion_date: date | None = None,
    score_achieved: Decimal | None = None,
    max_score: Decimal | None = None,
) -> list[FieldError]:
    """Section 6.2 and 6.3 rules on an enrollment's figures."""
    errors = []
    if progress_percentage is not None and not 0 <= progress_percentage <= 100:
        errors.append(FieldError("progress_percentage", "must be between 0 and 100"))
    if start_date and completion_date:
        if completion_date < start_date:
            errors.append(FieldError("completion_date", "must not be before start_date"))
        elif (completion_date - start_date).days > MAX_COURSE_DAYS:
            errors.append(
                FieldError("completion_date", f"a course lasts at most {MAX_COURSE_DAYS} days")
            )
    if score_achieved is not None and max_score is not None and score_achieved > max_score:
        errors.append(FieldError("score_achieved", "must not exceed max_score"))
    return errors


def lesson_errors(
    *, time_spent_seconds: int | None = None, attempts_count: int | None = None
) -> list[FieldError]:
    """Section 6.3 rules on a lesson's figures."""
    errors = []
    if time_spent_seconds is not None and 0 < time_spent_seconds < MIN_LESSON_SECONDS:
        errors.append(FieldError("time_spent_seconds", "a lesson takes at least one minute"))
    if attempts_count is not None and attempts_count > MAX_ATTEMPTS:
        errors.append(FieldError("attempts_count", f"at most {MAX_ATTEMPTS} attempts per lesson"))
    return errors


def require_valid(errors: list[FieldError]) -> None:
    """Raise BadRequest listing the errors, if there are any."""
    if errors:
        raise BadRequest(f"{errors[0].path}: {errors[0].message}", errors)
