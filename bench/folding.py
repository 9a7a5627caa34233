"""Mapping benchmark: statements folded per second, and the lag from commit to folded record,
while an LRS ingests at a steady rate.

It starts nothing: run `lrs serve` and one or more `lrs worker` (with the same DATABASE_URL)
first. The script sets up a company with an LMS integration, an employee for every learner of
the seeded vocabulary and a credential bound to the integration, then POSTs batches at
`--rate` statements per second for `--seconds`. Meanwhile it samples, every 50 ms, the age of
the oldest statement not yet folded (its outbox row's `created`, which is the statement's
`stored` time): that is the longest any statement had been waiting at that moment, so its
percentiles bound the commit-to-record lag from above. At the end it waits for the outbox to
drain and reports folded statements per second.

    python bench/folding.py --database-url postgresql+psycopg://... --url http://127.0.0.1:8000/xapi
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import requests
from measure import percentile, run_clients, vacuum_analyze
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from statements_gen import build_vocabulary, make_statement

import lrs.app  # noqa: F401  (maps every table, foreign-key targets included)
from mapping.choices import (
    AuthenticationType,
    ConnectionStatus,
    DataFormat,
    IntegrationMethod,
    LmsType,
    SyncDirection,
    SyncFrequency,
)
from mapping.identity import EmployeeRecord, LmsAccount, upsert_employees
from mapping.models import LMSCourseEnrollment, LMSIntegrationConfig
from statements.credentials import create_credential, get_or_create_company
from statements.db import make_engine
from statements.models import StatementOutbox
from statements.timestamps import now


def set_up(database_url: str, vocabulary_seed: int) -> tuple[uuid.UUID, str, str]:
    """A new company, integration, employees and LMS credential: (company id, key, secret)."""
    engine = make_engine(database_url)
    vocab = build_vocabulary(vocabulary_seed)
    with Session(engine) as session, session.begin():
        company = get_or_create_company(
            session, f"Mapping bench {uuid.uuid4().hex[:6]}", "http://bench"
        )
        integration = LMSIntegrationConfig(
            id=uuid.uuid4(), company_id=company.id, created_by_user_id=uuid.uuid4(),
            updated_by_user_id=uuid.uuid4(), lms_name="Bench LMS", lms_type=LmsType.XAPI_COMPATIBLE,
            lms_code="BENCH", integration_method=IntegrationMethod.XAPI, api_endpoint_url="",
            authentication_type=AuthenticationType.BASIC_AUTH, authentication_config={},
            data_format=DataFormat.XAPI, sync_frequency=SyncFrequency.REAL_TIME,
            sync_direction=SyncDirection.INBOUND_ONLY, connection_status=ConnectionStatus.CONNECTED,
            supported_course_types=[], field_mappings={}, validation_rules={},
            transformation_rules={}, compliance_settings={},
            created_at=datetime.now(UTC), updated_at=datetime.now(UTC),
        )  # fmt: skip
        session.add(integration)
        session.flush()
        records = []
        for number, learner in enumerate(vocab.learners):
            email = learner["mbox"].removeprefix("mailto:") if "mbox" in learner else None
            accounts = []
            if "account" in learner:
                account = learner["account"]
                accounts = [LmsAccount(integration.id, account["name"], account["homePage"])]
            records.append(
                EmployeeRecord(f"B{number:06d}", learner.get("name", "x"), email, accounts=accounts)
            )
        upsert_employees(session, company.id, records, now())
        issued = create_credential(
            session, company, "bench lms", ["statements/write"], integration.id
        )
        company_id = company.id
    vacuum_analyze(engine)
    engine.dispose()
    return company_id, issued.key, issued.secret


class LagSampler(threading.Thread):
    """Samples the age of the oldest unfolded statement of the company every 50 ms."""

    def __init__(self, database_url: str, company_id: uuid.UUID) -> None:
        super().__init__(daemon=True)
        self.engine = make_engine(database_url)
        self.company_id = company_id
        self.samples: list[float] = []
        self.stop = threading.Event()

    def oldest_pending(self, session: Session) -> datetime | None:
        """When the oldest statement still waiting to be folded was stored (outbox ids rise
        with arrival, so this reads the head of the primary key, not the whole queue)."""
        return session.scalar(
            select(StatementOutbox.created)
            .where(StatementOutbox.company_id == self.company_id)
            .order_by(StatementOutbox.id)
            .limit(1)
        )

    def run(self) -> None:
        with Session(self.engine) as session:
            while not self.stop.is_set():
                oldest = self.oldest_pending(session)
                session.rollback()
                if oldest is not None:
                    if oldest.tzinfo is None:
                        oldest = oldest.replace(tzinfo=UTC)
                    self.samples.append((datetime.now(UTC) - oldest).total_seconds())
                else:
                    self.samples.append(0.0)
                self.stop.wait(0.05)


def ingest(
    url: str,
    key: str,
    secret: str,
    vocabulary_seed: int,
    rate: int,
    seconds: float,
    batch: int,
    clients: int,
) -> int:
    """POST batches at `rate` statements/s in all; returns how many statements were stored."""
    vocab = build_vocabulary(vocabulary_seed)
    interval = batch * clients / rate
    stored = [0] * clients
    errors: list[str] = []
    deadline = time.monotonic() + seconds

    def client(n: int) -> None:
        rng = random.Random(f"mapping-bench:{n}")
        http = requests.Session()
        http.auth = (key, secret)
        http.headers.update({"X-Experience-API-Version": "1.0.3"})
        next_at = time.monotonic() + n * interval / clients
        while next_at < deadline:
            time.sleep(max(0.0, next_at - time.monotonic()))
            body = [
                make_statement(
                    vocab, rng, timestamp=datetime.now(UTC), statement_id=str(uuid.uuid4())
                )
                for _ in range(batch)
            ]
            response = http.post(f"{url}/statements", json=body)
            if response.status_code == 200:
                stored[n] += batch
            elif len(errors) < 5:
                errors.append(f"{response.status_code} {response.text[:200]}")
            next_at += interval

    run_clients(clients, client, errors)
    return sum(stored)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--url", default="http://127.0.0.1:8000/xapi")
    parser.add_argument("--rate", type=int, default=1000, help="statements per second to POST")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument(
        "--seed",
        type=int,
        default=random.randrange(2, 2**31),
        help="vocabulary seed (default: a new one each run, so that companies in one database "
        "do not share learners' registrations, as real tenants never do)",
    )
    args = parser.parse_args(argv)

    company_id, key, secret = set_up(args.database_url, args.seed)
    sampler = LagSampler(args.database_url, company_id)
    sampler.start()
    started = time.monotonic()
    posted = ingest(
        args.url, key, secret, args.seed, args.rate, args.seconds, args.batch, args.clients
    )
    ingest_seconds = time.monotonic() - started
    with Session(sampler.engine) as session:
        while sampler.oldest_pending(session) and time.monotonic() - started < args.seconds + 300:
            session.rollback()
            time.sleep(0.05)
        drained = time.monotonic() - started
        enrollments = session.scalar(
            select(func.count())
            .select_from(LMSCourseEnrollment)
            .where(LMSCourseEnrollment.company_id == company_id)
        )
    sampler.stop.set()
    sampler.join()
    lag = sampler.samples or [0.0]
    report: dict[str, Any] = {
        "vocabulary seed": args.seed,
        "statements posted": posted,
        "ingest statements/s": round(posted / ingest_seconds),
        "folded statements/s (until drained)": round(posted / drained),
        "drain after ingest ends (s)": round(drained - ingest_seconds, 2),
        "lag p50 (s)": round(statistics.median(lag), 3),
        "lag p95 (s)": round(percentile(sorted(lag), 95), 3),
        "lag max (s)": round(max(lag), 3),
        "enrollments written": enrollments,
    }
    for name, value in report.items():
        print(f"{name:>38}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
