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
from sqlalchemy import delete, select, text, true
from sqlalchemy.orm import Session

from mapping.choices import CourseType
from mapping.fold import EnrollmentFacts, Event, FoldSettings, LessonFacts, fold
from mapping.identity import employees_keys, find_employees
from mapping.models import (
    DataQualityFinding,
    LMSCourseEnrollment,
    LMSIntegrationConfig,
    LMSLearningProgress,
    RecordEvidence,
    UnmatchedStatement,
)
from mapping.vocabulary import Placement, ReadingRules
from statements.db import chunks, one_of, replace_rows, table_of, upsert_rows
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
    """Folds statements of one company, a batch at a time.

    However many statements and enrollments a batch holds, it costs a fixed number of
    queries: identities, the learners' statements and the records are each read and written
    with one set-based statement (or one per thousand keys).
    """

    def __init__(self, session: Session, company_id: uuid.UUID) -> None:
        self.session = session
        self.company_id = company_id
        self._integrations: dict[uuid.UUID, LMSIntegrationConfig | None] = {}
        # A batch reads many statements twice (to find what it touches, then to recompute);
        # they are read and parsed once.
        self._loaded: dict[uuid.UUID, _Stored] = {}
        self._registered: dict[uuid.UUID, list[uuid.UUID]] = {}
        self._keys: dict[tuple[uuid.UUID, uuid.UUID], list[str]] = {}

    def fold_statements(self, statement_ids: Sequence[uuid.UUID], *, wait: bool) -> set[uuid.UUID]:
        """Bring HR records up to date with newly stored statements.

        With `wait`, an enrollment another transaction is recomputing is waited for. Without,
        it is left alone, and so are the statements that touch it: they are returned, to be
        folded again once that transaction has committed. Two workers whose batches share an
        enrollment then both go on, where waiting would make the second idle for all of the
        first's transaction, and a backlog (bigger batches, longer transactions) worse.
        """
        touched = self.units_touched_by(statement_ids)
        if wait:
            self._lock(touched)
            held = set(touched)
        else:
            held = self._try_lock(touched)
        deferred = {s for unit, sources in touched.items() if unit not in held for s in sources}
        self._recompute(sorted(unit for unit in held if touched[unit] - deferred))
        return deferred

    def units_touched_by(self, statement_ids: Sequence[uuid.UUID]) -> dict[Unit, set[uuid.UUID]]:
        """The enrollments whose statement sets these statements may have changed, each with
        the statements that change it: their own placement, their voided targets', and those
        of statements sharing a registration with them (a course statement can move a cmi5
        AU's statements)."""
        rows = self._load_ids(list(statement_ids))
        source = {row.id: row.id for row in rows}
        targets = {uuid.UUID(row.data["object"]["id"]): row.id for row in rows if _voids(row.data)}
        if targets:
            for target in self._load_ids(list(targets)):
                source.setdefault(target.id, targets[target.id])
                rows.append(target)
        placed: list[tuple[_Stored, Placement, str]] = []
        for row in rows:
            placement = self._placement(row)
            key = agent_key(row.data["actor"])
            if placement is not None and key is not None:
                placed.append((row, placement, key))
        employees = find_employees(
            self.session, self.company_id, {(_integration(row), key) for row, _p, key in placed}
        )
        touched: dict[Unit, set[uuid.UUID]] = {}
        # Per learner: the registrations of their statements, and those statements.
        shared: dict[tuple[uuid.UUID, uuid.UUID], tuple[set[uuid.UUID], set[uuid.UUID]]] = {}
        unmatched: list[tuple[_Stored, str]] = []
        for row, placement, key in placed:
            integration_id = _integration(row)
            employee_id = employees[(integration_id, key)]
            if employee_id is None:
                if not row.voided:
                    unmatched.append((row, key))
                continue
            unit = Unit(self.company_id, integration_id, employee_id, placement.course["id"])
            touched.setdefault(unit, set()).add(source[row.id])
            if registration := _registration(row.data):
                registrations, sources = shared.setdefault(
                    (integration_id, employee_id), (set(), set())
                )
                registrations.add(registration)
                sources.add(source[row.id])
        self._record_unmatched(unmatched)
        if shared:
            keys = self._employees_keys(shared)
            registered = _ByActor(
                self._registration_rows({r for regs, _s in shared.values() for r in regs})
            )
            for (integration_id, employee_id), (registrations, sources) in shared.items():
                learner = registered.learner(integration_id, keys[(integration_id, employee_id)])
                mine = [row for row in learner if _registration(row.data) in registrations]
                for course in _courses_placed(mine, self._rules(integration_id)):
                    unit = Unit(self.company_id, integration_id, employee_id, course)
                    touched.setdefault(unit, set()).update(sources)
        return touched

    def recompute(self, units: Iterable[Unit]) -> None:
        """Replace each enrollment (and its lessons) with what all its statements say."""
        units = sorted(set(units))
        self._lock(units)
        self._recompute(units)

    def _recompute(self, units: Sequence[Unit]) -> None:
        """recompute, for units whose locks this transaction holds."""
        if not units:
            return
        keys = self._employees_keys({(u.integration_id, u.employee_id) for u in units})
        # A learner's statements about the courses of their enrollments in the batch, not
        # all of their history.
        courses_by_key: dict[str, set[str]] = {}
        for unit in units:
            for key in keys[(unit.integration_id, unit.employee_id)]:
                courses_by_key.setdefault(key, set()).add(index_key(unit.course_id))
        course_ids = self._statement_ids_about(self._statements_of(courses_by_key))
        rows = {row.id: row for row in self._load_ids(course_ids)}
        registrations = {r for row in rows.values() if (r := _registration(row.data))}
        for row in self._registration_rows(registrations):
            rows.setdefault(row.id, row)
        by_actor = _ByActor(rows.values())
        by_learner = {
            (integration_id, employee_id): by_actor.learner(integration_id, learner_keys)
            for (integration_id, employee_id), learner_keys in keys.items()
        }
        results: list[tuple[Unit, EnrollmentFacts | None]] = []
        for unit in units:
            rules = self._rules(unit.integration_id)
            learner = by_learner[(unit.integration_id, unit.employee_id)]
            by_registration = _explicit_courses(learner, rules)
            events = []
            for row in learner:
                placement = _placed(row.data, rules, by_registration)
                if placement is not None and placement.course["id"] == unit.course_id:
                    events.append(_event(row, placement, rules))
            facts = fold(events, self._settings(unit.integration_id)) if events else None
            results.append((unit, facts))
        self._write(results)

    def _placement(self, row: _Stored) -> Placement | None:
        if row.integration_id is None or _voids(row.data):
            return None  # no integration: not HR learning data; voiding: handled by target
        return self._rules(row.integration_id).placement(row.data)

    def _lock(self, units: Iterable[Unit]) -> None:
        # Two workers recomputing one enrollment take turns; the second reads what the first
        # committed. Locks are taken in one sorted pass, so workers never deadlock
        # (PostgreSQL; SQLite writers are serialised already).
        keys = sorted({_lock_key(u) for u in units})
        if not keys or self.session.get_bind().dialect.name != "postgresql":
            return
        self.session.execute(
            text(
                "SELECT pg_advisory_xact_lock(k) FROM "
                "(SELECT unnest(CAST(:keys AS bigint[])) AS k ORDER BY 1) AS ordered"
            ),
            {"keys": keys},
        )

    def _try_lock(self, units: Iterable[Unit]) -> set[Unit]:
        """The units whose locks this transaction now holds, of those no other holds."""
        units = list(units)
        if not units or self.session.get_bind().dialect.name != "postgresql":
            return set(units)
        free = set(
            self.session.scalars(
                text(
                    "SELECT k FROM unnest(CAST(:keys AS bigint[])) AS k "
                    "WHERE pg_try_advisory_xact_lock(k)"
                ),
                {"keys": sorted({_lock_key(u) for u in units})},
            )
        )
        return {unit for unit in units if _lock_key(unit) in free}

    def _statements_of(self, courses_by_key: Mapping[str, set[str]]) -> dict[uuid.UUID, set[str]]:
        """The statements whose actor or object has one of the agent keys (the agent index),
        each with the course activity keys wanted of it: those of its learners."""
        a = AGENTS
        wanted: dict[uuid.UUID, set[str]] = {}
        for chunk in chunks(list(courses_by_key)):
            rows = self.session.execute(
                select(a.c.statement_id, a.c.agent_key).where(
                    one_of(self.session, a.c.agent_key, chunk),
                    a.c.company_id == self.company_id,
                    a.c.direct == true(),
                )
            )
            for statement_id, key in rows:
                wanted.setdefault(statement_id, set()).update(courses_by_key[key])
        return wanted

    def _statement_ids_about(self, wanted: Mapping[uuid.UUID, set[str]]) -> list[uuid.UUID]:
        """The statements that mention one of the course activities wanted of them anywhere.

        Read through the primary key alone (statement first), and filtered here: the
        activity index would walk every statement of the company about the course.
        """
        x = ACTIVITIES
        found: set[uuid.UUID] = set()
        for chunk in chunks(list(wanted)):
            rows = self.session.execute(
                select(x.c.statement_id, x.c.activity_key, x.c.company_id).where(
                    one_of(self.session, x.c.statement_id, chunk)
                )
            )
            found.update(
                statement_id
                for statement_id, activity_key, company_id in rows
                if company_id == self.company_id and activity_key in wanted[statement_id]
            )
        return list(found)

    def _registration_rows(self, registrations: Iterable[uuid.UUID]) -> list[_Stored]:
        """Statements in these registrations, through the registration index alone (the
        tenant is checked on the rows, as in _load_ids)."""
        s = STATEMENTS
        registrations = set(registrations)
        missing = [r for r in registrations if r not in self._registered]
        self._registered.update((registration, []) for registration in missing)
        for chunk in chunks(missing):
            rows = self.session.execute(
                select(s.c.id, s.c.company_id, s.c.registration).where(
                    one_of(self.session, s.c.registration, chunk)
                )
            )
            for statement_id, company_id, registration in rows:
                if company_id == self.company_id:
                    self._registered[registration].append(statement_id)
        return self._load_ids([i for r in registrations for i in self._registered[r]])

    def _load_ids(self, ids: Sequence[uuid.UUID]) -> list[_Stored]:
        """Statements by id, through the primary key alone.

        The tenant is checked on the rows rather than in the query, so that no plan can
        prefer a scan of the tenant's rows (see StatementRow's keys).
        """
        s = STATEMENTS
        wanted = list(dict.fromkeys(ids))
        for chunk in chunks([i for i in wanted if i not in self._loaded]):
            rows = self.session.execute(
                select(
                    s.c.id, s.c.company_id, s.c.stored, s.c.integration_id, s.c.voided, s.c.payload
                ).where(one_of(self.session, s.c.id, chunk))
            )
            for statement_id, company_id, stored_at, integration_id, voided, payload in rows:
                if company_id == self.company_id:
                    self._loaded[statement_id] = _Stored(
                        statement_id, stored_at, integration_id, voided, orjson.loads(payload)
                    )
        return [self._loaded[i] for i in wanted if i in self._loaded]

    def _employees_keys(
        self, learners: Iterable[tuple[uuid.UUID, uuid.UUID]]
    ) -> dict[tuple[uuid.UUID, uuid.UUID], list[str]]:
        """employees_keys, each learner looked up once per batch."""
        missing = set(learners) - self._keys.keys()
        if missing:
            self._keys.update(employees_keys(self.session, self.company_id, missing))
        return self._keys

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

    def _record_unmatched(self, unmatched: Sequence[tuple[_Stored, str]]) -> None:
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

    def _write(self, results: Sequence[tuple[Unit, EnrollmentFacts | None]]) -> None:
        """Replace the enrollments, lessons, evidence and findings of a batch, with one
        statement per table: HR-only fields of existing enrollments are left alone."""
        gone = [unit.enrollment_id for unit, facts in results if facts is None]
        for chunk in chunks(gone):
            enrollments = LMSCourseEnrollment.id
            self.session.execute(
                delete(LMSCourseEnrollment).where(one_of(self.session, enrollments, chunk))
            )
        kept = [(unit, facts) for unit, facts in results if facts is not None]
        if not kept:
            return
        ids = [unit.enrollment_id for unit, _facts in kept]
        enrollment_rows = [self._enrollment_row(unit, facts) for unit, facts in kept]
        derived = [name for name in enrollment_rows[0] if name not in _SET_ONCE]
        upsert_rows(self.session, table_of(LMSCourseEnrollment), enrollment_rows, derived)
        lesson_rows: list[dict[str, Any]] = []
        evidence: dict[tuple[uuid.UUID, uuid.UUID], uuid.UUID] = {}
        findings: dict[uuid.UUID, dict[str, Any]] = {}
        for (unit, facts), enrollment in zip(kept, enrollment_rows, strict=True):
            enrollment_id = enrollment["id"]
            lesson_ids = {}
            for lesson in facts.lessons:
                row = self._lesson_row(unit, enrollment, lesson)
                lesson_rows.append(row)
                lesson_ids[lesson.activity_id] = row["id"]
                for statement_id in lesson.statement_ids:
                    evidence[(row["id"], statement_id)] = enrollment_id
            for statement_id in facts.statement_ids:
                evidence[(enrollment_id, statement_id)] = enrollment_id
            for f in facts.findings:
                finding_id = uuid.uuid5(_RECORDS, f"{enrollment_id}|{f.rule}|{f.statement_id}")
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
                "record_id": record_id,
                "statement_id": statement_id,
                "enrollment_id": enrollment_id,
            }
            for (record_id, statement_id), enrollment_id in evidence.items()
        ]
        for model, rows in (
            (LMSLearningProgress, lesson_rows),
            (RecordEvidence, evidence_rows),
            (DataQualityFinding, list(findings.values())),
        ):
            replace_rows(self.session, table_of(model), "enrollment_id", ids, rows)

    def _enrollment_row(self, unit: Unit, facts: EnrollmentFacts) -> dict[str, Any]:
        enrollment_id = unit.enrollment_id
        row: dict[str, Any] = {
            "id": enrollment_id,
            "company_id": self.company_id,
            "lms_integration_id": unit.integration_id,
            "employee_id": unit.employee_id,
            "enrollment_number": f"ENR-{enrollment_id.hex[:16].upper()}",
            "created_by_user_id": SYSTEM_USER,
            "course_id": short_id(unit.course_id),
            "course_activity_id": unit.course_id,
            "course_code": unit.course_id.rstrip("/").rsplit("/", 1)[-1][:50],
            "course_type": self._course_type(unit.integration_id, {"id": unit.course_id}),
            "enrollment_status": facts.status,
            "updated_by_user_id": SYSTEM_USER,
            "created_at": facts.first_stored,
            "updated_at": facts.last_stored,
        }
        for name in _FROM_FACTS:
            row[name] = getattr(facts, name)
        return row

    def _lesson_row(
        self, unit: Unit, enrollment: Mapping[str, Any], lesson: LessonFacts
    ) -> dict[str, Any]:
        return {
            "id": uuid.uuid5(_RECORDS, f"{enrollment['id']}|{lesson.activity_id}"),
            "company_id": self.company_id,
            "lms_integration_id": unit.integration_id,
            "enrollment_id": enrollment["id"],
            "employee_id": unit.employee_id,
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


def _voids(statement: Json) -> bool:
    obj = statement["object"]
    return bool(statement["verb"]["id"] == VOIDED_VERB and obj.get("objectType") == "StatementRef")


def _integration(row: _Stored) -> uuid.UUID:
    assert row.integration_id is not None
    return row.integration_id


class _ByActor:
    """Live statements grouped by (integration, actor key), to pick out one learner's."""

    def __init__(self, rows: Iterable[_Stored]) -> None:
        self.groups: dict[tuple[uuid.UUID | None, str | None], list[_Stored]] = {}
        for row in rows:
            if not row.voided:
                key = (row.integration_id, agent_key(row.data["actor"]))
                self.groups.setdefault(key, []).append(row)

    def learner(self, integration_id: uuid.UUID, keys: Sequence[str]) -> list[_Stored]:
        """The live statements of one learner (any of `keys`) through one integration."""
        return [row for key in keys for row in self.groups.get((integration_id, key), [])]


def _lock_key(unit: Unit) -> int:
    """The advisory lock of an enrollment (a signed 64-bit key)."""
    return unit.enrollment_id.int & 0x7FFF_FFFF_FFFF_FFFF


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


def _courses_placed(rows: Sequence[_Stored], rules: ReadingRules) -> set[str]:
    """The courses statements belong to, read alone or through their registration's course."""
    by_registration = _explicit_courses(rows, rules)
    return {
        found.course["id"]
        for row in rows
        for found in (rules.placement(row.data), _placed(row.data, rules, by_registration))
        if found is not None
    }


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
