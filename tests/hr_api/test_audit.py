"""The audit trail: every change and every read of personal records, hash-chained."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import delete, select, update

from hr_api import audit
from hr_api.models import AuditEvent
from statements.models import Company
from statements.timestamps import now
from tests.factories import CompanyFactory


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
    assert audit.verify(db_session, admin.company.id) == []


def test_a_changed_row_breaks_the_chain(admin, db_session):
    admin.post("lms-roles/", {"role_name": "A", "role_type": "auditor", "data_access_level": "all"})
    admin.post("lms-roles/", {"role_name": "B", "role_type": "auditor", "data_access_level": "all"})
    first = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id)).first()
    db_session.execute(update(AuditEvent).where(AuditEvent.id == first.id).values(action="delete"))
    db_session.expire_all()
    breaks = audit.verify(db_session, admin.company.id)
    assert [b.event_id for b in breaks] == [first.id]


def test_a_removed_row_breaks_the_chain(db_session):
    company = CompanyFactory()
    for action in ("create", "update", "delete"):
        audit.record(db_session, company_id=company.id, actor_user_id=None, action=action,
                     object_type="x", object_id="1", request_id="r", at=now())  # fmt: skip
    middle = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()[1]
    db_session.delete(middle)
    db_session.flush()
    assert [b.reason for b in audit.verify(db_session, company.id)] == [
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

    with Session(engine) as session, session.begin():
        company = CompanyFactory.build()
        session.add(company)
        session.flush()
        audit.record(session, company_id=company.id, actor_user_id=None, action="create",
                     object_type="x", object_id="1", request_id="r", at=now())  # fmt: skip
        name, company_id = company.name, company.id
    result = CliRunner().invoke(
        main, ["audit", "verify", "--company", name], env={"DATABASE_URL": database_url}
    )
    assert result.exit_code == 0, result.output
    assert "intact" in result.output
    with Session(engine) as session, session.begin():
        session.execute(
            update(AuditEvent).where(AuditEvent.company_id == company_id).values(object_id="2")
        )
    broken = CliRunner().invoke(
        main, ["audit", "verify", "--company", name], env={"DATABASE_URL": database_url}
    )
    assert broken.exit_code != 0 and "broken" in broken.output
    with Session(engine) as session, session.begin():
        session.execute(delete(AuditEvent).where(AuditEvent.company_id == company_id))
        session.execute(delete(Company).where(Company.id == company_id))
