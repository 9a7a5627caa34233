"""Reading statements: single look-ups and filtered, keyset-paged queries (Communication 2.1.3).

Every filter is answered from an index. A query has up to two arms: statements that match
the filters themselves, and statements whose StatementRef chain reaches one that does (the
"Filter Conditions for StatementRefs" rule), found through the `statement_targets` closure.
Both arms are ordered by (stored, id) and cut at the page size before they are merged, so a
page costs the same at the millionth statement as at the first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    Subquery,
    Uuid,
    and_,
    exists,
    literal,
    select,
    true,
    tuple_,
    union,
)
from sqlalchemy.orm import Session

from statements.db import UTCDateTime
from statements.models import ACTIVITIES, AGENTS, STATEMENTS, TARGETS, StatementRow


@dataclass(frozen=True, slots=True)
class StatementQuery:
    """The filters of a GET Statements request, already validated and turned into keys."""

    agent_key: str | None = None
    verb_key: str | None = None
    activity_key: str | None = None
    registration: uuid.UUID | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: datetime | None = None
    until: datetime | None = None
    ascending: bool = False
    # statements/read/mine: only statements this authority stored.
    authority_key: str | None = None

    @property
    def filters_content(self) -> bool:
        """True when a filter looks inside statements (so the StatementRef rule applies)."""
        return any(
            v is not None
            for v in (self.agent_key, self.verb_key, self.activity_key, self.registration)
        )


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page ends: the (stored, id) of its last statement."""

    stored: datetime
    id: uuid.UUID


@dataclass(frozen=True, slots=True)
class StoredStatement:
    """A statement as read back: its JSON text and when it was stored."""

    id: uuid.UUID
    stored: datetime
    payload: str


@dataclass(frozen=True, slots=True)
class Page:
    """One page of results and, when more remain, where the next page starts."""

    statements: list[StoredStatement]
    next: Cursor | None


def get_statement(
    session: Session,
    company_id: uuid.UUID,
    statement_id: uuid.UUID,
    *,
    voided: bool,
    authority_key: str | None = None,
) -> StoredStatement | None:
    """One statement by id; `voided` selects voidedStatementId semantics (Communication 2.1.4)."""
    query = select(StatementRow.id, StatementRow.stored, StatementRow.payload).where(
        StatementRow.company_id == company_id,
        StatementRow.id == statement_id,
        StatementRow.voided == voided,
    )
    if authority_key is not None:
        query = query.where(StatementRow.authority_key == authority_key)
    row = session.execute(query).first()
    return StoredStatement(*row) if row else None


def find_statements(
    session: Session,
    company_id: uuid.UUID,
    query: StatementQuery,
    *,
    limit: int,
    after: Cursor | None = None,
) -> Page:
    """Up to `limit` non-voided statements matching `query`, after `after` in query order."""
    arms = [_direct_matches(company_id, query, limit + 1, after)]
    if query.agent_key is not None and query.related_agents:
        arms.append(_authority_matches(company_id, query, limit + 1, after))
    if query.filters_content:
        arms.append(_reference_matches(company_id, query, limit + 1, after))
    if len(arms) == 1:
        keys = arms[0].subquery()
    else:
        # Each arm is cut at the page size first; SQLite needs them wrapped to allow that.
        wrapped = [arm.subquery() for arm in arms]
        keys = union(*(select(w.c.stored, w.c.id) for w in wrapped)).subquery()
    page_keys = (
        select(keys.c.stored, keys.c.id)
        .order_by(*_order_by(keys, query.ascending))
        .limit(limit + 1)
        .subquery()
    )
    s = STATEMENTS
    rows = session.execute(
        select(s.c.id, s.c.stored, s.c.payload)
        .join(page_keys, and_(s.c.company_id == company_id, s.c.id == page_keys.c.id))
        .order_by(*_order_by(page_keys, query.ascending))
    ).all()
    statements = [StoredStatement(*row) for row in rows[:limit]]
    more = len(rows) > limit
    next_cursor = Cursor(statements[-1].stored, statements[-1].id) if more and statements else None
    return Page(statements, next_cursor)


def _order_by(keys: Subquery, ascending: bool) -> tuple[ColumnElement[Any], ...]:
    if ascending:
        return keys.c.stored, keys.c.id
    return keys.c.stored.desc(), keys.c.id.desc()


def _direct_matches(
    company_id: uuid.UUID, query: StatementQuery, limit: int, after: Cursor | None
) -> Select[tuple[datetime, uuid.UUID]]:
    """Statements that match the filters themselves, driven by the most selective index."""
    s = STATEMENTS
    driver: FromClause
    if query.agent_key is not None:
        driver = AGENTS
        conditions = [driver.c.agent_key == query.agent_key]
        if not query.related_agents:
            conditions.append(driver.c.direct == true())
        content = _content_conditions(s, query, skip_agent=True)
    elif query.activity_key is not None and query.related_activities:
        driver = ACTIVITIES
        conditions = [driver.c.activity_key == query.activity_key]
        content = _content_conditions(s, query, skip_activity=True)
    else:
        base = select(s.c.stored, s.c.id).where(s.c.company_id == company_id)
        base = base.where(s.c.voided == False, *_content_conditions(s, query))  # noqa: E712
        if query.authority_key is not None:
            base = base.where(s.c.authority_key == query.authority_key)
        return _ordered(base, s.c.stored, s.c.id, query, limit, after)
    # A link table drives the query: ordered by its own (stored, statement_id) index.
    stored_col, id_col = driver.c.stored, driver.c.statement_id
    base = (
        select(stored_col.label("stored"), id_col.label("id"))
        .join(s, and_(s.c.company_id == driver.c.company_id, s.c.id == driver.c.statement_id))
        .where(driver.c.company_id == company_id, *conditions)
        .where(s.c.voided == False, *content)  # noqa: E712
    )
    if query.authority_key is not None:
        base = base.where(s.c.authority_key == query.authority_key)
    return _ordered(base, stored_col, id_col, query, limit, after)


def _authority_matches(
    company_id: uuid.UUID, query: StatementQuery, limit: int, after: Cursor | None
) -> Select[tuple[datetime, uuid.UUID]]:
    """With `related_agents`, statements whose authority is the agent (Communication 2.1.3)."""
    s = STATEMENTS
    base = (
        select(s.c.stored, s.c.id)
        .where(s.c.company_id == company_id, s.c.authority_key == query.agent_key)
        .where(s.c.voided == False, *_content_conditions(s, query, skip_agent=True))  # noqa: E712
    )
    if query.authority_key is not None:
        base = base.where(s.c.authority_key == query.authority_key)
    return _ordered(base, s.c.stored, s.c.id, query, limit, after)


def _reference_matches(
    company_id: uuid.UUID, query: StatementQuery, limit: int, after: Cursor | None
) -> Select[tuple[datetime, uuid.UUID]]:
    """Statements whose StatementRef chain reaches a statement matching the filters.

    Time and paging apply to the referring statement; the filters to the target, voided or
    not (Communication 2.1.3 and 2.1.4).
    """
    referrer = STATEMENTS.alias("referrer")
    target = STATEMENTS.alias("target")
    link = TARGETS
    base = (
        select(link.c.stored.label("stored"), link.c.statement_id.label("id"))
        .join(
            referrer,
            and_(referrer.c.company_id == link.c.company_id, referrer.c.id == link.c.statement_id),
        )
        .join(
            target, and_(target.c.company_id == link.c.company_id, target.c.id == link.c.target_id)
        )
        .where(link.c.company_id == company_id, referrer.c.voided == False)  # noqa: E712
        .where(*_content_conditions(target, query))
    )
    if query.authority_key is not None:
        base = base.where(referrer.c.authority_key == query.authority_key)
    return _ordered(base, link.c.stored, link.c.statement_id, query, limit, after)


def _content_conditions(
    statement: FromClause,
    query: StatementQuery,
    *,
    skip_agent: bool = False,
    skip_activity: bool = False,
) -> list[ColumnElement[bool]]:
    c = statement.c
    conditions: list[ColumnElement[bool]] = []
    if query.verb_key is not None:
        conditions.append(c.verb_key == query.verb_key)
    if query.registration is not None:
        conditions.append(c.registration == query.registration)
    if query.activity_key is not None and not skip_activity:
        if query.related_activities:
            conditions.append(
                exists().where(
                    ACTIVITIES.c.company_id == c.company_id,
                    ACTIVITIES.c.statement_id == c.id,
                    ACTIVITIES.c.activity_key == query.activity_key,
                )
            )
        else:
            conditions.append(c.activity_key == query.activity_key)
    if query.agent_key is not None and not skip_agent:
        agent_conditions = [
            AGENTS.c.company_id == c.company_id,
            AGENTS.c.statement_id == c.id,
            AGENTS.c.agent_key == query.agent_key,
        ]
        agent_match: ColumnElement[bool]
        if query.related_agents:
            agent_match = exists().where(*agent_conditions) | (c.authority_key == query.agent_key)
        else:
            agent_match = exists().where(*agent_conditions, AGENTS.c.direct == true())
        conditions.append(agent_match)
    return conditions


def _ordered(
    base: Select[tuple[datetime, uuid.UUID]],
    stored_col: ColumnElement[datetime],
    id_col: ColumnElement[uuid.UUID],
    query: StatementQuery,
    limit: int,
    after: Cursor | None,
) -> Select[tuple[datetime, uuid.UUID]]:
    if query.since is not None:
        base = base.where(stored_col > query.since)  # since is exclusive
    if query.until is not None:
        base = base.where(stored_col <= query.until)  # until is inclusive
    if after is not None:
        position = tuple_(stored_col, id_col)
        boundary = tuple_(literal(after.stored, UTCDateTime()), literal(after.id, Uuid()))
        base = base.where(position > boundary if query.ascending else position < boundary)
    if query.ascending:
        return base.order_by(stored_col, id_col).limit(limit)
    return base.order_by(stored_col.desc(), id_col.desc()).limit(limit)
