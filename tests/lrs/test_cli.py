"""The `lrs` command line: credentials, migrations, rebuild."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from config import Settings
from hr_api.access import PERMISSIONS
from lrs.app import create_app
from lrs.cli import main
from statements.credentials import authenticate
from statements.models import Company


@pytest.fixture
def company_name(engine: Engine, database_url: str) -> Iterator[str]:
    """A company no other test uses, made as an operator would; deleted afterwards."""
    name = f"cli-{uuid.uuid4().hex[:8]}"
    made = CliRunner().invoke(
        main, ["companies", "create", name], env={"DATABASE_URL": database_url}
    )
    assert made.exit_code == 0, made.output
    yield name
    with Session(engine) as session, session.begin():
        session.execute(delete(Company).where(Company.name == name))


@pytest.fixture
def cli_env(database_url: str, tmp_path) -> dict[str, str]:
    """The environment of an installation: its database and its own var/ directory."""
    return {"DATABASE_URL": database_url, "LRS_VAR_DIR": str(tmp_path / "var")}


@pytest.fixture
def run(cli_env):
    def invoke(*args: str):
        result = CliRunner().invoke(main, list(args), env=cli_env)
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


@pytest.fixture
def served(cli_env, engine):
    """The app the installation serves, on the committed database."""
    return create_app(Settings.from_env(cli_env), bind=engine).test_client()


def test_credentials_create_prints_a_working_key_and_secret(run, engine, company_name):
    issued = json.loads(run("credentials", "create", "--company", company_name, "--name", "Moodle",
                            "--scopes", "statements/write,statements/read"))  # fmt: skip
    assert issued["company"] == company_name
    assert issued["scopes"] == ["statements/write", "statements/read"]
    with Session(engine) as session:
        principal = authenticate(session, issued["key"], issued["secret"])
        assert principal is not None and principal.scopes == {"statements/write", "statements/read"}
        assert session.scalar(
            select(Company.home_page).where(Company.name == company_name)
        ).startswith("http")


def test_credentials_list_never_shows_secrets(run, company_name):
    issued = json.loads(run("credentials", "create", "--company", company_name, "--name", "Canvas"))
    listed = json.loads(run("credentials", "list", "--company", company_name))
    assert [row["key"] for row in listed] == [issued["key"]]
    assert issued["secret"] not in run("credentials", "list")


def test_revoked_credentials_no_longer_authenticate(run, engine, company_name):
    issued = json.loads(
        run("credentials", "create", "--company", company_name, "--name", "Old LMS")
    )
    run("credentials", "revoke", issued["key"])
    with Session(engine) as session:
        assert authenticate(session, issued["key"], issued["secret"]) is None
    assert json.loads(run("credentials", "list", "--company", company_name))[0]["revoked_at"]


def test_unknown_scope_is_refused(database_url, company_name):
    result = CliRunner().invoke(
        main, ["credentials", "create", "--company", company_name, "--name", "x", "--scopes", "everything"],
        env={"DATABASE_URL": database_url},
    )  # fmt: skip
    assert result.exit_code != 0
    assert "unknown scopes: everything" in result.output


def test_demo_credential_is_created_once_and_printed_again(run, tmp_path, engine):
    path = str(tmp_path / "demo.json")
    first = run("credentials", "demo", "--file", path)
    assert first == run("credentials", "demo", "--file", path)
    saved = json.loads(open(path).read())
    with Session(engine) as session:
        assert authenticate(session, saved["key"], saved["secret"]) is not None


def test_db_upgrade_is_idempotent(run):
    run("db", "upgrade")


def test_mapping_rebuild_reports_each_company(run, company_name):
    run("credentials", "create", "--company", company_name, "--name", "x")
    assert f"{company_name}: 0 enrollments" in run("mapping", "rebuild", "--company", company_name)


def test_first_run_makes_a_company_and_its_first_administrator(run, cli_env, served, company_name):
    again = CliRunner().invoke(main, ["companies", "create", company_name], env=cli_env)
    assert again.exit_code == 1 and "exists already" in again.output
    user_id = uuid.uuid4()
    out = run("admins", "create", "--company", company_name, "--user", str(user_id))
    assert out.splitlines()[0] == f"user {user_id} is now an administrator of {company_name}"
    token = out.splitlines()[1].split()[-1]
    response = served.get("/api/lms-roles/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    [role] = response.json["items"]
    assert (role["role_name"], role["data_access_level"]) == ("Administrator", "all")
    assert all(role[p] for p in PERMISSIONS)
    again = run("admins", "create", "--company", company_name, "--user", str(user_id))
    assert again.splitlines()[0] == f"user {user_id} was already an administrator of {company_name}"


def test_an_administrator_may_be_named_by_work_email(run, cli_env, company_name):
    result = CliRunner().invoke(
        main,
        ["admins", "create", "--company", company_name, "--email", "nobody@example.com"],
        env=cli_env,
    )
    assert result.exit_code == 1
    assert "no employee of" in result.output and "POST /api/employees/" in result.output


def test_demo_load_shows_real_records_and_loads_once(run, served, engine):
    first = run("demo", "load")
    second = run("demo", "load")
    token = next(line for line in second.splitlines() if line.startswith("token")).split()[-1]
    headers = {"Authorization": f"Bearer {token}"}
    enrollments = served.get("/api/lms-enrollments/", headers=headers).json
    analytics = served.get("/api/lms-analytics/", headers=headers).json["totals"]
    statuses = sorted(e["enrollment_status"] for e in enrollments["items"])
    assert statuses == ["completed", "completed", "failed", "in_progress", "not_started"]
    assert (analytics["overdue_compliance"], analytics["enrollments"]) == (1, 5)
    assert "LMS secret" in first and "LMS secret" not in second
    with Session(engine) as session, session.begin():
        session.execute(delete(Company).where(Company.name == "Demo Company"))
