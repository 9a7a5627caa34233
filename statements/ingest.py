"""The one way in for statements: every producer (the xAPI resource, HR-side changes, LMS
polling, LTI launches) calls `receive`, so every statement passes the same validation and is
stored the same way.

`receive` writes in the caller's transaction and commits nothing. What it stored is noted on
the session; once that transaction commits, `take_committed` hands the ids to whoever runs
the after-commit hook (the shell folds them into HR records there when so configured). A
transaction that rolls back leaves nothing to hand on.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from statements import timestamps
from statements.attachments import AttachmentPart, match_parts, store_attachments
from statements.signatures import verify_signatures
from statements.store import store_statements
from statements.validate import validate_statements

Json = Mapping[str, Any]
_RECEIVED = "statements.ingest.received"
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
) -> list[uuid.UUID]:
    """Validate, check attachments and signatures, and store statements, all or none; return
    their ids in order.

    `parts` are the attachment parts of a multipart request; None means there are none, so
    every attachment needs a fileUrl. `may_define` lets the statements' activity definitions
    change the canonical ones. Raises StatementInvalid, BadRequest or StatementConflict and
    then stores nothing.
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
    session.info.setdefault(_RECEIVED, []).append(Receipt(company_id, tuple(ids)))
    return ids


def take_committed(session: Session) -> list[Receipt]:
    """What `receive` stored in this session's transactions that have committed since the
    last call."""
    receipts: list[Receipt] = session.info.pop(_COMMITTED, [])
    return receipts


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    session.info.setdefault(_COMMITTED, []).extend(session.info.pop(_RECEIVED, []))


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    # Whatever is still pending when the outermost transaction ends was rolled back.
    if transaction.parent is None:
        session.info.pop(_RECEIVED, None)
