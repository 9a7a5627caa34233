"""The business rules of the HR module specification (section 6), each written once.

Learning data that breaks a rule is never refused (the LRS has accepted it): the fold records
what the rule says as a data-quality finding (mapping.fold). An HR-side edit that breaks the
uniqueness of LMS codes (6.1) is refused with a message that says what to change.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mapping.models import LMSIntegrationConfig
from statements.errors import Conflict

# Section 6.3.
MAX_COURSE_DAYS = 365
MIN_LESSON_SECONDS = 60
MAX_ATTEMPTS = 10


@dataclass(frozen=True, slots=True)
class Broken:
    """A rule some figures break, and how."""

    rule: str
    message: str


def progress_out_of_range(value: float) -> Broken | None:
    """Section 6.2: progress is a percentage."""
    if 0 <= value <= 100:
        return None
    return Broken("progress_out_of_range", f"progress {value} is outside 0 to 100; it was clamped")


def score_above_max(score: Decimal, maximum: Decimal | None) -> Broken | None:
    """Section 6.2: a score does not exceed its maximum."""
    if maximum is None or score <= maximum:
        return None
    return Broken("score_above_max", f"score {score} exceeds maximum {maximum}")


def course_dates(start: datetime, completion: datetime) -> list[Broken]:
    """Section 6.3: a course is completed after it starts, and within the longest duration."""
    broken = []
    if completion < start:
        broken.append(
            Broken("completion_before_start", f"completed {completion} before starting {start}")
        )
    if completion - start > timedelta(days=MAX_COURSE_DAYS):
        days = (completion - start).days
        broken.append(
            Broken(
                "course_too_long", f"the course took {days} days; the limit is {MAX_COURSE_DAYS}"
            )
        )
    return broken


def too_many_attempts(attempts: int) -> Broken | None:
    """Section 6.3: a lesson is attempted a bounded number of times."""
    if attempts <= MAX_ATTEMPTS:
        return None
    return Broken("too_many_attempts", f"{attempts} attempts; the limit is {MAX_ATTEMPTS}")


def lesson_too_short(seconds: int) -> Broken | None:
    """Section 6.3: a completed lesson takes a minimum time."""
    if seconds >= MIN_LESSON_SECONDS:
        return None
    return Broken(
        "lesson_too_short",
        f"completed in {seconds} s; lessons take at least {MIN_LESSON_SECONDS} s",
    )


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
