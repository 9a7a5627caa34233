"""`lrs providers` and `lrs scheduler`: polling API integrations' LMSs, now or on schedule.

The scheduler is a process of its own rather than a part of `lrs worker`: a poll waits on an
LMS for seconds at a time, and folding must not wait with it. Run as many schedulers as you
like; each integration is polled by one of them at a time (mapping.providers.schedule)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from config import Settings
from mapping.choices import IntegrationMethod
from mapping.lti_grades import send_due
from mapping.lti_rosters import read_due
from mapping.models import LMSIntegrationConfig, SyncRun
from mapping.outbox import process_batch
from mapping.providers.outbound import deliver_due
from mapping.providers.schedule import fail_abandoned, queue_due, run_queued
from mapping.providers.sync import execute, queue
from mapping.secrets import SecretBox
from statements import timestamps
from statements.db import make_engine
from statements.models import Company

log = logging.getLogger(__name__)


@click.group()
def providers() -> None:
    """Reading LMSs through their APIs."""


@providers.command("list")
def providers_list() -> None:
    """The API integrations, how often they are polled and how the last poll went."""
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        rows = session.execute(
            select(LMSIntegrationConfig, Company.name)
            .join(Company, Company.id == LMSIntegrationConfig.company_id)
            .where(LMSIntegrationConfig.integration_method == IntegrationMethod.API)
            .order_by(Company.name, LMSIntegrationConfig.lms_name)
        ).all()
        for integration, company in rows:
            last = session.scalars(
                select(SyncRun)
                .where(SyncRun.lms_integration_id == integration.id)
                .order_by(SyncRun.created_at.desc())
            ).first()
            click.echo(
                f"{integration.id}  {company} / {integration.lms_name} "
                f"({integration.lms_type.value}, {integration.sync_frequency.value}, "
                f"{'active' if integration.is_active else 'inactive'}): "
                f"{integration.connection_status.value}, last run "
                + (f"{last.status.value} at {last.created_at:%Y-%m-%d %H:%M}" if last else "none")
            )
    engine.dispose()


@providers.command("sync")
@click.option("--integration", "integration_id", required=True, type=click.UUID)
def providers_sync(integration_id: uuid.UUID) -> None:
    """Poll one integration's LMS now, in the foreground, and print what the run did."""
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    secrets = SecretBox.from_settings(settings)
    with Session(engine) as session:
        integration = session.get(LMSIntegrationConfig, integration_id)
        if integration is None or integration.integration_method is not IntegrationMethod.API:
            raise click.ClickException(f"no API integration {integration_id}")
        run = queue(session, integration, None)
        session.commit()
        config = secrets.open(integration.authentication_config)

        def progress(run: SyncRun) -> None:
            click.echo(
                f"\r{run.pages_read} pages, {run.records_read} records, "
                f"{run.statements_stored} stored, {run.duplicates_skipped} already stored",
                nl=False,
            )

        execute(
            session,
            run,
            config,
            private_networks=settings.providers_private_networks,
            progress=progress,
        )
        click.echo()
        click.echo(_figures(run))
        failed = bool(run.error)
        if settings.folds_immediately:
            fold_outbox(session)
    engine.dispose()
    if failed:
        raise SystemExit(1)


@click.command()
@click.option("--every", default=30.0, show_default=True, help="Seconds between looks.")
def scheduler(every: float) -> None:
    """Poll API integrations at their sync frequency, and run the syncs people ask for."""
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    make_session = sessionmaker(engine)
    secrets = SecretBox.from_settings(settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per look

    def opened(stored: Mapping[str, Any]) -> Mapping[str, Any]:
        value: Mapping[str, Any] = secrets.open(dict(stored))
        return value

    def tick() -> None:
        with make_session() as session:
            queue_due(session, timestamps.now())
        for run in run_queued(
            engine, make_session, opened, private_networks=settings.providers_private_networks
        ):
            log.info("sync run %s of %s: %s", run.id, run.lms_integration_id, _figures(run))
        with make_session() as session:
            for roster in read_due(
                session, secrets, private_networks=settings.providers_private_networks,
                now=timestamps.now(),
            ):  # fmt: skip
                log.info("LTI roster %s: %s", roster.id, roster.message)
            if settings.folds_immediately:
                fold_outbox(session)
            for asked in deliver_due(
                session, opened, private_networks=settings.providers_private_networks,
                now=timestamps.now(),
            ):  # fmt: skip
                log.info("outbound enrolment %s: %s", asked.id, asked.status.value)
            for link in send_due(
                session, secrets, private_networks=settings.providers_private_networks,
                now=timestamps.now(),
            ):  # fmt: skip
                log.info("LTI grade link %s: %s", link.id, link.message)

    with make_session() as session:
        fail_abandoned(engine, session, starting=True)
    jobs = BlockingScheduler(timezone="UTC")
    jobs.add_job(tick, "interval", seconds=every, max_instances=1, coalesce=True,
                 next_run_time=timestamps.now())  # fmt: skip
    try:
        jobs.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        engine.dispose()


def fold_outbox(session: Session) -> None:
    """Fold what is waiting in the outbox, where no `lrs worker` is expected to (SQLite, or
    LRS_FOLD_IMMEDIATELY): what a poll stores then reaches the HR records as pushed
    statements do."""
    while process_batch(session):
        session.commit()


def _figures(run: SyncRun) -> str:
    figures = (
        f"{run.status.value}: {run.pages_read} pages, {run.records_read} records read, "
        f"{run.statements_stored} statements stored, {run.duplicates_skipped} already stored"
    )
    return f"{figures}; {run.error}" if run.error else figures
