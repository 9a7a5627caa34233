"""Reading a batch's statements from the store: by id, by registration, and a learner's
statements about given courses, each statement read and parsed once per batch.

Lookups go through keys that are unique across tenants (ids, registrations) and check the
tenant on the rows found rather than in the query, so that no plan can prefer a scan of the
tenant's rows (see StatementRow's keys).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import select, true
from sqlalchemy.orm import Session

from mapping.activity_ids import course_named_in
from statements.db import chunks, one_of
from statements.keys import agent_key, index_key
from statements.models import ACTIVITIES, AGENTS, STATEMENTS


@dataclass(frozen=True, slots=True)
class LoadedStatement:
    """A stored statement as the mapping reads it."""

    id: uuid.UUID
    stored: datetime
    integration_id: uuid.UUID | None
    voided: bool
    data: dict[str, Any]


class StatementReader:
    """One company's statements, read for one batch."""

    def __init__(self, session: Session, company_id: uuid.UUID) -> None:
        self.session = session
        self.company_id = company_id
        self._loaded: dict[uuid.UUID, LoadedStatement] = {}
        self._registered: dict[uuid.UUID, list[uuid.UUID]] = {}

    def by_ids(self, ids: Sequence[uuid.UUID]) -> list[LoadedStatement]:
        """Statements by id, through the primary key alone, in the order asked."""
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
                    self._loaded[statement_id] = LoadedStatement(
                        statement_id, stored_at, integration_id, voided, orjson.loads(payload)
                    )
        return [self._loaded[i] for i in wanted if i in self._loaded]

    def in_registrations(self, registrations: Iterable[uuid.UUID]) -> list[LoadedStatement]:
        """Every statement in these registrations, through the registration index alone."""
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
        return self.by_ids([i for r in registrations for i in self._registered[r]])

    def about_courses(self, courses_by_agent: Mapping[str, set[str]]) -> list[LoadedStatement]:
        """The statements whose actor or object has one of these agent keys and that mention
        one of that agent's course activity keys anywhere."""
        return self.by_ids(self._mentioning(self._of_agents(courses_by_agent)))

    def _of_agents(self, courses_by_agent: Mapping[str, set[str]]) -> dict[uuid.UUID, set[str]]:
        """Through the agent index: each statement with the course keys wanted of it."""
        a = AGENTS
        wanted: dict[uuid.UUID, set[str]] = {}
        for chunk in chunks(list(courses_by_agent)):
            rows = self.session.execute(
                select(a.c.statement_id, a.c.agent_key).where(
                    one_of(self.session, a.c.agent_key, chunk),
                    a.c.company_id == self.company_id,
                    a.c.direct == true(),
                )
            )
            for statement_id, key in rows:
                wanted.setdefault(statement_id, set()).update(courses_by_agent[key])
        return wanted

    def _mentioning(self, wanted: Mapping[uuid.UUID, set[str]]) -> list[uuid.UUID]:
        """Those of the statements that mention one of the activities wanted of them, or an
        activity whose id names one of them as its course (mapping.activity_ids).

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
                if company_id == self.company_id
                and (
                    activity_key in wanted[statement_id]
                    or _course_key(activity_key) in wanted[statement_id]
                )
            )
        return list(found)


def _course_key(activity_key: str) -> str | None:
    course = course_named_in(activity_key)
    return index_key(course) if course is not None else None


class LiveByActor:
    """Live (not voided) statements grouped by (integration, actor key), to pick out one
    learner's."""

    def __init__(self, rows: Iterable[LoadedStatement]) -> None:
        self.groups: dict[tuple[uuid.UUID | None, str | None], list[LoadedStatement]] = {}
        for row in rows:
            if not row.voided:
                key = (row.integration_id, agent_key(row.data["actor"]))
                self.groups.setdefault(key, []).append(row)

    def learner(self, integration_id: uuid.UUID, keys: Sequence[str]) -> list[LoadedStatement]:
        """The live statements of one learner (any of `keys`) through one integration."""
        return [row for key in keys for row in self.groups.get((integration_id, key), [])]
