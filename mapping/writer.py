"""Writing the records a batch's fold produced: enrollments, their lessons, the evidence
behind every row and the data-quality findings, one set-based statement per table, and the
statements about learners the identity map does not know.

An enrollment's HR-owned columns (set through the HR API and never by a statement) are left
alone when it is rewritten.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from mapping.facts import EnrollmentFacts, LessonFacts
from mapping.integration_rules import IntegrationRules
from mapping.keys import EnrollmentKey, record_id
from mapping.models import (
    DataQualityFinding,
    LMSCourseEnrollment,
    LMSLearningProgress,
    RecordEvidence,
    UnmatchedStatement,
)
from mapping.reading import LoadedStatement
from statements.db import chunks, one_of, replace_rows, table_of, upsert_rows

# The user recorded as creating and updating the records the mapping writes on its own.
SYSTEM_USER = uuid.UUID(int=0)
# Enrollment columns folding copies from the facts, and those it sets only when it creates
# the enrollment; every other column belongs to HR and is never overwritten.
_FROM_FACTS = (
    "course_name", "enrollment_date", "start_date", "completion_date", "progress_percentage",
    "time_spent_minutes", "score_achieved", "max_score", "passing_score", "last_access_date",
    "total_access_count", "credits_earned", "waiver_reason", "instructor_id", "instructor_name",
    "due_date", "is_mandatory", "is_compliance_training", "enrollment_source",
)  # fmt: skip
_SET_ONCE = frozenset(
    {
        "id",
        "company_id",
        "lms_integration_id",
        "employee_id",
        "enrollment_number",
        "created_by_user_id",
    }
)


def short_id(iri: str) -> str:
    """An activity IRI as the specification's 100-character course or lesson id."""
    if len(iri) <= 100:
        return iri
    return "sha1:" + hashlib.sha1(iri.encode(), usedforsecurity=False).hexdigest()


class RecordWriter:
    """Writes one company's records."""

    def __init__(
        self,
        session: Session,
        company_id: uuid.UUID,
        rules_of: Callable[[uuid.UUID], IntegrationRules],
    ) -> None:
        self.session = session
        self.company_id = company_id
        self.rules_of = rules_of

    def unmatched(self, unmatched: Sequence[tuple[LoadedStatement, str]]) -> None:
        """Keep statements about learners the identity map does not know, with their agent."""
        rows = {
            row.id: {
                "company_id": self.company_id,
                "statement_id": row.id,
                "lms_integration_id": row.integration_id,
                "agent_key": key,
                "agent": row.data["actor"],
                "stored": row.stored,
            }
            for row, key in unmatched
        }
        ordered = [rows[statement_id] for statement_id in sorted(rows)]
        upsert_rows(self.session, table_of(UnmatchedStatement), ordered, update=[])

    def write(self, results: Sequence[tuple[EnrollmentKey, EnrollmentFacts | None]]) -> None:
        """Replace the enrollments of a batch with what their statements now say; an
        enrollment without statements (all voided) is deleted with its records."""
        gone = [key.id for key, facts in results if facts is None]
        for chunk in chunks(gone):
            enrollments = LMSCourseEnrollment.id
            self.session.execute(
                delete(LMSCourseEnrollment).where(one_of(self.session, enrollments, chunk))
            )
        kept = [(key, facts) for key, facts in results if facts is not None]
        if not kept:
            return
        ids = [key.id for key, _facts in kept]
        enrollment_rows = [self._enrollment_row(key, facts) for key, facts in kept]
        derived = [name for name in enrollment_rows[0] if name not in _SET_ONCE]
        upsert_rows(self.session, table_of(LMSCourseEnrollment), enrollment_rows, derived)
        lesson_rows: list[dict[str, Any]] = []
        evidence: dict[tuple[uuid.UUID, uuid.UUID], uuid.UUID] = {}
        findings: dict[uuid.UUID, dict[str, Any]] = {}
        for (key, facts), enrollment in zip(kept, enrollment_rows, strict=True):
            enrollment_id = enrollment["id"]
            lesson_ids = {}
            for lesson in facts.lessons:
                row = self._lesson_row(key, enrollment, lesson)
                lesson_rows.append(row)
                lesson_ids[lesson.activity_id] = row["id"]
                for statement_id in lesson.statement_ids:
                    evidence[(row["id"], statement_id)] = enrollment_id
            for statement_id in facts.statement_ids:
                evidence[(enrollment_id, statement_id)] = enrollment_id
            for f in facts.findings:
                finding_id = record_id(enrollment_id, f.rule, f.statement_id)
                findings[finding_id] = {
                    "id": finding_id,
                    "company_id": self.company_id,
                    "enrollment_id": enrollment_id,
                    "record_id": lesson_ids.get(f.lesson_activity_id or "", enrollment_id),
                    "rule": f.rule,
                    "message": f.message,
                    "statement_id": f.statement_id,
                    "found_at": f.at,
                }
        evidence_rows = [
            {
                "company_id": self.company_id,
                "record_id": row_id,
                "statement_id": statement_id,
                "enrollment_id": enrollment_id,
            }
            for (row_id, statement_id), enrollment_id in evidence.items()
        ]
        for model, rows in (
            (LMSLearningProgress, lesson_rows),
            (RecordEvidence, evidence_rows),
            (DataQualityFinding, list(findings.values())),
        ):
            replace_rows(self.session, table_of(model), "enrollment_id", ids, rows)

    def _enrollment_row(self, key: EnrollmentKey, facts: EnrollmentFacts) -> dict[str, Any]:
        enrollment_id = key.id
        row: dict[str, Any] = {
            "id": enrollment_id,
            "company_id": self.company_id,
            "lms_integration_id": key.integration_id,
            "employee_id": key.employee_id,
            "enrollment_number": f"ENR-{enrollment_id.hex[:16].upper()}",
            "created_by_user_id": SYSTEM_USER,
            "course_id": short_id(key.course_id),
            "course_activity_id": key.course_id,
            "course_code": self.rules_of(key.integration_id).course_code(facts.course),
            "course_type": self.rules_of(key.integration_id).course_type(facts.course),
            "enrollment_status": facts.status,
            "updated_by_user_id": SYSTEM_USER,
            "created_at": facts.first_stored,
            "updated_at": facts.last_stored,
        }
        for name in _FROM_FACTS:
            row[name] = getattr(facts, name)
        return row

    def _lesson_row(
        self, key: EnrollmentKey, enrollment: Mapping[str, Any], lesson: LessonFacts
    ) -> dict[str, Any]:
        return {
            "id": record_id(enrollment["id"], lesson.activity_id),
            "company_id": self.company_id,
            "lms_integration_id": key.integration_id,
            "enrollment_id": enrollment["id"],
            "employee_id": key.employee_id,
            "course_id": enrollment["course_id"],
            "lesson_id": short_id(lesson.activity_id),
            "lesson_activity_id": lesson.activity_id,
            "lesson_name": lesson.name,
            "lesson_type": lesson.lesson_type,
            "progress_status": lesson.status,
            "completion_date": lesson.completion_date,
            "time_spent_seconds": lesson.time_spent_seconds,
            "first_access_date": lesson.first_access,
            "last_access_date": lesson.last_access,
            "score_achieved": lesson.score,
            "max_score": lesson.max_score,
            "attempts_count": lesson.attempts,
            "completion_percentage": lesson.completion_percentage,
            "created_at": lesson.first_stored,
            "updated_at": lesson.last_stored,
        }
