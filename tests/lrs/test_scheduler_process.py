"""`lrs scheduler` as a process of its own, killed with SIGKILL in the middle of a poll of a
Moodle site and started again: the run it left is failed, the next poll goes on from what
was committed, and the statements stored are exactly those of one clean poll of the site,
none twice. A 429 storm along the way is waited out as Retry-After says."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from config import Settings
from mapping.choices import IntegrationMethod, LmsType, SyncFrequency, SyncRunStatus
from mapping.models import LMSIntegrationConfig, SyncRun
from mapping.providers.sync import execute, queue
from mapping.secrets import SecretBox
from statements.credentials import get_or_create_company
from statements.models import Company, StatementOutbox, StatementRow
from tests.factories import IntegrationFactory
from tests.mapping.providers.fake_lms import FakeLms, Fault, serving

LEARNERS = 160
ACTIVITIES = 3
LRS = str(Path(sys.executable).with_name("lrs"))
WAIT_S = 90


def generated_site(lms: FakeLms, gate: threading.Event) -> None:
    """One Moodle course of LEARNERS learners, each with ACTIVITIES activities done and a
    grade; the requests about the second half of them wait for `gate`."""

    def about_user(answer: Callable[[int], object]) -> Callable[[dict], object]:
        def respond(form: dict) -> object:
            user = int(form["userid"][0])
            if user > LEARNERS // 2:
                gate.wait(WAIT_S)
            return answer(user)

        return respond

    lms.answer("core_webservice_get_site_info", {"sitename": "Acme", "release": "4.5.1", "functions": []})  # fmt: skip
    lms.answer("core_course_get_courses_by_field", {"courses": [{"id": 7, "fullname": "Forklift safety", "shortname": "FORK", "format": "topics"}]})  # fmt: skip
    modules = [{"id": 700 + a, "name": f"Part {a}", "modname": "quiz"} for a in range(ACTIVITIES)]
    lms.answer("core_course_get_contents", [{"id": 1, "modules": modules}])
    learners = [{"id": u, "fullname": f"Learner {u}", "lastcourseaccess": 1717000000, "roles": [{"shortname": "student"}]} for u in range(1, LEARNERS + 1)]  # fmt: skip
    lms.answer("core_enrol_get_enrolled_users", lambda form: learners if form["options[0][value]"] == ["0"] else [])  # fmt: skip
    lms.answer("core_completion_get_course_completion_status", about_user(lambda u: {"completionstatus": {"completed": u % 2 == 0, "completions": [{"timecompleted": 1717100000 + u}]}}))  # fmt: skip
    lms.answer("core_completion_get_activities_completion_status", about_user(lambda u: {"statuses": [{"cmid": 700 + a, "modname": "quiz", "state": 1, "timecompleted": 1717050000 + a} for a in range(ACTIVITIES)]}))  # fmt: skip
    lms.answer("gradereport_user_get_grade_items", about_user(lambda u: {"usergrades": [{"gradeitems": [{"itemtype": "course", "graderaw": u % 100, "grademin": 0, "grademax": 100, "gradedategraded": 1717100000}]}]}))  # fmt: skip


@pytest.fixture
def companies(engine: Engine) -> Iterator[list[uuid.UUID]]:
    made: list[uuid.UUID] = []
    yield made
    with Session(engine) as session, session.begin():
        for company_id in made:
            session.execute(delete(StatementOutbox).where(StatementOutbox.company_id == company_id))
            session.execute(delete(Company).where(Company.id == company_id))


def integration_of(engine: Engine, companies: list[uuid.UUID], url: str, sealed: dict) -> uuid.UUID:
    with Session(engine) as session, session.begin():
        company = get_or_create_company(
            session, f"sched-{uuid.uuid4().hex[:8]}", "http://127.0.0.1:8000"
        )
        companies.append(company.id)
        integration = IntegrationFactory.build(
            company_id=company.id, lms_type=LmsType.MOODLE, api_endpoint_url=url,
            integration_method=IntegrationMethod.API, sync_frequency=SyncFrequency.REAL_TIME,
            authentication_config=sealed, max_retry_attempts=3,
        )  # fmt: skip
        session.add(integration)
        return integration.id


def until(
    engine: Engine, integration_id: uuid.UUID, done: Callable[[list[SyncRun]], bool]
) -> list[SyncRun]:
    """The integration's runs, once `done` says so (within WAIT_S)."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        with Session(engine) as session:
            runs = session.scalars(select(SyncRun).where(SyncRun.lms_integration_id == integration_id).order_by(SyncRun.created_at)).all()  # fmt: skip
        if done(list(runs)):
            return list(runs)
        time.sleep(0.2)
    raise AssertionError(
        f"the runs never got there: {[(r.status, r.statements_stored) for r in runs]}"
    )


def stored_ids(engine: Engine, company_id: uuid.UUID) -> list[uuid.UUID]:
    with Session(engine) as session:
        return sorted(
            session.scalars(select(StatementRow.id).where(StatementRow.company_id == company_id))
        )


def test_a_scheduler_killed_mid_poll_leaves_nothing_twice_and_the_next_goes_on(
    engine, database_url, tmp_path, companies
):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LRS_VAR_DIR": str(tmp_path / "var"),
        "LRS_PROVIDERS_PRIVATE_NETWORKS": "true",  # the fake Moodle runs on 127.0.0.1
    }
    secrets = SecretBox.from_settings(Settings.from_env(env))
    gate = threading.Event()
    with serving() as lms:
        generated_site(lms, gate)
        killed_site = integration_of(engine, companies, lms.url, secrets.seal({"token": "s3cr3t"}))
        first = subprocess.Popen(
            [LRS, "scheduler", "--every", "0.5"], env=env, stderr=subprocess.DEVNULL
        )
        try:
            # Killed once a batch is committed, while it waits on the second half of the site.
            until(engine, killed_site, lambda runs: any(r.statements_stored > 0 for r in runs))
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait()
        gate.set()
        # A storm of 429s as the next scheduler starts: each one waited out.
        lms.faults = [Fault(429, {"Retry-After": "1"}, "slow down")] * 3
        before, started = len(lms.requests), time.monotonic()
        second = subprocess.Popen(
            [LRS, "scheduler", "--every", "0.5"], env=env, stderr=subprocess.DEVNULL
        )
        try:
            runs = until(
                engine,
                killed_site,
                lambda runs: any(r.status is SyncRunStatus.SUCCEEDED for r in runs),
            )
        finally:
            second.terminate()
            second.wait()
        waited = time.monotonic() - started
        storm = [r["wsfunction"] for r in lms.requests[before : before + 4]]

        # The same site polled once, cleanly, by another company's integration.
        clean_site = integration_of(engine, companies, lms.url, secrets.seal({"token": "s3cr3t"}))
        with Session(engine) as session:
            run = queue(session, session.get(LMSIntegrationConfig, clean_site), None)
            session.commit()
            clean = execute(session, run, {"token": "s3cr3t"}, private_networks=True)
            clean_stored = clean.statements_stored
    killed, resumed = runs[0], runs[-1]
    assert killed.status is SyncRunStatus.FAILED
    assert killed.error == "the polling process stopped before the run ended; the next run goes on"
    assert 0 < killed.statements_stored < clean_stored
    assert resumed.status is SyncRunStatus.SUCCEEDED
    # What the killed run committed is not stored again.
    assert resumed.statements_stored == clean_stored - killed.statements_stored
    after_kill, after_clean = (stored_ids(engine, company) for company in companies)
    assert len(after_kill) == clean_stored
    assert after_kill == after_clean
    # Three 429s with Retry-After: 1, each waited for, then the same request answered.
    assert storm == [storm[0]] * 4
    assert waited >= 3
