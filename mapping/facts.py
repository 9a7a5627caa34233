"""What the fold reads and what it returns: statements as events, and the facts about an
enrollment and its lessons that they add up to (mapping.fold)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from mapping.choices import EnrollmentSource, EnrollmentStatus, LessonType, ProgressStatus
from mapping.vocabulary import CMI5_SESSION, SCORM_ENGINE, Effect

Json = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Event:
    """One statement as the fold sees it."""

    statement_id: uuid.UUID
    timestamp: datetime
    stored: datetime
    verb_id: str
    effect: Effect | None
    lesson: Json | None  # the lesson activity, or None when the statement is about the course
    result: Json
    context: Json
    course: Json
    # Stored by the HR system: only then may it set HR-owned facts.
    by_hr: bool = False
    # The attempt the statement is part of, where the LMS names one (a Moodle quiz attempt).
    attempt: str | None = None
    # About a part of the lesson (or of the course), a question: no session of its own.
    part: bool = False

    @property
    def order(self) -> tuple[datetime, datetime, uuid.UUID]:
        return (self.timestamp, self.stored, self.statement_id)

    @property
    def session(self) -> str:
        """The learning session the statement belongs to: cmi5's session id; SCORM Engine's
        registration (Engine reports the attempt anew each time its runtime data changes,
        always as `attempted`); else the statement itself."""
        session = self.context.get("extensions", {}).get(CMI5_SESSION)
        if session:
            return str(session)
        categories = self.context.get("contextActivities", {}).get("category", [])
        if isinstance(categories, Mapping):
            categories = [categories]
        registration = self.context.get("registration")
        if registration and any(c.get("id") == SCORM_ENGINE for c in categories):
            return str(registration)
        return str(self.statement_id)


@dataclass(frozen=True, slots=True)
class Finding:
    """A broken business rule: which rule, what, and the statement that broke it."""

    rule: str
    message: str
    statement_id: uuid.UUID
    at: datetime  # when that statement was stored
    lesson_activity_id: str | None = None  # None: the finding is about the enrollment


@dataclass(slots=True)
class LessonFacts:
    """What the statements say about one lesson."""

    activity_id: str
    name: str
    lesson_type: LessonType
    first_stored: datetime  # of its statements: when the row was first and last changed
    last_stored: datetime
    status: ProgressStatus = ProgressStatus.NOT_STARTED
    first_access: datetime | None = None
    last_access: datetime | None = None
    completion_date: datetime | None = None
    time_spent_seconds: int = 0
    score: Decimal | None = None
    max_score: Decimal | None = None
    attempts: int = 0
    completion_percentage: Decimal = Decimal("0.00")
    statement_ids: list[uuid.UUID] = field(default_factory=list)


@dataclass(slots=True)
class EnrollmentFacts:
    """What the statements say about the enrollment; HR-owned fields included when an HR
    assignment statement set them."""

    course_name: str
    # The course activity as its statements describe it (the first that gives its type).
    course: Json
    status: EnrollmentStatus
    enrollment_source: EnrollmentSource
    enrollment_date: date
    start_date: date | None
    completion_date: date | None
    progress_percentage: Decimal
    time_spent_minutes: int
    score_achieved: Decimal | None
    max_score: Decimal | None
    passing_score: Decimal | None
    last_access_date: datetime | None
    total_access_count: int
    credits_earned: Decimal
    waiver_reason: str
    instructor_id: str
    instructor_name: str
    due_date: date | None
    is_mandatory: bool
    is_compliance_training: bool
    first_stored: datetime
    last_stored: datetime
    statement_ids: list[uuid.UUID]
    lessons: list[LessonFacts]
    findings: list[Finding]


@dataclass(frozen=True, slots=True)
class FoldSettings:
    """Per-integration figures the statements do not carry."""

    credits: Decimal = Decimal("0.00")
    passing_score: Decimal | None = None
    # Activity type to lesson type, before the defaults (mapping.lesson_types).
    lesson_types: Mapping[str, LessonType] = field(default_factory=dict)
