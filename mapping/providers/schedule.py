"""When API integrations are polled, and by whom: a run is queued when an integration's
`sync_frequency` says it is due (or when someone asks), and taken by whichever scheduler
process first holds the integration's poll lock, so that any number of schedulers on any
number of machines poll each integration once at a time. A run left `running` by a process
that died is failed by the next scheduler that finds its lock free; the next run takes up
from there, its statements' ids keeping anything from being stored twice."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from mapping.choices import IntegrationMethod, SyncFrequency, SyncRunStatus
from mapping.models import LMSIntegrationConfig, SyncRun
from mapping.providers.connect import READ
from mapping.providers.sync import Progress, execute, queue
from statements import timestamps

INTERVALS = {
    SyncFrequency.REAL_TIME: timedelta(minutes=1),
    SyncFrequency.EVERY_15_MINS: timedelta(minutes=15),
    SyncFrequency.HOURLY: timedelta(hours=1),
    SyncFrequency.DAILY: timedelta(days=1),
    SyncFrequency.WEEKLY: timedelta(weeks=1),
}
# Without advisory locks (SQLite), how long a run may be `running` before it is taken for
# abandoned.
ABANDONED_AFTER = timedelta(hours=6)
_OPEN = (SyncRunStatus.QUEUED, SyncRunStatus.RUNNING)
# Opens an integration's sealed authentication_config; ValueError where it cannot.
Secrets = Callable[[Mapping[str, Any]], Mapping[str, Any]]


def queue_due(session: Session, now: datetime) -> list[SyncRun]:
    """Queue a run for each active API integration whose sync frequency says it is due and
    that has no run queued or running."""
    busy = select(SyncRun.lms_integration_id).where(SyncRun.status.in_(_OPEN))
    integrations = session.scalars(
        select(LMSIntegrationConfig).where(
            LMSIntegrationConfig.is_active.is_(True),
            LMSIntegrationConfig.integration_method == IntegrationMethod.API,
            LMSIntegrationConfig.lms_type.in_(READ),
            LMSIntegrationConfig.id.not_in(busy),
        )
    ).all()
    queued = []
    for integration in integrations:
        interval = INTERVALS.get(integration.sync_frequency)
        if interval is None:
            continue  # on demand only
        if integration.last_sync_at is None or integration.last_sync_at + interval <= now:
            queued.append(queue(session, integration, None))
    session.commit()
    return queued


def run_queued(
    engine: Engine,
    make_session: sessionmaker[Session],
    secrets: Secrets,
    *,
    private_networks: bool,
    progress: Progress | None = None,
) -> list[SyncRun]:
    """Fail abandoned runs, then run every queued run whose integration no other process is
    polling; return the runs this process ran."""
    ran: list[SyncRun] = []
    with make_session() as session:
        fail_abandoned(engine, session)
        waiting = session.execute(
            select(SyncRun.id, SyncRun.lms_integration_id)
            .where(SyncRun.status == SyncRunStatus.QUEUED)
            .order_by(SyncRun.created_at)
        ).all()
    for run_id, integration_id in waiting:
        with polling(engine, integration_id) as mine:
            if not mine:
                continue
            with make_session() as session:
                run = session.get(SyncRun, run_id)
                integration = session.get(LMSIntegrationConfig, integration_id)
                if run is None or integration is None or run.status is not SyncRunStatus.QUEUED:
                    continue
                try:
                    config = secrets(integration.authentication_config)
                except ValueError as exc:  # sealed with a key this installation lacks
                    run.status, run.finished_at = SyncRunStatus.FAILED, timestamps.now()
                    run.error = f"{exc}: set the integration's authentication_config again"
                    session.commit()
                else:
                    execute(
                        session, run, config, private_networks=private_networks, progress=progress
                    )
                session.refresh(run)  # readable once its session is gone
                ran.append(run)
    return ran


@contextmanager
def polling(engine: Engine, integration_id: uuid.UUID) -> Iterator[bool]:
    """Hold the integration's poll lock, if no other process does (a PostgreSQL session-level
    advisory lock, on a connection of its own for the length of the poll); True when held.
    SQLite runs one scheduler: the lock is always this process's."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = poll_lock_key(integration_id)
    with engine.connect() as connection:
        held = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}))
        connection.commit()
        try:
            yield held
        finally:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                connection.commit()


def poll_lock_key(integration_id: uuid.UUID) -> int:
    value = uuid.uuid5(integration_id, "poll").int & 0xFFFF_FFFF_FFFF_FFFF
    return value - (1 << 64) if value >= 1 << 63 else value


def fail_abandoned(engine: Engine, session: Session, *, starting: bool = False) -> None:
    """Runs left `running` by a process that stopped: their integration's lock is free (or,
    without locks, they have run for longer than any poll should, or the one scheduler is
    `starting`, so that none of them is its own)."""
    now = timestamps.now()
    for run in session.scalars(select(SyncRun).where(SyncRun.status == SyncRunStatus.RUNNING)):
        if engine.dialect.name == "postgresql":
            with polling(engine, run.lms_integration_id) as free:
                abandoned = free
        else:
            too_long = run.started_at is None or run.started_at + ABANDONED_AFTER <= now
            abandoned = starting or too_long
        if abandoned:
            run.status, run.finished_at = SyncRunStatus.FAILED, now
            run.error = "the polling process stopped before the run ended; the next run goes on"
    session.commit()
