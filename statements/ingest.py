"""The one way in for statements: every producer (the xAPI resource, HR-side changes, LMS
polling, LTI launches) calls `receive`, so every statement passes the same validation and is
stored the same way.

`receive` writes in the caller's transaction and commits nothing. In sessions of a
sessionmaker given to `hand_on_commits` (the shell's), what it stored is noted against the
transaction, savepoints included: once the outermost transaction commits, `take_committed`
hands the ids to whoever runs the after-commit hook (the shell folds them into HR records
there when so configured). A transaction or savepoint that rolls back leaves nothing to hand
on.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from statements import timestamps
from statements.attachments import AttachmentPart, match_parts, store_attachments
from statements.signatures import verify_signatures
from statements.store import store_statements
from statements.validate import validate_statements

Json = Mapping[str, Any]
_TRACKED = "statements.ingest.tracked"
_PENDING = "statements.ingest.pending"  # per open transaction: what it stored
_ENDING = "statements.ingest.ending"  # transactions that have committed and not yet closed
_COMMITTED = "statements.ingest.committed"


@dataclass(frozen=True, slots=True)
class Receipt:
    """Statements one `receive` call stored for one company."""

    company_id: uuid.UUID
    statement_ids: tuple[uuid.UUID, ...]


def receive(
    session: Session,
    company_id: uuid.UUID,
    statements: Sequence[Json],
    parts: Sequence[AttachmentPart] | None = None,
    *,
    authority: Json,
    authority_key: str,
    may_define: bool = False,
    integration_id: uuid.UUID | None = None,
    hand_on: bool = True,
) -> list[uuid.UUID]:
    """Validate, check attachments and signatures, and store statements, all or none; return
    their ids in order.

    `parts` are the attachment parts of a multipart request; None means there are none, so
    every attachment needs a fileUrl. `may_define` lets the statements' activity definitions
    change the canonical ones. Raises StatementInvalid, BadRequest or StatementConflict and
    then stores nothing. `hand_on=False` keeps the ids from the after-commit hook, for a
    caller that folds them itself.
    """
    validate_statements(statements)
    to_store = match_parts(statements, parts or ())
    verify_signatures(statements, to_store)
    stored = timestamps.now()
    ids = store_statements(
        session,
        company_id,
        statements,
        authority=authority,
        authority_key=authority_key,
        stored=stored,
        may_define=may_define,
        integration_id=integration_id,
    )
    store_attachments(session, company_id, to_store, stored)
    if hand_on and session.info.get(_TRACKED):
        transaction = _current(session)
        session.info.setdefault(_PENDING, {}).setdefault(transaction, []).append(
            Receipt(company_id, tuple(ids))
        )
    return ids


def hand_on_commits(make_session: sessionmaker[Session]) -> None:
    """Note what `receive` stores in this sessionmaker's sessions, for `take_committed`."""
    make_session.configure(info={_TRACKED: True})
    event.listen(make_session, "after_commit", _committed)
    event.listen(make_session, "after_transaction_end", _ended)


def take_committed(session: Session) -> list[Receipt]:
    """What `receive` stored in this session's transactions that have committed since the
    last call."""
    receipts: list[Receipt] = session.info.pop(_COMMITTED, [])
    return receipts


def _current(session: Session) -> SessionTransaction | None:
    return session.get_nested_transaction() or session.get_transaction()


def _committed(session: Session) -> None:
    # Fires for the outermost commit and for every released savepoint, while the one
    # committing is still the session's current transaction.
    session.info.setdefault(_ENDING, set()).add(_current(session))


def _ended(session: Session, transaction: SessionTransaction) -> None:
    receipts = session.info.get(_PENDING, {}).pop(transaction, [])
    committed = transaction in session.info.get(_ENDING, set())
    session.info.get(_ENDING, set()).discard(transaction)
    if not committed:
        return  # rolled back, or closed without a commit
    if transaction.parent is None:
        session.info.setdefault(_COMMITTED, []).extend(receipts)
    elif receipts:
        session.info[_PENDING].setdefault(transaction.parent, []).extend(receipts)
