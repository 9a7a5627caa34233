"""The audit trail: every change and every read of personal records, hash-chained."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import replace

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, select, update

from config import ConfigError, Settings
from hr_api import audit
from hr_api.models import AuditEvent
from statements.models import Company
from statements.timestamps import now
from tests.factories import CompanyFactory

SECRET = "audit-test-secret-of-enough-length"
# The key the app of the `settings` fixture seals its chain with.
KEY = audit.audit_key(Settings(secret_key=SECRET))


@pytest.fixture
def settings(settings):
    """The suite's settings, with a known secret the audit key derives from."""
    return replace(settings, secret_key=SECRET)


def record(session, company, action="create", key=KEY):
    return audit.record(session, key, company_id=company.id, actor_user_id=None, action=action,
                        object_type="x", object_id="1", request_id="r", at=now())  # fmt: skip


def test_events_form_an_intact_chain(admin, db_session):
    admin.post(
        "lms-roles/",
        {
            "role_name": "Coordinator",
            "role_type": "training_coordinator",
            "data_access_level": "all",
        },
    )
    admin.get("lms-enrollments/")
    events = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["create", "read"]
    assert events[0].previous_hash == audit.GENESIS and events[1].previous_hash == events[0].hash
    assert audit.verify(db_session, KEY, admin.company.id) == []


def test_a_changed_row_breaks_the_chain(admin, db_session):
    admin.post("lms-roles/", {"role_name": "A", "role_type": "auditor", "data_access_level": "all"})
    admin.post("lms-roles/", {"role_name": "B", "role_type": "auditor", "data_access_level": "all"})
    first = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id)).first()
    db_session.execute(update(AuditEvent).where(AuditEvent.id == first.id).values(action="delete"))
    db_session.expire_all()
    breaks = audit.verify(db_session, KEY, admin.company.id)
    assert [b.event_id for b in breaks] == [first.id]


def test_a_removed_row_breaks_the_chain(db_session):
    company = CompanyFactory()
    for action in ("create", "update", "delete"):
        record(db_session, company, action)
    middle = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()[1]
    db_session.delete(middle)
    db_session.flush()
    assert [b.reason for b in audit.verify(db_session, KEY, company.id)] == [
        "a row before it was changed or removed"
    ]


def test_secrets_are_redacted():
    assert audit.redact({"api_key": "x", "nested": {"client_secret": "y", "name": "n"}, "list": [{"password": "p"}]}) == {
        "api_key": "***", "nested": {"client_secret": "***", "name": "n"}, "list": [{"password": "***"}]
    }  # fmt: skip


def test_audit_log_endpoint_lists_events_newest_first_with_request_ids(admin):
    admin.post("lms-roles/", {"role_name": "A", "role_type": "auditor", "data_access_level": "all"},
               headers={"X-Request-ID": "req-1"})  # fmt: skip
    admin.post("lms-roles/", {"role_name": "B", "role_type": "auditor", "data_access_level": "all"})
    page = admin.get("audit-log/", query_string={"object_type": "lms_role"}).json
    assert [e["after"]["role_name"] for e in page["items"]] == ["B", "A"]
    assert page["items"][1]["request_id"] == "req-1"


def test_cli_verify_reports_an_intact_log(database_url, engine):
    from sqlalchemy.orm import Session

    from lrs.cli import main

    env = {"DATABASE_URL": database_url, "SECRET_KEY": SECRET}
    with Session(engine) as session, session.begin():
        company = CompanyFactory.build()
        session.add(company)
        session.flush()
        record(session, company)
        name, company_id = company.name, company.id
    result = CliRunner().invoke(main, ["audit", "verify", "--company", name], env=env)
    assert result.exit_code == 0, result.output
    assert "intact" in result.output
    with Session(engine) as session, session.begin():
        session.execute(
            update(AuditEvent).where(AuditEvent.company_id == company_id).values(object_id="2")
        )
    broken = CliRunner().invoke(main, ["audit", "verify", "--company", name], env=env)
    assert broken.exit_code != 0 and "broken" in broken.output
    with Session(engine) as session, session.begin():
        session.execute(delete(AuditEvent).where(AuditEvent.company_id == company_id))
        session.execute(delete(Company).where(Company.id == company_id))


def test_rewriting_a_row_and_the_hashes_after_it_is_noticed_without_the_key(db_session):
    """An attacker with write access recomputes the chain: with the plain SHA-256 of old, or
    an HMAC under a key of their own."""
    company = CompanyFactory()
    for action in ("create", "update", "delete"):
        record(db_session, company, action)
    events = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    for forged_key, reason in ((None, audit.NOT_SEALED), (b"attacker", "the row was changed")):
        previous = audit.GENESIS
        for event in events:
            event.action = "read" if event is events[0] else event.action
            event.previous_hash = previous
            event.hash = audit.chain_hash(event, forged_key)
            previous = event.hash
        db_session.flush()
        breaks = audit.verify(db_session, KEY, company.id)
        assert (breaks[0].event_id, breaks[0].reason) == (events[0].id, reason)


def test_deleting_the_newest_rows_is_noticed_against_a_checkpoint(db_session):
    company = CompanyFactory()
    for action in ("create", "update", "delete"):
        record(db_session, company, action)
    checkpoint = audit.checkpoint(db_session, KEY, company.id, now())
    assert (checkpoint["rows"], len(checkpoint["signature"])) == (3, 64)
    assert audit.verify(db_session, KEY, company.id, [checkpoint]) == []
    newest = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    db_session.delete(newest)
    db_session.flush()
    assert audit.verify(db_session, KEY, company.id) == []  # the chain alone cannot tell
    [found] = audit.verify(db_session, KEY, company.id, [checkpoint])
    assert "ends at is gone or changed" in found.reason


def test_a_checkpoint_whose_count_or_signature_was_changed_does_not_verify(db_session):
    company = CompanyFactory()
    record(db_session, company)
    checkpoint = audit.checkpoint(db_session, KEY, company.id, now())
    assert audit.verify(db_session, KEY, company.id, [checkpoint]) == []
    [found] = audit.verify(db_session, KEY, company.id, [checkpoint | {"rows": 0}])
    assert found.reason == "a checkpoint's signature does not verify"
    breaks = audit.verify(db_session, b"another key", company.id, [checkpoint])
    assert [b.reason for b in breaks] == [
        "the row was changed",
        "a checkpoint's signature does not verify",
    ]


def test_rows_from_before_the_keyed_chain_are_sealed_once(db_session):
    company = CompanyFactory()
    old = [record(db_session, company, action, key=None) for action in ("create", "update")]
    [found, _second] = audit.verify(db_session, KEY, company.id)
    assert (found.event_id, found.reason) == (old[0].id, audit.NOT_SEALED)
    assert audit.seal(db_session, KEY) >= 2
    record(db_session, company)
    assert audit.verify(db_session, KEY, company.id) == []
    assert audit.seal(db_session, KEY) == 0


def test_a_changed_old_row_is_not_sealed(db_session):
    company = CompanyFactory()
    changed = record(db_session, company, key=None)
    record(db_session, company, key=None)
    changed.action = "read"
    changed.hash = audit.chain_hash(changed, None)  # its own hash recomputed, not its links
    db_session.flush()
    with pytest.raises(
        ConfigError, match=f"audit row .* of company {company.id} verifies under neither"
    ):
        audit.seal(db_session, KEY)


def test_an_unkeyed_row_after_keyed_ones_is_a_forgery_seal_refuses(db_session):
    company = CompanyFactory()
    record(db_session, company, key=None)
    record(db_session, company)
    forged = record(db_session, company, key=None)
    with pytest.raises(ConfigError, match=f"audit row {forged.id} .* unkeyed after keyed rows"):
        audit.seal(db_session, KEY)
    assert [b.reason for b in audit.verify(db_session, KEY, company.id)] == [
        audit.NOT_SEALED, audit.NOT_SEALED,
    ]  # fmt: skip


def test_rows_written_on_top_of_old_ones_are_sealed_with_them(db_session):
    company = CompanyFactory()
    record(db_session, company, key=None)
    record(db_session, company)  # written by the upgraded service before the seal
    assert audit.seal(db_session, KEY) == 1
    assert audit.verify(db_session, KEY, company.id) == []


def test_cli_checkpoints_catch_a_truncated_log(database_url, engine, tmp_path):
    from sqlalchemy.orm import Session

    from lrs.cli import main

    env = {"DATABASE_URL": database_url, "SECRET_KEY": SECRET}
    with Session(engine) as session, session.begin():
        company = CompanyFactory.build()
        session.add(company)
        session.flush()
        for action in ("create", "update"):
            record(session, company, action)
        name, company_id = company.name, company.id
    kept = tmp_path / "checkpoints.jsonl"
    made = CliRunner().invoke(main, ["audit", "checkpoint", "--company", name, "--out", str(kept)], env=env)  # fmt: skip
    assert made.exit_code == 0, made.output
    assert json.loads(kept.read_text())["rows"] == 2
    with Session(engine) as session, session.begin():
        newest = session.scalar(
            select(func.max(AuditEvent.id)).where(AuditEvent.company_id == company_id)
        )
        session.execute(delete(AuditEvent).where(AuditEvent.id == newest))
    verified = CliRunner().invoke(main, ["audit", "verify", "--company", name, "--checkpoints", str(kept)], env=env)  # fmt: skip
    assert verified.exit_code == 1
    assert "ends at is gone or changed" in verified.output
    with Session(engine) as session, session.begin():
        session.execute(delete(AuditEvent).where(AuditEvent.company_id == company_id))
        session.execute(delete(Company).where(Company.id == company_id))


def audit_rows(db_session, company, **where):
    query = select(AuditEvent).where(AuditEvent.company_id == company.id)
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    return db_session.scalars(query.order_by(AuditEvent.id)).all()


def test_who_saw_which_employees_is_audited(admin, db_session):
    body = {"employees": [{"employee_number": "E1", "name": "Mia"}, {"employee_number": "E2", "name": "Ann"}]}  # fmt: skip
    admin.post("employees/", body)
    listed = admin.get("employees/", query_string={"page_size": 10}).json["items"]
    admin.get(f"employees/{listed[0]['id']}/")
    [page, item] = audit_rows(db_session, admin.company, action="read")
    assert (page.object_type, page.actor_user_id) == ("employees", admin.user_id)
    assert page.after == {
        "ids": [e["id"] for e in listed],
        "query": {"page": "1", "page_size": "10"},
    }
    assert (item.object_type, item.object_id) == ("employee", listed[0]["id"])


def test_an_upsert_keeps_what_it_changed_from_without_personal_values(admin, db_session):
    team = str(uuid.uuid4())
    admin.post("employees/", {"employees": [{"employee_number": "E1", "name": "Mia", "work_email": "mia@example.com"}]})  # fmt: skip
    admin.post("employees/", {"employees": [{"employee_number": "E1", "name": "Mia Smith", "team_id": team}]})  # fmt: skip
    admin.post("employees/", {"employees": [{"employee_number": "E1", "name": "Mia Smith"}]})
    first, second, third = audit_rows(db_session, admin.company, action="upsert")
    assert first.before == {} and set(first.after["E1"]) >= {"id", "name", "work_email"}
    assert set(second.after["E1"]) == {"name", "team_id"} == set(second.before["E1"])
    assert (second.before["E1"]["team_id"], second.after["E1"]["team_id"]) == (None, team)
    assert second.before["E1"]["name"] != second.after["E1"]["name"]
    assert third.after == {}  # nothing changed
    written = json.dumps([first.after, second.before, second.after])
    assert "Mia" not in written and "mia@example.com" not in written
    # Keyed fingerprints: hashing a guessed address without the key does not find it.
    keyed = hmac.new(KEY, b"mia@example.com", hashlib.sha256).hexdigest()[:12]
    assert first.after["E1"]["work_email"] == keyed


def test_a_refused_request_leaves_a_row(make_user, admin, db_session):
    nosy = make_user(("can_view_progress",))
    assert nosy.get("audit-log/").status_code == 403
    [denied] = audit_rows(db_session, admin.company, action="denied")
    assert (denied.actor_user_id, denied.object_id) == (nosy.user_id, "GET /api/audit-log/")
    assert "can_view_audit_logs" in denied.after["detail"]
    assert audit.verify(db_session, KEY, admin.company.id) == []
