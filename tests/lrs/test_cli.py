"""The `lrs` command line: credentials, migrations, rebuild."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from lrs.cli import main
from statements.credentials import authenticate
from statements.models import Company


@pytest.fixture
def company_name(engine: Engine) -> Iterator[str]:
    """A company name no other test uses; the company is deleted afterwards."""
    name = f"cli-{uuid.uuid4().hex[:8]}"
    yield name
    with Session(engine) as session, session.begin():
        session.execute(delete(Company).where(Company.name == name))


@pytest.fixture
def run(database_url: str):
    def invoke(*args: str):
        result = CliRunner().invoke(main, list(args), env={"DATABASE_URL": database_url})
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


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
