"""Bringing a company's HR records up to date with its statements, a batch at a time.

For a batch of statements: find the enrollments whose statement set they change
(mapping.placement), lock them, recompute each from all of its statements with the pure fold
(mapping.fold) and write the result (mapping.writer). However many statements and
enrollments a batch holds, it costs a fixed number of queries: identities, statements and
records are each read and written with one set-based statement (or one per thousand keys).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from mapping.facts import EnrollmentFacts, Event
from mapping.fold import fold
from mapping.health import record_arrivals
from mapping.identity import employees_keys, find_employees
from mapping.integration_rules import IntegrationRules
from mapping.keys import EnrollmentKey
from mapping.models import LMSIntegrationConfig
from mapping.placement import Placement, Placements, attempt_of, registration_of
from mapping.reading import LiveByActor, LoadedStatement, StatementReader
from mapping.vocabulary import Effect
from mapping.writer import RecordWriter
from statements.credentials import HR_ACCOUNT_NAME
from statements.keys import agent_key, index_key
from statements.locks import lock, try_lock
from statements.rules import VOIDED_VERB
from statements.timestamps import parse_timestamp

Json = Mapping[str, Any]
Learner = tuple[uuid.UUID, uuid.UUID]  # (integration, employee)


class CompanyRecords:
    """The HR records of one company, for one batch of statements."""

    def __init__(self, session: Session, company_id: uuid.UUID) -> None:
        self.session = session
        self.company_id = company_id
        self.reader = StatementReader(session, company_id)
        self.placements = Placements()
        self.writer = RecordWriter(session, company_id, self.rules)
        self._rules: dict[uuid.UUID, IntegrationRules] = {}
        self._keys: dict[Learner, list[str]] = {}

    def update(self, statement_ids: Sequence[uuid.UUID], *, wait: bool) -> set[uuid.UUID]:
        """Bring the records up to date with newly stored statements.

        With `wait`, an enrollment another transaction is recomputing is waited for. Without,
        it is left alone, and so are the statements that touch it: they are returned, to be
        folded again once that transaction has committed. Two workers whose batches share an
        enrollment then both go on, where waiting would make the second idle for all of the
        first's transaction, and a backlog (bigger batches, longer transactions) worse.
        """
        touched = self.touched_by(statement_ids)
        if wait:
            lock(self.session, (key.lock_key for key in touched))
            held = set(touched)
        else:
            free = try_lock(self.session, (key.lock_key for key in touched))
            held = {key for key in touched if key.lock_key in free}
        deferred = {s for key, sources in touched.items() if key not in held for s in sources}
        self._recompute(sorted(key for key in held if touched[key] - deferred))
        latest: dict[uuid.UUID, datetime] = {}
        for row in self.reader.by_ids(statement_ids):
            if row.integration_id is not None and row.id not in deferred and not self._by_hr(row):
                latest[row.integration_id] = max(
                    row.stored, latest.get(row.integration_id, row.stored)
                )
        record_arrivals(self.session, self.company_id, latest)
        return deferred

    def touched_by(self, statement_ids: Sequence[uuid.UUID]) -> dict[EnrollmentKey, set[uuid.UUID]]:
        """The enrollments whose statement sets these statements may have changed, each with
        the statements that change it: their own placement, their voided targets', and those
        of statements sharing a registration with them (a course statement can move a cmi5
        AU's statements)."""
        rows = self.reader.by_ids(list(statement_ids))
        source = {row.id: row.id for row in rows}
        targets = {uuid.UUID(row.data["object"]["id"]): row.id for row in rows if _voids(row.data)}
        if targets:
            for target in self.reader.by_ids(list(targets)):
                source.setdefault(target.id, targets[target.id])
                rows.append(target)
        placed: list[tuple[LoadedStatement, uuid.UUID, Placement, str]] = []
        for row in rows:
            # Without an integration a statement is not HR learning data; a voiding statement
            # counts through its target.
            if row.integration_id is None or _voids(row.data):
                continue
            placement = self.placements.own(row.id, row.data, self.rules(row.integration_id))
            key = agent_key(row.data["actor"])
            if placement is not None and key is not None:
                placed.append((row, row.integration_id, placement, key))
        employees = find_employees(
            self.session,
            self.company_id,
            {(integration, key) for _r, integration, _p, key in placed},
        )
        touched: dict[EnrollmentKey, set[uuid.UUID]] = {}
        # Per learner: the registrations of their statements, and those statements.
        shared: dict[Learner, tuple[set[uuid.UUID], set[uuid.UUID]]] = {}
        unmatched: list[tuple[LoadedStatement, str]] = []
        for row, integration_id, placement, key in placed:
            employee_id = employees[(integration_id, key)]
            if employee_id is None:
                if not row.voided:
                    unmatched.append((row, key))
                continue
            enrollment = EnrollmentKey(
                self.company_id, integration_id, employee_id, placement.course["id"]
            )
            touched.setdefault(enrollment, set()).add(source[row.id])
            if registration := registration_of(row.data):
                registrations, sources = shared.setdefault(
                    (integration_id, employee_id), (set(), set())
                )
                registrations.add(registration)
                sources.add(source[row.id])
        self.writer.unmatched(unmatched)
        if shared:
            keys = self._employees_keys(shared)
            registered = LiveByActor(
                self.reader.in_registrations({r for regs, _s in shared.values() for r in regs})
            )
            for (integration_id, employee_id), (registrations, sources) in shared.items():
                learner = registered.learner(integration_id, keys[(integration_id, employee_id)])
                mine = [row for row in learner if registration_of(row.data) in registrations]
                for course in self._courses_of(mine, self.rules(integration_id)):
                    enrollment = EnrollmentKey(self.company_id, integration_id, employee_id, course)
                    touched.setdefault(enrollment, set()).update(sources)
        return touched

    def recompute(self, keys: Iterable[EnrollmentKey]) -> None:
        """Replace each enrollment (and its lessons) with what all its statements say."""
        ordered = sorted(set(keys))
        lock(self.session, (key.lock_key for key in ordered))
        self._recompute(ordered)

    @staticmethod
    def _by_hr(row: LoadedStatement) -> bool:
        """Whether the HR system stored the statement. The LRS sets every authority itself,
        to the HR account or to a credential, whose name is its hexadecimal key: the
        account's name alone tells them apart."""
        account = (row.data.get("authority") or {}).get("account") or {}
        return bool(account.get("name") == HR_ACCOUNT_NAME)

    def rules(self, integration_id: uuid.UUID) -> IntegrationRules:
        """The reading rules of one of the company's integrations, read once per batch."""
        if integration_id not in self._rules:
            integration = self.session.get(LMSIntegrationConfig, integration_id)
            self._rules[integration_id] = IntegrationRules.of(integration)
        return self._rules[integration_id]

    def _recompute(self, keys: Sequence[EnrollmentKey]) -> None:
        """recompute, for enrollments whose locks this transaction holds."""
        if not keys:
            return
        learner_keys = self._employees_keys({(k.integration_id, k.employee_id) for k in keys})
        # A learner's statements about the courses of their enrollments in the batch, not
        # all of their history.
        courses_by_agent: dict[str, set[str]] = {}
        for key in keys:
            for agent in learner_keys[(key.integration_id, key.employee_id)]:
                courses_by_agent.setdefault(agent, set()).add(index_key(key.course_id))
        rows = {row.id: row for row in self.reader.about_courses(courses_by_agent)}
        registrations = {r for row in rows.values() if (r := registration_of(row.data))}
        for row in self.reader.in_registrations(registrations):
            rows.setdefault(row.id, row)
        by_actor = LiveByActor(rows.values())
        # Per learner and course: the events of the learner's statements placed there.
        events: dict[tuple[Learner, str], list[Event]] = {}
        for learner in {(k.integration_id, k.employee_id) for k in keys}:
            rules = self.rules(learner[0])
            statements = by_actor.learner(learner[0], learner_keys[learner])
            placed = self.placements.of_learner(((row.id, row.data) for row in statements), rules)
            for row in statements:
                if (placement := placed.get(row.id)) is not None:
                    course = placement.course["id"]
                    event = _event(row, placement, rules, self._by_hr(row))
                    events.setdefault((learner, course), []).append(event)
        results: list[tuple[EnrollmentKey, EnrollmentFacts | None]] = []
        for key in keys:
            found = events.get(((key.integration_id, key.employee_id), key.course_id))
            rules = self.rules(key.integration_id)
            # An enrollment exists once a statement does something to it (enrolls, starts,
            # completes...): statements that do nothing, such as a teacher editing the
            # course, make no learner of their actor.
            enrolled = found is not None and any(e.effect is not None for e in found)
            results.append((key, fold(found, rules.fold_settings) if found and enrolled else None))
        self.writer.write(results)

    def _courses_of(self, rows: Sequence[LoadedStatement], rules: IntegrationRules) -> set[str]:
        """The courses statements count towards, read alone or through their registration's
        course: a statement that moves from one to the other changes both."""
        resolved = self.placements.of_learner(((row.id, row.data) for row in rows), rules)
        courses = {placement.course["id"] for placement in resolved.values()}
        for row in rows:
            own = self.placements.own(row.id, row.data, rules)
            if own is not None:
                courses.add(own.course["id"])
        return courses

    def _employees_keys(self, learners: Iterable[Learner]) -> dict[Learner, list[str]]:
        """employees_keys, each learner looked up once per batch."""
        missing = set(learners) - self._keys.keys()
        if missing:
            self._keys.update(employees_keys(self.session, self.company_id, missing))
        return self._keys


def _voids(statement: Json) -> bool:
    obj = statement["object"]
    return bool(statement["verb"]["id"] == VOIDED_VERB and obj.get("objectType") == "StatementRef")


def _event(
    row: LoadedStatement, placement: Placement, rules: IntegrationRules, by_hr: bool
) -> Event:
    data = row.data
    effect = rules.effect(data["verb"]["id"], data.get("result"))
    result = data.get("result", {})
    if placement.part:
        # A question answered, right or wrong, shows the learner at the lesson; its score
        # and its time are the question's.
        effect, result = (Effect.START if effect is not None else None), {}
    return Event(
        statement_id=row.id,
        timestamp=parse_timestamp(data["timestamp"]),
        stored=row.stored,
        verb_id=data["verb"]["id"],
        effect=effect,
        lesson=placement.lesson,
        result=result,
        context=data.get("context", {}),
        course=placement.course,
        by_hr=by_hr,
        attempt=attempt_of(data),
        part=placement.part,
    )
