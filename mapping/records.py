"""Writing HR records from statements: which enrollments a statement touches, and the
recomputation of one enrollment from all of its statements.

An enrollment is identified by (integration, employee, course). Recomputing it reads every
non-voided statement that can belong to it, folds them (mapping.fold) and replaces the
derived rows; record ids are derived from that key, so a rebuild from scratch writes the very
same rows.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import delete, insert, select, text, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from mapping.choices import CourseType
from mapping.fold import EnrollmentFacts, Event, FoldSettings, fold
from mapping.identity import employee_keys, find_employee
from mapping.models import (
    DataQualityFinding,
    LMSCourseEnrollment,
    LMSIntegrationConfig,
    LMSLearningProgress,
    RecordEvidence,
    UnmatchedStatement,
)
from mapping.vocabulary import Placement, ReadingRules
from statements.keys import agent_key, index_key
from statements.models import ACTIVITIES, AGENTS, STATEMENTS
from statements.rules import VOIDED_VERB
from statements.timestamps import parse_timestamp

Json = Mapping[str, Any]
# The user recorded as creating and updating the records the mapping writes on its own.
SYSTEM_USER = uuid.UUID(int=0)
_RECORDS = uuid.UUID("6f1c2a43-2b7e-4c55-9d1e-4a8b0c3d2e10")


@dataclass(frozen=True, slots=True, order=True)
class Unit:
    """One enrollment's key."""

    company_id: uuid.UUID
    integration_id: uuid.UUID
    employee_id: uuid.UUID
    course_id: str  # the course activity IRI

    @property
    def enrollment_id(self) -> uuid.UUID:
        parts = f"{self.company_id}|{self.integration_id}|{self.employee_id}|{self.course_id}"
        return uuid.uuid5(_RECORDS, parts)


@dataclass(frozen=True, slots=True)
class _Stored:
    id: uuid.UUID
    stored: datetime
    integration_id: uuid.UUID | None
    voided: bool
    data: dict[str, Any]


class Folder:
    """Folds statements of one company; caches what it reads about integrations."""

    def __init__(self, session: Session, company_id: uuid.UUID) -> None:
        self.session = session
        self.company_id = company_id
        self._integrations: dict[uuid.UUID, LMSIntegrationConfig | None] = {}
        # Identity look-ups repeat across a batch (one learner, many statements).
        self._employees: dict[tuple[uuid.UUID, str], uuid.UUID | None] = {}
        self._keys: dict[tuple[uuid.UUID, uuid.UUID], list[str]] = {}

    def fold_statements(self, statement_ids: Sequence[uuid.UUID]) -> int:
        """Bring HR records up to date with newly stored statements; return how many
        enrollments were recomputed."""
        units = self.units_touched_by(statement_ids)
        for unit in sorted(units):
            self.recompute(unit)
        return len(units)

    def units_touched_by(self, statement_ids: Sequence[uuid.UUID]) -> set[Unit]:
        """The enrollments whose statement sets these statements may have changed."""
        units: set[Unit] = set()
        for row in self._load_ids(statement_ids):
            units |= self._units_touched_by(row)
        return units

    def recompute(self, unit: Unit) -> None:
        """Replace an enrollment and its lessons with what all its statements say."""
        self._lock(unit)
        rules = self._rules(unit.integration_id)
        keys = self._employee_keys(unit.integration_id, unit.employee_id)
        course_rows = self._actor_rows(unit.integration_id, keys, course_id=unit.course_id)
        candidates = {row.id: row for row in course_rows}
        registrations = {r for row in course_rows if (r := _registration(row.data))}
        if registrations:
            for row in self._registration_rows(unit.integration_id, keys, registrations):
                candidates.setdefault(row.id, row)
        rows = [row for row in candidates.values() if agent_key(row.data["actor"]) in keys]
        by_registration = _explicit_courses(rows, rules)
        events = []
        for row in rows:
            placement = _placed(row.data, rules, by_registration)
            if placement is not None and placement.course["id"] == unit.course_id:
                events.append(_event(row, placement, rules))
        if events:
            self._write(unit, fold(events, self._settings(unit.integration_id)))
        else:
            self.session.execute(
                delete(LMSCourseEnrollment).where(LMSCourseEnrollment.id == unit.enrollment_id)
            )

    def _units_touched_by(self, row: _Stored) -> set[Unit]:
        """The enrollments whose statements a newly stored statement may have changed."""
        data = row.data
        obj = data["object"]
        if data["verb"]["id"] == VOIDED_VERB and obj.get("objectType") == "StatementRef":
            targets = self._load_ids([uuid.UUID(obj["id"])])
            return set().union(*(self._units_touched_by(t) for t in targets))
        if row.integration_id is None:
            return set()  # stored by a credential of no integration: not HR learning data
        rules = self._rules(row.integration_id)
        placement = rules.placement(data)
        if placement is None:
            return set()
        key = agent_key(data["actor"])
        employee_id = self._employee(row.integration_id, key or "")
        if employee_id is None:
            if key is not None and not row.voided:
                self._record_unmatched(row, key)
            return set()
        units = {Unit(self.company_id, row.integration_id, employee_id, placement.course["id"])}
        registration = _registration(data)
        if registration:
            keys = self._employee_keys(row.integration_id, employee_id)
            shared = self._registration_rows(row.integration_id, keys, {registration})
            by_registration = _explicit_courses(shared, rules)
            for other in shared:
                for found in (
                    rules.placement(other.data),
                    _placed(other.data, rules, by_registration),
                ):
                    if found is not None:
                        units.add(
                            Unit(
                                self.company_id, row.integration_id, employee_id, found.course["id"]
                            )
                        )
        return units

    def _employee(self, integration_id: uuid.UUID, key: str) -> uuid.UUID | None:
        if (integration_id, key) not in self._employees:
            found = find_employee(self.session, self.company_id, integration_id, key)
            self._employees[(integration_id, key)] = found
        return self._employees[(integration_id, key)]

    def _employee_keys(self, integration_id: uuid.UUID, employee_id: uuid.UUID) -> list[str]:
        if (integration_id, employee_id) not in self._keys:
            keys = employee_keys(self.session, self.company_id, integration_id, employee_id)
            self._keys[(integration_id, employee_id)] = keys
        return self._keys[(integration_id, employee_id)]

    def _lock(self, unit: Unit) -> None:
        # Two workers recomputing one enrollment take turns; the second reads what the
        # first committed (PostgreSQL; SQLite writers are serialised already).
        if self.session.get_bind().dialect.name == "postgresql":
            key = unit.enrollment_id.int & 0x7FFF_FFFF_FFFF_FFFF
            self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    def _actor_rows(
        self,
        integration_id: uuid.UUID,
        keys: Sequence[str],
        *,
        course_id: str | None = None,
        registrations: Iterable[uuid.UUID] = (),
    ) -> list[_Stored]:
        """The non-voided statements of an integration whose actor has one of `keys`, about
        a course (anywhere in the statement) or in some registrations.

        Two steps, each on an index that starts with what is looked for: the learner's
        statement ids from the agent index (narrowed to the course through the activity
        key), then those statements by primary key. Their cost follows what the learner did,
        whatever the size of the store and whatever the planner knows about the tenant.
        """
        a = AGENTS
        ids = list(
            set(
                self.session.scalars(
                    select(a.c.statement_id).where(
                        a.c.agent_key.in_(keys),
                        a.c.company_id == self.company_id,
                        a.c.direct == true(),
                    )
                )
            )
        )
        if course_id is not None:
            x = ACTIVITIES
            ids = [
                statement_id
                for chunk in _chunks(ids)
                for statement_id in self.session.scalars(
                    select(x.c.statement_id).where(
                        x.c.statement_id.in_(chunk),
                        x.c.activity_key == index_key(course_id),
                        x.c.company_id == self.company_id,
                    )
                )
            ]
        wanted = set(registrations)
        return [
            row
            for chunk in _chunks(ids)
            for row in self._load_ids(chunk)
            if row.integration_id == integration_id
            and not row.voided
            and (course_id is not None or _registration(row.data) in wanted)
            and agent_key(row.data["actor"]) in keys
        ]

    def _registration_rows(
        self, integration_id: uuid.UUID, keys: Sequence[str], registrations: Iterable[uuid.UUID]
    ) -> list[_Stored]:
        return self._actor_rows(integration_id, keys, registrations=registrations)

    def _load_ids(self, ids: Sequence[uuid.UUID]) -> list[_Stored]:
        """Statements by id, through the primary key alone.

        The tenant is checked on the rows rather than in the query, so that no plan can
        prefer a scan of the tenant's rows (see statements.models).
        """
        s = STATEMENTS
        rows = self.session.execute(
            select(
                s.c.id, s.c.company_id, s.c.stored, s.c.integration_id, s.c.voided, s.c.payload
            ).where(s.c.id.in_(ids))
        )
        return [
            _Stored(statement_id, stored, integration_id, voided, orjson.loads(payload))
            for statement_id, company_id, stored, integration_id, voided, payload in rows
            if company_id == self.company_id
        ]

    def _integration(self, integration_id: uuid.UUID) -> LMSIntegrationConfig | None:
        if integration_id not in self._integrations:
            self._integrations[integration_id] = self.session.get(
                LMSIntegrationConfig, integration_id
            )
        return self._integrations[integration_id]

    def _rules(self, integration_id: uuid.UUID) -> ReadingRules:
        integration = self._integration(integration_id)
        if integration is None:
            return ReadingRules.for_integration(None, None)
        return ReadingRules.for_integration(
            integration.field_mappings, integration.transformation_rules
        )

    def _settings(self, integration_id: uuid.UUID) -> FoldSettings:
        integration = self._integration(integration_id)
        rules = integration.transformation_rules if integration else {}
        passing = rules.get("passing_score")
        return FoldSettings(
            credits=Decimal(str(rules.get("credits", "0"))).quantize(Decimal("0.01")),
            passing_score=Decimal(str(passing)).quantize(Decimal("0.01"))
            if passing is not None
            else None,
        )

    def _course_type(self, integration_id: uuid.UUID, course: Json) -> CourseType:
        integration = self._integration(integration_id)
        types = (integration.transformation_rules if integration else {}).get("course_types", {})
        activity_type = (course.get("definition") or {}).get("type")
        return CourseType(types.get(activity_type, CourseType.ELEARNING))

    def _record_unmatched(self, row: _Stored, key: str) -> None:
        dialect = self.session.get_bind().dialect.name
        insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self.session.execute(
            insert_(UnmatchedStatement).on_conflict_do_nothing(),
            [
                {
                    "company_id": self.company_id,
                    "statement_id": row.id,
                    "lms_integration_id": row.integration_id,
                    "agent_key": key,
                    "agent": row.data["actor"],
                    "stored": row.stored,
                }
            ],
        )

    def _write(self, unit: Unit, facts: EnrollmentFacts) -> None:
        enrollment_id = unit.enrollment_id
        enrollment = self.session.get(LMSCourseEnrollment, enrollment_id)
        course = {"id": unit.course_id}
        if enrollment is None:
            enrollment = LMSCourseEnrollment(
                id=enrollment_id,
                company_id=self.company_id,
                lms_integration_id=unit.integration_id,
                employee_id=unit.employee_id,
                enrollment_number=f"ENR-{enrollment_id.hex[:16].upper()}",
                created_by_user_id=SYSTEM_USER,
            )
            self.session.add(enrollment)
        enrollment.course_id = short_id(unit.course_id)
        enrollment.course_activity_id = unit.course_id
        enrollment.course_code = unit.course_id.rstrip("/").rsplit("/", 1)[-1][:50]
        enrollment.course_type = self._course_type(unit.integration_id, course)
        for name in (
            "course_name", "enrollment_date", "start_date", "completion_date",
            "progress_percentage", "time_spent_minutes", "score_achieved", "max_score",
            "passing_score", "last_access_date", "total_access_count", "credits_earned",
            "waiver_reason", "instructor_id", "instructor_name", "due_date", "is_mandatory",
            "is_compliance_training", "enrollment_source",
        ):  # fmt: skip
            setattr(enrollment, name, getattr(facts, name))
        enrollment.enrollment_status = facts.status
        enrollment.updated_by_user_id = SYSTEM_USER
        enrollment.created_at = facts.first_stored
        enrollment.updated_at = facts.last_stored
        self.session.flush()
        self._write_lessons(unit, enrollment, facts)

    def _write_lessons(
        self, unit: Unit, enrollment: LMSCourseEnrollment, facts: EnrollmentFacts
    ) -> None:
        enrollment_id = enrollment.id
        for table in (RecordEvidence, DataQualityFinding):
            self.session.execute(delete(table).where(table.enrollment_id == enrollment_id))
        existing = {
            p.lesson_activity_id: p
            for p in self.session.scalars(
                select(LMSLearningProgress).where(
                    LMSLearningProgress.enrollment_id == enrollment_id
                )
            )
        }
        lesson_ids: dict[str, uuid.UUID] = {}
        for lesson in facts.lessons:
            progress = existing.pop(lesson.activity_id, None)
            if progress is None:
                progress = LMSLearningProgress(
                    id=uuid.uuid5(_RECORDS, f"{enrollment_id}|{lesson.activity_id}"),
                    company_id=self.company_id,
                    lms_integration_id=unit.integration_id,
                    enrollment_id=enrollment_id,
                    employee_id=unit.employee_id,
                    lesson_activity_id=lesson.activity_id,
                )
                self.session.add(progress)
            lesson_ids[lesson.activity_id] = progress.id
            progress.course_id = enrollment.course_id
            progress.lesson_id = short_id(lesson.activity_id)
            progress.lesson_name = lesson.name
            progress.lesson_type = lesson.lesson_type
            progress.progress_status = lesson.status
            progress.completion_date = lesson.completion_date
            progress.time_spent_seconds = lesson.time_spent_seconds
            progress.first_access_date = lesson.first_access
            progress.last_access_date = lesson.last_access
            progress.score_achieved = lesson.score
            progress.max_score = lesson.max_score
            progress.attempts_count = lesson.attempts
            progress.completion_percentage = lesson.completion_percentage
            progress.created_at = facts.first_stored
            progress.updated_at = facts.last_stored
        for stale in existing.values():
            self.session.delete(stale)
        self.session.flush()
        evidence = [(enrollment_id, sid) for sid in facts.statement_ids] + [
            (lesson_ids[lesson.activity_id], sid)
            for lesson in facts.lessons
            for sid in lesson.statement_ids
        ]
        evidence_rows = [
            {
                "company_id": self.company_id,
                "record_id": record,
                "statement_id": statement_id,
                "enrollment_id": enrollment_id,
            }
            for record, statement_id in dict.fromkeys(evidence)
        ]
        self.session.execute(insert(RecordEvidence), evidence_rows)
        finding_rows = [
            {
                "id": uuid.uuid5(_RECORDS, f"{enrollment_id}|{f.rule}|{f.statement_id}"),
                "company_id": self.company_id,
                "enrollment_id": enrollment_id,
                "record_id": lesson_ids.get(f.lesson_activity_id or "", enrollment_id),
                "rule": f.rule,
                "message": f.message,
                "statement_id": f.statement_id,
                "found_at": f.at,
            }
            for f in dict.fromkeys(facts.findings)
        ]
        if finding_rows:
            self.session.execute(insert(DataQualityFinding), finding_rows)


def _chunks(ids: list[uuid.UUID], size: int = 1000) -> list[list[uuid.UUID]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def short_id(iri: str) -> str:
    """An activity IRI as the specification's 100-character course or lesson id."""
    if len(iri) <= 100:
        return iri
    return "sha1:" + hashlib.sha1(iri.encode(), usedforsecurity=False).hexdigest()


def _registration(statement: Json) -> uuid.UUID | None:
    value = statement.get("context", {}).get("registration")
    return uuid.UUID(value) if value else None


def _explicit_courses(rows: Iterable[_Stored], rules: ReadingRules) -> dict[uuid.UUID, Json]:
    """The course each registration belongs to, from statements that name their course (the
    smallest course id wins, should a registration name several)."""
    found: dict[uuid.UUID, Json] = {}
    for row in rows:
        registration = _registration(row.data)
        placement = rules.placement(row.data)
        if registration is None or placement is None or not placement.explicit:
            continue
        current = found.get(registration)
        if current is None or placement.course["id"] < current["id"]:
            found[registration] = placement.course
    return found


def _placed(
    statement: Json, rules: ReadingRules, by_registration: Mapping[uuid.UUID, Json]
) -> Placement | None:
    placement = rules.placement(statement)
    if placement is None or placement.explicit:
        return placement
    registration = _registration(statement)
    course = by_registration.get(registration) if registration else None
    if course is None:
        return placement
    lesson = statement["object"] if statement["object"]["id"] != course["id"] else None
    return Placement(course, lesson, explicit=True)


def _event(row: _Stored, placement: Placement, rules: ReadingRules) -> Event:
    data = row.data
    return Event(
        statement_id=row.id,
        timestamp=parse_timestamp(data["timestamp"]),
        stored=row.stored,
        verb_id=data["verb"]["id"],
        effect=rules.effect(data["verb"]["id"]),
        lesson=placement.lesson,
        result=data.get("result", {}),
        context=data.get("context", {}),
        course=placement.course,
    )
