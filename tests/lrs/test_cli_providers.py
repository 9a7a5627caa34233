"""`lrs providers sync` and `lrs providers list`: an operator polls a Moodle site from the
command line, on the committed database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from config import Settings
from lrs.cli import main
from mapping.choices import IntegrationMethod, LmsType
from mapping.identity import EmployeeRecord, LmsAccount, upsert_employees
from mapping.models import LMSCourseEnrollment, SyncRun
from mapping.secrets import SecretBox
from statements.credentials import get_or_create_company
from statements.models import Company, StatementOutbox, StatementRow
from statements.timestamps import now
from tests.factories import IntegrationFactory
from tests.mapping.providers.fake_lms import serving
from tests.mapping.providers.test_moodle_sync import moodle_site


@pytest.fixture
def cli_env(database_url: str, tmp_path) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "LRS_VAR_DIR": str(tmp_path / "var"),
        "LRS_PROVIDERS_PRIVATE_NETWORKS": "true",  # the fake Moodle runs on 127.0.0.1
    }


@pytest.fixture
def company_id(engine: Engine) -> Iterator[uuid.UUID]:
    with Session(engine) as session, session.begin():
        company = get_or_create_company(
            session, f"cli-{uuid.uuid4().hex[:8]}", "http://127.0.0.1:8000"
        )
        made = company.id
    yield made
    with Session(engine) as session, session.begin():
        # What the syncs stored waits in the outbox, which other tests' workers share.
        session.execute(delete(StatementOutbox).where(StatementOutbox.company_id == made))
        session.execute(delete(Company).where(Company.id == made))


def test_a_sync_from_the_command_line_prints_its_figures(engine, cli_env, company_id):
    secrets = SecretBox.from_settings(Settings.from_env(cli_env))
    with serving() as lms:
        moodle_site(lms)
        with Session(engine) as session, session.begin():
            integration = IntegrationFactory.build(
                company_id=company_id, lms_type=LmsType.MOODLE, api_endpoint_url=lms.url,
                integration_method=IntegrationMethod.API, lms_name="Acme Moodle",
                authentication_config=secrets.seal({"token": "s3cr3t"}),
            )  # fmt: skip
            session.add(integration)
            integration_id = integration.id
        synced = CliRunner().invoke(main, ["providers", "sync", "--integration", str(integration_id)], env=cli_env)  # fmt: skip
        again = CliRunner().invoke(main, ["providers", "sync", "--integration", str(integration_id)], env=cli_env)  # fmt: skip
    assert synced.exit_code == 0, synced.output
    with Session(engine) as session:
        stored = session.scalar(select(func.count()).select_from(StatementRow).where(StatementRow.company_id == company_id))  # fmt: skip
        runs = session.scalars(select(SyncRun).where(SyncRun.lms_integration_id == integration_id)).all()  # fmt: skip
    assert stored > 0 and len(runs) == 2
    assert f"succeeded: {len(lms.requests) // 2} pages" in synced.output
    assert f"{stored} statements stored, 0 already stored" in synced.output
    assert f"0 statements stored, {stored} already stored" in again.output
    listed = CliRunner().invoke(main, ["providers", "list"], env=cli_env)
    assert (
        f"{integration_id}  " in listed.output
        and "Acme Moodle (moodle, real_time, active): connected, last run succeeded"
        in listed.output
    )


def test_a_failed_sync_exits_with_an_error(engine, cli_env, company_id):
    secrets = SecretBox.from_settings(Settings.from_env(cli_env))
    with serving() as lms:
        lms.answer("core_webservice_get_site_info", {"exception": "moodle_exception", "errorcode": "invalidtoken", "message": "Invalid token"})  # fmt: skip
        with Session(engine) as session, session.begin():
            integration = IntegrationFactory.build(
                company_id=company_id, api_endpoint_url=lms.url, integration_method=IntegrationMethod.API,
                authentication_config=secrets.seal({"token": "old"}),
            )  # fmt: skip
            session.add(integration)
            integration_id = integration.id
        result = CliRunner().invoke(main, ["providers", "sync", "--integration", str(integration_id)], env=cli_env)  # fmt: skip
    assert result.exit_code == 1
    assert (
        "failed: 1 pages, 0 records read, 0 statements stored, 0 already stored; Moodle refused the token"
        in result.output
    )


def test_where_no_worker_folds_a_sync_from_the_command_line_reaches_the_records(
    engine, cli_env, company_id
):
    secrets = SecretBox.from_settings(Settings.from_env(cli_env))
    with serving() as lms:
        moodle_site(lms)
        with Session(engine) as session, session.begin():
            integration = IntegrationFactory.build(
                company_id=company_id, lms_type=LmsType.MOODLE, api_endpoint_url=lms.url,
                integration_method=IntegrationMethod.API,
                authentication_config=secrets.seal({"token": "s3cr3t"}),
            )  # fmt: skip
            session.add(integration)
            session.flush()
            [jane] = upsert_employees(session, company_id, [EmployeeRecord("E10442", "Jane Doe", accounts=[LmsAccount(integration.id, "57")])], now())  # fmt: skip
            integration_id, jane_id = integration.id, jane.id
        env = {**cli_env, "LRS_FOLD_IMMEDIATELY": "true"}
        synced = CliRunner().invoke(main, ["providers", "sync", "--integration", str(integration_id)], env=env)  # fmt: skip
    assert synced.exit_code == 0, synced.output
    with Session(engine) as session:
        waiting = session.scalar(select(func.count()).select_from(StatementOutbox).where(StatementOutbox.company_id == company_id))  # fmt: skip
        courses = session.scalars(select(LMSCourseEnrollment.course_code).where(LMSCourseEnrollment.employee_id == jane_id)).all()  # fmt: skip
    assert waiting == 0
    assert sorted(courses) == ["GDPR101", "ISA24"]
