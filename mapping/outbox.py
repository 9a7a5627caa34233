"""The outbox worker: folds stored statements into HR records, once each.

Rows are taken with FOR UPDATE SKIP LOCKED on PostgreSQL, so any number of workers on any
number of machines share the queue without taking the same row; each enrollment is
recomputed under an advisory lock, so two workers never write one enrollment at once.
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

from mapping.records import Folder
from statements.models import StatementOutbox

log = logging.getLogger(__name__)


def process_batch(session: Session, limit: int = 200) -> int:
    """Fold up to `limit` outbox rows and delete them; return how many were taken."""
    query = select(StatementOutbox.id, StatementOutbox.company_id, StatementOutbox.statement_id)
    query = query.order_by(StatementOutbox.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = session.execute(query).all()
    _fold(session, [(company_id, statement_id) for _id, company_id, statement_id in rows])
    if rows:
        session.execute(delete(StatementOutbox).where(StatementOutbox.id.in_([r[0] for r in rows])))
    return len(rows)


def fold_now(session: Session, company_id: uuid.UUID, statement_ids: Sequence[uuid.UUID]) -> None:
    """Fold just-stored statements in the storing process (SQLite, or when configured) and
    take them off the outbox."""
    outbox_ids = list(
        session.scalars(
            select(StatementOutbox.id).where(
                StatementOutbox.company_id == company_id,
                StatementOutbox.statement_id.in_(statement_ids),
            )
        )
    )
    if not outbox_ids:
        return
    _fold(session, [(company_id, statement_id) for statement_id in statement_ids])
    session.execute(delete(StatementOutbox).where(StatementOutbox.id.in_(outbox_ids)))


def _fold(session: Session, items: Sequence[tuple[uuid.UUID, uuid.UUID]]) -> None:
    by_company: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for company_id, statement_id in items:
        by_company[company_id].append(statement_id)
    for company_id, statement_ids in sorted(by_company.items()):
        Folder(session, company_id).fold_statements(statement_ids)


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
                taken = process_batch(session, batch)
        except Exception:  # a bad batch must not stop the worker; it is retried next round
            log.exception("folding a batch failed; retrying")
            taken = 0
            time.sleep(1)
        if not taken:
            stop.wait(poll_interval)
