"""Folding is idempotent and order-independent: statements arriving in any order, in any
batches, some twice, fold into exactly the records a rebuild from scratch writes."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from mapping.identity import EmployeeRecord, upsert_employees
from mapping.models import (
    DataQualityFinding,
    LMSCourseEnrollment,
    LMSLearningProgress,
    RecordEvidence,
)
from mapping.outbox import process_batch
from mapping.rebuild import rebuild
from statements.timestamps import now
from tests.factories import CompanyFactory, IntegrationFactory, voiding
from tests.mapping.cmi5 import ADL, START, cmi5_session
from tests.mapping.feed import Feed

LEARNERS = ["ann@example.com", "bob@example.com"]


def statement_pool() -> list[dict[str, Any]]:
    """Two learners, two cmi5 sessions each, plain LMS statements with a parent course, and
    a statement that a later one voids."""
    pool: list[dict[str, Any]] = []
    for n, learner in enumerate(LEARNERS):
        for attempt in range(2):
            pool += cmi5_session(
                learner,
                registration=str(uuid.uuid5(uuid.NAMESPACE_URL, f"reg/{learner}")),
                session=str(uuid.uuid5(uuid.NAMESPACE_URL, f"session/{learner}/{attempt}")),
                start=START + timedelta(days=attempt, hours=n),
                scaled=0.5 + 0.2 * attempt,
            )
        for i, verb in enumerate(["experienced", "completed", "failed"]):
            pool.append({
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"plain/{learner}/{verb}")),
                "actor": {"mbox": f"mailto:{learner}"},
                "verb": {"id": ADL + verb},
                "object": {"id": f"https://lms.example.com/course/2/lesson/{i}"},
                "timestamp": (START + timedelta(days=5, minutes=i)).isoformat(),
                "result": {"duration": "PT3M", "score": {"raw": 7 + i, "max": 10}},
                "context": {"contextActivities": {"parent": [{"id": "https://lms.example.com/course/2"}]}},
            })  # fmt: skip
    voided = pool[-1]
    pool.append(
        {**voiding(voided["id"], actor="ann"), "id": str(uuid.uuid5(uuid.NAMESPACE_URL, "void"))}
    )
    return pool


POOL = statement_pool()


def snapshot(session, company_id) -> dict[str, Any]:
    def rows(model, order):
        return [
            {c.name: getattr(r, c.name) for c in model.__table__.columns}
            for r in session.scalars(
                select(model).where(model.company_id == company_id).order_by(*order)
            )
        ]

    return {
        "enrollments": rows(LMSCourseEnrollment, [LMSCourseEnrollment.id]),
        "lessons": rows(LMSLearningProgress, [LMSLearningProgress.id]),
        "evidence": rows(RecordEvidence, [RecordEvidence.record_id, RecordEvidence.statement_id]),
        "findings": rows(DataQualityFinding, [DataQualityFinding.id]),
    }


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    order=st.permutations(range(len(POOL))),
    repeats=st.lists(st.integers(0, len(POOL) - 1), max_size=6),
    batch_sizes=st.lists(st.integers(1, 9), min_size=1, max_size=12),
)
def test_incremental_folding_equals_a_rebuild(db_session, order, repeats, batch_sizes):
    company = CompanyFactory()
    integration = IntegrationFactory(company_id=company.id)
    upsert_employees(
        db_session,
        company.id,
        [EmployeeRecord(f"E{i}", learner, learner) for i, learner in enumerate(LEARNERS)],
        now(),
    )
    lms = Feed(db_session, company, integration.id)

    arrivals = [POOL[i] for i in order] + [POOL[i] for i in repeats]
    position, turn = 0, 0
    while position < len(arrivals):
        size = batch_sizes[turn % len(batch_sizes)]
        batch = arrivals[position : position + size]
        ids = {s["id"] for s in batch}
        if len(ids) == len(batch):  # a batch may not repeat an id; split it otherwise
            lms.store(*batch)
        else:
            for statement in batch:
                lms.store(statement)
        while process_batch(db_session, limit=3):
            pass
        position, turn = position + size, turn + 1

    incremental = snapshot(db_session, company.id)
    assert incremental["enrollments"], "the pool always makes enrollments"
    rebuild(db_session, company.id)
    db_session.flush()
    db_session.expire_all()
    assert snapshot(db_session, company.id) == incremental
