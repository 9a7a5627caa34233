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
from statements.credentials import hr_authority
from statements.db import insert_rows, one_of
from statements.equivalence import equivalent
from statements.errors import FieldError, Forbidden, StatementConflict, StatementInvalid
from statements.keys import agent_key, index_key
from statements.locks import lock, statement_lock_key
from statements.models import (
    ACTIVITIES,
    AGENTS,
    OUTBOX,
    STATEMENTS,
    TARGETS,
    Company,
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
    voided = _voided_ids(session, company_id, new, integration_id)
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
    integration_id: uuid.UUID | None,
) -> set[uuid.UUID]:
    """Ids that become voided: targets of new voiding statements, and new statements that a
    stored voiding statement already targets. A voiding statement is never voided (Data 2.3.2).

    A statement is voided only by the authority that stored it, or by a credential of the
    integration it came through; the HR system's statements only by the HR system. A batch
    voiding anything else is refused whole; a stored voiding statement of another authority
    leaves a newly arrived target alone.
    """
    voiding_verb = index_key(VOIDED_VERB)
    new_by_id = {p.id: p for p in new}
    voided_by = {p.ref_id: p for p in new if p.is_voiding and p.ref_id is not None}
    stored_targets = voided_by.keys() - new_by_id.keys()
    rights = _VoidingRights(session, company_id)
    stored_voiding: set[uuid.UUID] = set()
    if stored_targets:
        # The tenant is checked on the rows found (see StatementRow's keys), here and below.
        s = StatementRow
        found = session.execute(
            select(
                s.id, s.company_id, s.verb_key, s.ref_id, s.authority_key, s.integration_id
            ).where(one_of(session, s.id, list(stored_targets)))
        )
        for target_id, owner, verb_key, ref_id, authority, target_integration in found:
            if owner != company_id:
                continue
            voider = voided_by[target_id].authority_key
            if not rights.allow(voider, integration_id, authority, target_integration):
                raise Forbidden(
                    f"statement {target_id} was stored by another authority: only it, or a "
                    "credential of the integration it came through, may void it"
                )
            if verb_key == voiding_verb and ref_id is not None:
                stored_voiding.add(target_id)
    targets = set(voided_by)
    s = StatementRow
    for target, owner, authority_key, voider_integration in session.execute(
        select(s.ref_id, s.company_id, s.authority_key, s.integration_id).where(
            one_of(session, s.ref_id, list(new_by_id)),
            s.verb_key == voiding_verb,
        )
    ):
        arrived = new_by_id[target]
        if owner == company_id and rights.allow(
            authority_key, voider_integration, arrived.authority_key, integration_id
        ):
            targets.add(target)
    new_voiding = {p.id for p in new if p.is_voiding}
    return {t for t in targets if t is not None} - stored_voiding - new_voiding


class _VoidingRights:
    """Who may void what (see _voided_ids); the HR system's authority is looked up only
    when a statement of another authority is to be voided."""

    def __init__(self, session: Session, company_id: uuid.UUID) -> None:
        self.session = session
        self.company_id = company_id
        self._hr_key: str | None = None

    def allow(
        self,
        voider: str,
        voider_integration: uuid.UUID | None,
        target: str,
        target_integration: uuid.UUID | None,
    ) -> bool:
        if voider == target:
            return True
        if target == self.hr_key:
            return False
        return voider_integration is not None and voider_integration == target_integration

    @property
    def hr_key(self) -> str:
        if self._hr_key is None:
            home_page = self.session.scalar(
                select(Company.home_page).where(Company.id == self.company_id)
            )
            self._hr_key = agent_key(hr_authority(home_page or "")) or ""
        return self._hr_key
