"""Running a poll of an API integration: read its LMS (mapping.providers.moodle_poll),
store what is new as statements through the one ingest path, in batches, each committed with
the run's figures, and leave the integration's status saying how it went.

The statements' ids are deterministic, so those already stored are counted as duplicates
and skipped: a poll after nothing changed stores nothing, and a run cut short is taken up
again by the next with nothing stored twice."""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from mapping.choices import ConnectionStatus, SyncRunStatus
from mapping.integration_ingest import store_new
from mapping.models import LMSIntegrationConfig, SyncRun
from mapping.providers.connect import SWEPT, politeness, polled
from mapping.providers.errors import ProviderError
from mapping.providers.http import HttpClient
from mapping.providers.ledger import Ledger
from mapping.providers.rate import pacer
from mapping.providers.statements import Read, voiding
from statements import timestamps
from statements.db import chunks, one_of
from statements.errors import DomainError
from statements.models import Company, StatementRow

BATCH = 500  # statements stored per transaction
OVERLAP = timedelta(minutes=5)
log = logging.getLogger(__name__)
Progress = Callable[[SyncRun], None]


def queue(
    session: Session, integration: LMSIntegrationConfig, user_id: uuid.UUID | None
) -> SyncRun:
    """A run asked for now, to be taken up by a worker (or run at once by the caller)."""
    run = SyncRun(
        id=uuid.uuid4(),
        company_id=integration.company_id,
        lms_integration_id=integration.id,
        status=SyncRunStatus.QUEUED,
        requested_by_user_id=user_id,
        created_at=timestamps.now(),
        pages_read=0,
        records_read=0,
        statements_stored=0,
        duplicates_skipped=0,
        error="",
        watermark={},
    )
    session.add(run)
    session.flush()
    return run


def execute(
    session: Session,
    run: SyncRun,
    config: Mapping[str, Any],
    *,
    private_networks: bool,
    progress: Progress | None = None,
) -> SyncRun:
    """Run a queued run to its end, committing as it goes; the run says how it went."""
    integration = session.get(LMSIntegrationConfig, run.lms_integration_id)
    company = session.get(Company, run.company_id)
    assert integration is not None and company is not None
    run.status, run.started_at = SyncRunStatus.RUNNING, timestamps.now()
    session.commit()
    pace = pacer(session, integration.id, integration.rate_limit_per_hour)
    http = HttpClient(politeness(integration, private_networks), pace=pace)
    since = _since(session, integration)
    run.watermark = {"changed_since": since.isoformat() if since else None}
    ledger = Ledger(session, integration.id, run.id)
    try:
        pending: list[Read] = []
        size = 0
        for read in polled(integration, config, http, run.started_at, since):
            run.records_read += read.records
            pending.append(read)
            size += len(read.statements) + len(read.withdrawn)
            if size >= BATCH:
                _store(session, run, integration, company, ledger, pending)
                pending, size = [], 0
                run.pages_read = http.requests
                session.commit()
                if progress:
                    progress(run)
        _store(session, run, integration, company, ledger, pending)
        if integration.lms_type in SWEPT:
            _store_new(session, run, integration, company, ledger.departed(timestamps.now()))
    except (ProviderError, DomainError) as exc:
        session.rollback()
        message = exc.message if isinstance(exc, ProviderError) else exc.detail
        _finish(session, run, integration, http, error=message)
    except Exception as exc:  # an answer the client did not expect: the run fails, not the process
        session.rollback()
        # Its type and where, not its message: that may quote what the LMS said of a person.
        where = "".join(traceback.format_tb(exc.__traceback__))
        log.error("sync run %s failed on %s\n%s", run.id, type(exc).__name__, where)
        _finish(session, run, integration, http, error=f"the poll failed: {type(exc).__name__}")
    else:
        _finish(session, run, integration, http, error="")
    if progress:
        progress(run)
    return run


def _since(session: Session, integration: LMSIntegrationConfig) -> datetime | None:
    """Where the integration's last successful poll began, less an overlap that catches what
    changed while it ran: an LMS that can say what changed is asked only for that."""
    last = session.scalars(
        select(SyncRun.started_at)
        .where(
            SyncRun.lms_integration_id == integration.id,
            SyncRun.status == SyncRunStatus.SUCCEEDED,
        )
        .order_by(SyncRun.started_at.desc())
        .limit(1)
    ).first()
    return last - OVERLAP if last else None


def _store(
    session: Session,
    run: SyncRun,
    integration: LMSIntegrationConfig,
    company: Company,
    ledger: Ledger,
    reads: list[Read],
) -> None:
    """Store what changed of the enrolments read, counting what did not as duplicates, and
    void what is stored of the registrations the LMS removed."""
    withdrawn = [registration for read in reads for registration in read.withdrawn]
    ledger.forget(withdrawn)
    changed, passed_over = ledger.changed(reads, timestamps.now())
    run.duplicates_skipped += passed_over
    _store_new(
        session,
        run,
        integration,
        company,
        changed + _voids(session, integration, company, withdrawn),
    )


def _store_new(
    session: Session,
    run: SyncRun,
    integration: LMSIntegrationConfig,
    company: Company,
    statements: list[dict[str, Any]],
) -> None:
    """Store the statements not stored before; count the others as duplicates."""
    stored = len(store_new(session, company, integration, statements, "API"))
    run.duplicates_skipped += len(statements) - stored
    run.statements_stored += stored


def _voids(
    session: Session,
    integration: LMSIntegrationConfig,
    company: Company,
    registrations: list[str],
) -> list[dict[str, Any]]:
    """The statements voiding what the integration stored of these registrations."""
    when = timestamps.now().isoformat()
    found: list[dict[str, Any]] = []
    for chunk in chunks([uuid.UUID(r) for r in registrations]):
        rows = session.execute(
            select(StatementRow.id, StatementRow.payload).where(
                one_of(session, StatementRow.registration, chunk),
                StatementRow.company_id == company.id,
                StatementRow.integration_id == integration.id,
                StatementRow.voided.is_(False),
            )
        )
        found.extend(
            voiding(str(id_), orjson.loads(payload)["actor"], when) for id_, payload in rows
        )
    return found


def _finish(
    session: Session,
    run: SyncRun,
    integration: LMSIntegrationConfig,
    http: HttpClient,
    *,
    error: str,
) -> None:
    now = timestamps.now()
    run.pages_read = http.requests
    run.finished_at = now
    run.error = error
    run.status = SyncRunStatus.FAILED if error else SyncRunStatus.SUCCEEDED
    run.watermark = {
        **run.watermark,
        "polled_at": run.started_at.isoformat() if run.started_at else None,
    }
    integration.last_sync_at = now
    if error:
        integration.error_count += 1
        integration.connection_status = ConnectionStatus.ERROR
    else:
        integration.error_count = 0
        integration.last_successful_sync_at = now
        integration.connection_status = ConnectionStatus.CONNECTED
    session.commit()
