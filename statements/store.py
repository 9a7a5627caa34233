"""Writing statements: duplicate handling, voiding, and the index rows queries rely on.

One call stores one request's statements atomically: the caller owns the transaction, and
nothing here commits. Everything a batch needs from the database is read with a handful of
set-based queries, whatever the batch size, and each table gets one multi-row insert.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from statements import timestamps
from statements.activities import record_activities
from statements.db import insert_rows, one_of
from statements.equivalence import equivalent
from statements.errors import FieldError, StatementConflict, StatementInvalid
from statements.keys import index_key
from statements.locks import lock, statement_lock_key
from statements.models import (
    ACTIVITIES,
    AGENTS,
    OUTBOX,
    STATEMENTS,
    TARGETS,
    StatementRow,
    StatementTarget,
)
from statements.normalize import PreparedStatement, prepare
from statements.rules import VOIDED_VERB

Json = Mapping[str, Any]


def store_statements(
    session: Session,
    company_id: uuid.UUID,
    statements: Sequence[Json],
    *,
    authority: Json,
    authority_key: str,
    stored: datetime | None = None,
    may_define: bool = False,
    integration_id: uuid.UUID | None = None,
) -> list[uuid.UUID]:
    """Store validated statements; return their ids in order.

    A statement whose id is already stored is accepted without any change when it is
    equivalent to the stored one, and rejects the whole batch with StatementConflict when it
    is not (xAPI Communication 2.1.1 and 2.1.2). `may_define` lets the statements' activity
    definitions update the canonical ones.
    """
    stored = stored or timestamps.now()
    prepared = [
        prepare(s, stored=stored, authority=authority, authority_key=authority_key)
        for s in statements
    ]
    ids = [p.id for p in prepared]
    _reject_repeated_ids(ids)
    # A statement and the statement voiding it, sent at the same moment in two transactions,
    # could each miss the other and leave the target unvoided: writers touching the same
    # ids take turns.
    locked = ids + [p.ref_id for p in prepared if p.ref_id]
    lock(session, (statement_lock_key(company_id, statement_id) for statement_id in locked))

    existing = _existing_payloads(session, company_id, ids)
    for index, (p, original) in enumerate(zip(prepared, statements, strict=True)):
        if p.id in existing and not equivalent(existing[p.id], original):
            raise StatementConflict(
                f"a different statement with id {p.id} is already stored",
                id=str(p.id),
                index=index,
            )
    new = [p for p in prepared if p.id not in existing]
    if new:
        _insert(session, company_id, new, integration_id)
        record_activities(
            session, company_id, [p.data for p in new], may_define=may_define, now=stored
        )
    return ids


def _reject_repeated_ids(ids: Sequence[uuid.UUID]) -> None:
    seen: set[uuid.UUID] = set()
    for index, statement_id in enumerate(ids):
        if statement_id in seen:
            # Communication 2.1.2: a batch with one id twice is rejected with 400.
            message = f"statement id {statement_id} appears more than once in this batch"
            raise StatementInvalid(message, [FieldError(f"[{index}].id", message)])
        seen.add(statement_id)


def _existing_payloads(
    session: Session, company_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    # The tenant is checked on the rows found (see StatementRow's keys).
    rows = session.execute(
        select(StatementRow.id, StatementRow.company_id, StatementRow.payload).where(
            one_of(session, StatementRow.id, ids)
        )
    )
    return {
        statement_id: orjson.loads(payload)
        for statement_id, owner, payload in rows
        if owner == company_id
    }


def _insert(
    session: Session,
    company_id: uuid.UUID,
    new: Sequence[PreparedStatement],
    integration_id: uuid.UUID | None,
) -> None:
    targets = _targets(session, company_id, new)
    voided = _voided_ids(session, company_id, new)
    insert_rows(
        session,
        STATEMENTS,
        [
            {
                "company_id": company_id,
                "id": p.id,
                "stored": p.stored,
                "verb_key": p.verb_key,
                "activity_key": p.activity_key,
                "ref_id": p.ref_id,
                "registration": p.registration,
                "authority_key": p.authority_key,
                "integration_id": integration_id,
                "voided": p.id in voided,
                "payload": orjson.dumps(p.data).decode(),
            }
            for p in new
        ],
    )
    insert_rows(
        session,
        AGENTS,
        [
            {
                "company_id": company_id,
                "statement_id": p.id,
                "agent_key": key,
                "stored": p.stored,
                "direct": direct,
            }
            for p in new
            for key, direct in p.agents.items()
        ],
    )
    activity_rows = [
        {"company_id": company_id, "statement_id": p.id, "activity_key": key, "stored": p.stored}
        for p in new
        for key in p.activities
    ]
    insert_rows(session, ACTIVITIES, activity_rows)
    insert_rows(session, TARGETS, targets)
    insert_rows(
        session,
        OUTBOX,
        [{"company_id": company_id, "statement_id": p.id, "created": p.stored} for p in new],
    )
    already_stored = voided - {p.id for p in new}
    if already_stored:
        session.execute(
            update(StatementRow)
            .where(StatementRow.company_id == company_id, StatementRow.id.in_(already_stored))
            .values(voided=True)
        )


def _targets(
    session: Session, company_id: uuid.UUID, new: Sequence[PreparedStatement]
) -> list[dict[str, Any]]:
    """The statement_targets rows the new statements add (the transitive StatementRef closure).

    Each statement has at most one StatementRef object, so what a statement reaches is a
    simple chain. Rows are added for the new statements and for stored statements whose chain
    ended at a statement that has only now arrived, so chains close in any arrival order.
    """
    new_by_id = {p.id: p for p in new}
    referenced = {p.ref_id for p in new if p.ref_id is not None} - new_by_id.keys()
    stored_reach: dict[uuid.UUID, set[uuid.UUID]] = {}
    if referenced:
        for statement_id, target_id in session.execute(
            select(StatementTarget.statement_id, StatementTarget.target_id).where(
                StatementTarget.company_id == company_id,
                StatementTarget.statement_id.in_(referenced),
            )
        ):
            stored_reach.setdefault(statement_id, set()).add(target_id)

    def reach(statement_id: uuid.UUID) -> set[uuid.UUID]:
        found: set[uuid.UUID] = set()
        current = new_by_id.get(statement_id)
        while current is not None and current.ref_id is not None and current.ref_id not in found:
            found.add(current.ref_id)
            if current.ref_id not in new_by_id:
                found |= stored_reach.get(current.ref_id, set())
            current = new_by_id.get(current.ref_id)
        return found

    closures = {p.id: reach(p.id) - {p.id} for p in new if p.ref_id is not None}
    rows = {
        (statement_id, target): new_by_id[statement_id].stored
        for statement_id, reached in closures.items()
        for target in reached
    }
    if closures:
        for referrer_id, target_id, referrer_stored in session.execute(
            select(
                StatementTarget.statement_id, StatementTarget.target_id, StatementTarget.stored
            ).where(
                StatementTarget.company_id == company_id,
                StatementTarget.target_id.in_(closures),
            )
        ):
            for target in closures[target_id] - {referrer_id}:
                rows[(referrer_id, target)] = referrer_stored
    return [
        {"company_id": company_id, "statement_id": statement_id, "target_id": target, "stored": at}
        for (statement_id, target), at in rows.items()
    ]


def _voided_ids(
    session: Session,
    company_id: uuid.UUID,
    new: Sequence[PreparedStatement],
) -> set[uuid.UUID]:
    """Ids that become voided: targets of new voiding statements, and new statements that a
    stored voiding statement already targets. A voiding statement is never voided (Data 2.3.2).
    """
    voiding_verb = index_key(VOIDED_VERB)
    new_by_id = {p.id: p for p in new}
    targets = {p.ref_id for p in new if p.is_voiding and p.ref_id is not None}
    stored_targets = targets - new_by_id.keys()
    stored_voiding: set[uuid.UUID] = set()
    if stored_targets:
        # The tenant is checked on the rows found (see StatementRow's keys), here and below.
        stored_voiding = {
            statement_id
            for statement_id, owner in session.execute(
                select(StatementRow.id, StatementRow.company_id).where(
                    one_of(session, StatementRow.id, list(stored_targets)),
                    StatementRow.verb_key == voiding_verb,
                    StatementRow.ref_id.is_not(None),
                )
            )
            if owner == company_id
        }
    targets |= {
        target
        for target, owner in session.execute(
            select(StatementRow.ref_id, StatementRow.company_id).where(
                one_of(session, StatementRow.ref_id, list(new_by_id)),
                StatementRow.verb_key == voiding_verb,
            )
        )
        if owner == company_id
    }
    new_voiding = {p.id for p in new if p.is_voiding}
    return {t for t in targets if t is not None} - stored_voiding - new_voiding
