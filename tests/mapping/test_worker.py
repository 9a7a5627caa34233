"""The outbox worker: concurrent workers fold every outbox row exactly once."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from config import Settings
from lrs.app import create_app
from mapping import records
from mapping.identity import EmployeeRecord, upsert_employees
from mapping.keys import EnrollmentKey
from mapping.models import Employee, LMSCourseEnrollment, LMSIntegrationConfig
from mapping.outbox import fold_now, process_batch, run_worker
from statements.credentials import create_credential, get_or_create_company
from statements.locks import try_lock
from statements.models import Company, StatementOutbox
from statements.timestamps import now
from tests.factories import IntegrationFactory, activity, statement
from tests.xapi_client import XapiClient

LEARNERS = [f"learner{i}@example.com" for i in range(12)]


@pytest.fixture
def committed(engine: Engine, database_url: str) -> Iterator[tuple[XapiClient, uuid.UUID]]:
    """A company with an integration, employees and an LMS credential, all committed, and an
    app that stores statements without folding them (the workers do)."""
    app = create_app(Settings(database_url=database_url, fold_immediately=False), bind=engine)
    session = Session(engine)
    with session.begin():
        company = get_or_create_company(
            session, f"workers-{uuid.uuid4().hex[:8]}", "http://lrs.test"
        )
        company_id = company.id
        integration = IntegrationFactory.build(company_id=company_id)
        integration_id = integration.id
        session.add(integration)
    with session.begin():
        records_ = [EmployeeRecord(f"E{i}", email, email) for i, email in enumerate(LEARNERS)]
        upsert_employees(session, company_id, records_, now())
        issued = create_credential(
            session, session.get(Company, company_id), "lms", ["all"], integration_id
        )
    yield XapiClient(app.test_client(), issued.key, issued.secret, company), company_id
    with session.begin():
        session.execute(delete(StatementOutbox).where(StatementOutbox.company_id == company_id))
        session.execute(delete(Company).where(Company.id == company_id))
    session.close()


def test_two_workers_fold_every_outbox_row_exactly_once(committed, engine, monkeypatch):
    client, company_id = committed
    # Five statements per learner over two courses: batches of seven share enrollments, so
    # workers also meet enrollments the other holds and leave those statements for later.
    mine: set[uuid.UUID] = set()
    for learner in LEARNERS:
        name = learner.split("@")[0]
        stored = client.store(
            *[statement(name, obj={"id": f"http://example.com/course/{n % 2}"}) for n in range(5)]
        )
        mine.update(uuid.UUID(i) for i in stored)
    folded: Counter[uuid.UUID] = Counter()
    lock = threading.Lock()
    original = records.CompanyRecords.update

    def counting(self, statement_ids, **options):
        deferred = original(self, statement_ids, **options)
        with lock:
            folded.update((set(statement_ids) - deferred) & mine)  # other tests' rows aside
        return deferred

    monkeypatch.setattr(records.CompanyRecords, "update", counting)
    make_session = sessionmaker(engine)
    stop = threading.Event()
    workers = [
        threading.Thread(
            target=run_worker,
            args=(make_session,),
            kwargs={"batch": 7, "poll_interval": 0.01, "stop": stop},
        )
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for _ in range(500):
        # A short transaction per look: on SQLite an open one would hold the write lock.
        with Session(engine) as session:
            if not session.scalar(
                select(func.count())
                .select_from(StatementOutbox)
                .where(StatementOutbox.company_id == company_id)
            ):
                break
        stop.wait(0.05)
    stop.set()
    for worker in workers:
        worker.join()

    assert len(folded) == len(LEARNERS) * 5
    assert set(folded.values()) == {1}
    with Session(engine) as session:
        enrollments = session.scalar(
            select(func.count())
            .select_from(LMSCourseEnrollment)
            .where(LMSCourseEnrollment.company_id == company_id)
        )
    assert enrollments == len(LEARNERS) * 2


def test_batches_are_taken_in_arrival_order_and_removed(committed, engine):
    client, company_id = committed
    client.store(statement("learner0"), statement("learner1"))
    with Session(engine) as session, session.begin():
        assert process_batch(session, limit=1) == 1
        remaining = session.scalars(
            select(StatementOutbox.statement_id).where(StatementOutbox.company_id == company_id)
        ).all()
        assert len(remaining) == 1


def employee_id(engine: Engine, company_id: uuid.UUID, email: str) -> uuid.UUID:
    with Session(engine) as session:
        return session.scalars(
            select(Employee.id).where(
                Employee.company_id == company_id, Employee.work_email == email
            )
        ).one()


def enrolled(engine: Engine, company_id: uuid.UUID) -> set[uuid.UUID]:
    with Session(engine) as session:
        return set(
            session.scalars(
                select(LMSCourseEnrollment.employee_id).where(
                    LMSCourseEnrollment.company_id == company_id
                )
            )
        )


def test_statements_of_an_enrollment_another_worker_holds_stay_in_the_outbox(
    committed, engine, monkeypatch
):
    client, company_id = committed
    client.store(statement("learner0"), statement("learner1"))
    busy = employee_id(engine, company_id, "learner0@example.com")
    free = employee_id(engine, company_id, "learner1@example.com")
    with Session(engine) as session:
        integration_id = session.scalars(
            select(LMSIntegrationConfig.id).where(LMSIntegrationConfig.company_id == company_id)
        ).one()
    held = EnrollmentKey(company_id, integration_id, busy, activity()["id"]).lock_key
    try_lock = records.try_lock

    def held_elsewhere(session, keys):
        return try_lock(session, keys) - {held}

    monkeypatch.setattr(records, "try_lock", held_elsewhere)
    with Session(engine) as session, session.begin():
        assert process_batch(session) == 1
    assert enrolled(engine, company_id) == {free}
    monkeypatch.undo()
    with Session(engine) as session, session.begin():
        assert process_batch(session) == 1
        assert process_batch(session) == 0
    assert enrolled(engine, company_id) == {free, busy}


def test_enrollment_locks_are_tried_without_waiting(committed, engine):
    """On PostgreSQL an enrollment whose advisory lock another transaction holds is not
    taken; SQLite serialises writers, so a transaction always has every enrollment."""
    _client, company_id = committed
    keys = [
        EnrollmentKey(company_id, uuid.uuid4(), uuid.uuid4(), f"http://example.com/course/{n}")
        for n in range(2)
    ]
    wanted = {key.lock_key for key in keys}
    if engine.dialect.name != "postgresql":
        with Session(engine) as session, session.begin():
            assert try_lock(session, wanted) == wanted
        return
    with engine.connect() as holder, holder.begin():
        holder.execute(select(func.pg_advisory_xact_lock(keys[0].lock_key)))
        with Session(engine) as session, session.begin():
            assert try_lock(session, wanted) == {keys[1].lock_key}
    with Session(engine) as session, session.begin():
        assert try_lock(session, wanted) == wanted


def test_a_company_whose_fold_fails_holds_up_no_other(committed, engine, monkeypatch):
    client, company_id = committed
    client.store(statement("learner0"))
    with Session(engine) as session, session.begin():
        other = get_or_create_company(session, f"other-{uuid.uuid4().hex[:8]}", "http://lrs.test")
        other_id = other.id
        session.add(StatementOutbox(company_id=other_id, statement_id=uuid.uuid4(), created=now()))
    update = records.CompanyRecords.update

    def failing(self, statement_ids, **options):
        if self.company_id == company_id:
            raise RuntimeError("this company's rules are broken")
        return update(self, statement_ids, **options)

    monkeypatch.setattr(records.CompanyRecords, "update", failing)
    try:
        with Session(engine) as session, session.begin():
            assert process_batch(session) == 1  # the other company's row
        with Session(engine) as session:
            left = session.scalars(select(StatementOutbox.company_id)).all()
            health = session.execute(
                select(
                    LMSIntegrationConfig.error_count, LMSIntegrationConfig.connection_status
                ).where(LMSIntegrationConfig.company_id == company_id)
            ).one()
        assert company_id in left and other_id not in left
        assert health == (1, "error")
    finally:
        with Session(engine) as session, session.begin():
            session.execute(delete(Company).where(Company.id == other_id))


def test_statements_whose_fold_fails_in_the_storing_process_stay_for_the_worker(
    db_session, monkeypatch
):
    company = get_or_create_company(db_session, f"now-{uuid.uuid4().hex[:8]}", "http://lrs.test")
    statement_id = uuid.uuid4()
    db_session.add(StatementOutbox(company_id=company.id, statement_id=statement_id, created=now()))
    db_session.flush()

    def failing(self, statement_ids, **options):
        raise RuntimeError("this company's rules are broken")

    monkeypatch.setattr(records.CompanyRecords, "update", failing)
    fold_now(db_session, company.id, [statement_id])
    left = db_session.scalars(
        select(StatementOutbox.statement_id).where(StatementOutbox.company_id == company.id)
    ).all()
    assert left == [statement_id]
