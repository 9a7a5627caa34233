"""/api/lms-integrations/{id}/sync/ and sync-runs/: an HR admin asks for a poll of a Moodle
site, the scheduler runs it, and the learners' records read back through the HR API."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import sessionmaker

from mapping.identity import EmployeeRecord, LmsAccount, upsert_employees
from mapping.models import LMSIntegrationConfig, SyncRun
from mapping.providers.schedule import queue_due, run_queued
from statements.timestamps import now
from tests.hr_api.test_integrations import API, create
from tests.mapping.feed import drain
from tests.mapping.providers.fake_lms import serving
from tests.mapping.providers.test_moodle_sync import moodle_site


def test_a_sync_asked_for_is_run_by_the_scheduler_and_read_back(
    admin, db_session, engine, connection
):
    with serving() as lms:
        moodle_site(lms)
        moodle = create(admin, **API, lms_code="MAPI", api_endpoint_url=lms.url,
                        sync_frequency="on_demand", authentication_config={"token": "s3cr3t"})  # fmt: skip
        upsert_employees(db_session, admin.company.id, [
            EmployeeRecord("E10442", "Jane Doe", accounts=[LmsAccount(uuid.UUID(moodle["id"]), "57")])], now())  # fmt: skip
        asked = admin.post(f"lms-integrations/{moodle['id']}/sync/")
        assert (asked.status_code, asked.json["status"]) == (202, "queued")
        # Asking again while it waits is the same run.
        assert admin.post(f"lms-integrations/{moodle['id']}/sync/").json["id"] == asked.json["id"]
        sessions = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        [ran] = run_queued(
            engine, sessions, lambda stored: {"token": "s3cr3t"}, private_networks=True
        )
    assert str(ran.id) == asked.json["id"]
    drain(db_session)
    [run] = admin.get(f"lms-integrations/{moodle['id']}/sync-runs/").json["items"]
    assert (run["status"], run["error"], run["duplicates_skipped"]) == ("succeeded", "", 0)
    assert run["statements_stored"] > 0 and run["pages_read"] == len(lms.requests)
    mine = {e["course_code"]: e for e in admin.get("lms-enrollments/").json["items"]}
    assert (mine["ISA24"]["enrollment_status"], mine["ISA24"]["score_achieved"]) == (
        "completed",
        "85.00",
    )
    assert admin.get(f"lms-integrations/{moodle['id']}/").json["connection_status"] == "connected"


def test_only_active_api_integrations_of_a_read_lms_are_polled(admin):
    pushing = create(admin)
    assert admin.post(f"lms-integrations/{pushing['id']}/sync/").status_code == 409
    custom = create(admin, **API, lms_type="custom_lms", lms_code="TL", authentication_config={"token": "t"})  # fmt: skip
    refused = admin.post(f"lms-integrations/{custom['id']}/sync/")
    assert (refused.status_code, refused.json["detail"]) == (
        409,
        "no API client reads custom_lms: its LMS pushes statements with an LRS credential",
    )
    assert admin.get(f"lms-integrations/{custom['id']}/sync-runs/").json["items"] == []


def test_the_scheduler_queues_what_its_frequency_says_is_due(admin, db_session):
    hourly = create(admin, **API, lms_code="H", sync_frequency="hourly", authentication_config={"token": "t"})  # fmt: skip
    create(admin, **API, lms_code="D", sync_frequency="on_demand", authentication_config={"token": "t"})  # fmt: skip
    start = now()
    [queued] = queue_due(db_session, start)
    assert str(queued.lms_integration_id) == hourly["id"]
    assert queue_due(db_session, start) == []  # one is waiting already
    # It ran: the next is due an hour after.
    db_session.execute(update(SyncRun).values(status="succeeded"))
    db_session.execute(
        update(LMSIntegrationConfig).where(LMSIntegrationConfig.id == queued.lms_integration_id)
        .values(last_sync_at=start)
    )  # fmt: skip
    assert queue_due(db_session, start + timedelta(minutes=59)) == []
    [again] = queue_due(db_session, start + timedelta(minutes=61))
    assert again.lms_integration_id == queued.lms_integration_id


def test_a_run_left_running_by_a_process_that_died_is_failed(admin, db_session, engine, connection):
    moodle = create(admin, **API, lms_code="M", sync_frequency="hourly", authentication_config={"token": "t"})  # fmt: skip
    [run] = queue_due(db_session, now())
    db_session.execute(
        update(SyncRun).where(SyncRun.id == run.id)
        .values(status="running", started_at=now() - timedelta(hours=7))
    )  # fmt: skip
    db_session.commit()
    sessions = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    assert run_queued(engine, sessions, lambda stored: {}, private_networks=True) == []
    [listed] = admin.get(f"lms-integrations/{moodle['id']}/sync-runs/").json["items"]
    assert (listed["status"], listed["error"]) == (
        "failed", "the polling process stopped before the run ended; the next run goes on",
    )  # fmt: skip


def test_another_company_and_a_narrower_role_can_neither_poll_nor_read_the_runs(
    admin, make_user, db_session
):
    from tests.factories import CompanyFactory

    moodle = create(admin, **API, lms_code="M", authentication_config={"token": "t"})
    outsider = make_user("all", in_company=CompanyFactory())
    viewer = make_user(("can_view_reports",))
    for user, status in ((outsider, 404), (viewer, 403)):
        assert user.post(f"lms-integrations/{moodle['id']}/sync/").status_code == status
        assert user.get(f"lms-integrations/{moodle['id']}/sync-runs/").status_code == status
        assert user.post(f"lms-integrations/{moodle['id']}/test-connection/").status_code == status
    assert admin.get(f"lms-integrations/{moodle['id']}/sync-runs/").json["items"] == []


def test_a_run_whose_credentials_cannot_be_opened_fails_saying_so(
    admin, db_session, engine, connection
):
    moodle = create(admin, **API, lms_code="MAPI", sync_frequency="on_demand", authentication_config={"token": "t"})  # fmt: skip
    asked = admin.post(f"lms-integrations/{moodle['id']}/sync/").json

    def unreadable(stored):
        raise ValueError("an integration secret cannot be decrypted with the configured keys")

    sessions = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    [ran] = run_queued(engine, sessions, unreadable, private_networks=True)
    assert str(ran.id) == asked["id"]
    [run] = admin.get(f"lms-integrations/{moodle['id']}/sync-runs/").json["items"]
    assert (run["status"], run["error"]) == (
        "failed",
        "an integration secret cannot be decrypted with the configured keys: set the "
        "integration's authentication_config again",
    )
