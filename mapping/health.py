"""Whether a push integration is alive, kept true as its statements are folded: when its last
statement arrived, and how far folding lags behind what it sent."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from mapping.choices import ConnectionStatus
from mapping.models import LMSIntegrationConfig
from statements.db import one_of
from statements.models import StatementOutbox, StatementRow

RESOLUTION = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class Backlog:
    """An integration's statements stored and not yet folded into HR records."""

    statements: int
    oldest: datetime | None


def record_arrivals(
    session: Session, company_id: uuid.UUID, latest: Mapping[uuid.UUID, datetime]
) -> None:
    """Note, per active integration, the newest statement a batch folded: it is connected,
    and it last sent (successfully) then. To the second: busy integrations are written at
    most once a second, not once a batch; and a worker that finds the row locked by another
    leaves it, as that one is noting the same thing."""
    i = LMSIntegrationConfig
    for integration_id, stored in sorted(latest.items()):
        target = select(i.id).where(
            i.id == integration_id,
            i.company_id == company_id,
            i.is_active.is_(True),
            i.last_sync_at.is_(None) | (i.last_sync_at < stored - RESOLUTION),
        )
        if session.get_bind().dialect.name == "postgresql":
            target = target.with_for_update(skip_locked=True)
        session.execute(
            update(i)
            .where(i.id.in_(target.scalar_subquery()))
            .values(
                last_sync_at=stored,
                last_successful_sync_at=stored,
                connection_status=ConnectionStatus.CONNECTED,
            )
            .execution_options(synchronize_session=False)
        )


def record_failure(
    session: Session, company_id: uuid.UUID, statement_ids: Sequence[uuid.UUID]
) -> None:
    """Count a failed fold against the integrations whose statements it was folding: their
    records are falling behind, and an HR admin should see it."""
    s, i = StatementRow, LMSIntegrationConfig
    integrations = select(s.integration_id).where(
        s.company_id == company_id, one_of(session, s.id, list(statement_ids))
    )
    session.execute(
        update(i)
        .where(i.company_id == company_id, i.id.in_(integrations.scalar_subquery()))
        .values(error_count=i.error_count + 1, connection_status=ConnectionStatus.ERROR)
        .execution_options(synchronize_session=False)
    )


def fold_backlog(session: Session, company_id: uuid.UUID, integration_id: uuid.UUID) -> Backlog:
    """How many of the integration's statements wait in the outbox, and since when."""
    o, s = StatementOutbox, StatementRow
    count, oldest = session.execute(
        select(func.count(), func.min(o.created))
        .select_from(o)
        .join(s, (s.id == o.statement_id) & (s.company_id == o.company_id))
        .where(o.company_id == company_id, s.integration_id == integration_id)
    ).one()
    return Backlog(count, oldest)
