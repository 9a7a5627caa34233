"""The outbox worker: folds stored statements into HR records, once each.

Rows are taken with FOR UPDATE SKIP LOCKED on PostgreSQL, so any number of workers on any
number of machines share the queue without taking the same row; each enrollment is
recomputed under an advisory lock, so two workers never write one enrollment at once (a
worker that finds an enrollment locked leaves the statements touching it for a later batch).
SQLite serialises writers anyway.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from mapping.health import record_failure
from mapping.records import CompanyRecords
from statements.db import one_of
from statements.models import StatementOutbox

log = logging.getLogger(__name__)


def process_batch(session: Session, limit: int = 200) -> int:
    """Fold up to `limit` outbox rows and delete them; return how many were folded.

    Statements whose enrollments another worker holds stay in the outbox for a later batch.
    """
    query = select(StatementOutbox.id, StatementOutbox.company_id, StatementOutbox.statement_id)
    query = query.order_by(StatementOutbox.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = session.execute(query).all()
    pairs = [(company, statement) for _id, company, statement in rows]
    deferred = _fold(session, pairs, wait=False)
    done = [outbox_id for outbox_id, *item in rows if tuple(item) not in deferred]
    if done:
        session.execute(delete(StatementOutbox).where(one_of(session, StatementOutbox.id, done)))
    return len(done)


def fold_now(session: Session, company_id: uuid.UUID, statement_ids: Sequence[uuid.UUID]) -> None:
    """Fold just-stored statements in the storing process (SQLite, or when configured) and
    take them off the outbox; those whose fold failed stay on it for the worker."""
    rows = session.execute(
        select(StatementOutbox.id, StatementOutbox.statement_id).where(
            StatementOutbox.company_id == company_id,
            one_of(session, StatementOutbox.statement_id, statement_ids),
        )
    ).all()
    if not rows:
        return
    deferred = _fold(session, [(company_id, statement_id) for _, statement_id in rows], wait=True)
    done = [
        outbox_id for outbox_id, statement_id in rows if (company_id, statement_id) not in deferred
    ]
    if done:
        session.execute(delete(StatementOutbox).where(one_of(session, StatementOutbox.id, done)))


def _fold(
    session: Session, items: Sequence[tuple[uuid.UUID, uuid.UUID]], *, wait: bool
) -> set[tuple[uuid.UUID, uuid.UUID]]:
    """Fold statements, company by company; return the (company, statement) pairs deferred."""
    by_company: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for company_id, statement_id in items:
        by_company[company_id].append(statement_id)
    deferred: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for company_id, statement_ids in sorted(by_company.items()):
        # One company's failure must not hold up the others: its work is undone and its
        # statements stay in the outbox, to be tried again.
        try:
            with session.begin_nested():
                left = CompanyRecords(session, company_id).update(statement_ids, wait=wait)
        except Exception:
            log.exception("folding statements of company %s failed; they stay queued", company_id)
            record_failure(session, company_id, statement_ids)
            left = set(statement_ids)
        deferred.update((company_id, statement_id) for statement_id in left)
    return deferred


def run_worker(
    make_session: sessionmaker[Session],
    *,
    batch: int = 200,
    poll_interval: float = 0.1,
    stop: threading.Event | None = None,
) -> None:
    """Fold outbox rows until `stop` is set; each batch is its own transaction."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            with make_session.begin() as session:
                folded = process_batch(session, batch)
        except Exception:  # a bad batch must not stop the worker; it is retried next round
            log.exception("folding a batch failed; retrying")
            folded = 0
            time.sleep(1)
        if not folded:  # nothing there, or all of it held by other workers
            stop.wait(poll_interval)
