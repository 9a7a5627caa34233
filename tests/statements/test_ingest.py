"""The one ingest entry point: all or nothing, and what it stored handed on only once the
transaction has committed."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from sqlalchemy import func, select

from statements import ingest
from statements.attachments import AttachmentPart
from statements.errors import BadRequest, StatementInvalid
from statements.models import Attachment, StatementOutbox, StatementRow
from tests.factories import CompanyFactory, statement

AUTHORITY = {"objectType": "Agent", "account": {"homePage": "http://lrs.test", "name": "lms"}}
AUTHORITY_KEY = "account:http://lrs.test lms"


def receive(session, company, statements, parts=None):
    return ingest.receive(
        session, company.id, statements, parts, authority=AUTHORITY, authority_key=AUTHORITY_KEY
    )


def stored_count(session, company) -> int:
    query = select(func.count()).select_from(StatementRow)
    return session.scalar(query.where(StatementRow.company_id == company.id))


def test_received_statements_are_stored_with_an_outbox_row_each(db_session):
    company = CompanyFactory()
    ids = receive(db_session, company, [statement("ann"), statement("bob")])
    outbox = db_session.scalars(
        select(StatementOutbox.statement_id).where(StatementOutbox.company_id == company.id)
    ).all()
    assert sorted(outbox) == sorted(ids)
    assert stored_count(db_session, company) == 2


def test_ids_are_handed_on_only_after_the_commit(db_session):
    company = CompanyFactory()
    ids = receive(db_session, company, [statement()])
    assert ingest.take_committed(db_session) == []
    db_session.commit()
    assert ingest.take_committed(db_session) == [ingest.Receipt(company.id, tuple(ids))]
    assert ingest.take_committed(db_session) == []


def test_a_rolled_back_transaction_hands_on_nothing(db_session):
    company = CompanyFactory()
    db_session.commit()
    receive(db_session, company, [statement()])
    db_session.rollback()
    db_session.commit()
    assert ingest.take_committed(db_session) == []
    assert stored_count(db_session, company) == 0


def test_one_invalid_statement_stores_none_of_the_batch(db_session):
    company = CompanyFactory()
    with pytest.raises(StatementInvalid) as refused:
        receive(db_session, company, [statement(), {"verb": {"id": "nope"}}])
    assert [e.path for e in refused.value.errors][0].startswith("[1]")
    assert stored_count(db_session, company) == 0


def test_an_attachment_part_with_the_wrong_hash_stores_nothing(db_session):
    company = CompanyFactory()
    content = b"certificate"
    sha2 = hashlib.sha256(content).hexdigest()
    attachment = {
        "usageType": "http://id.tincanapi.com/attachment/certificate",
        "display": {"en-US": "Certificate"},
        "contentType": "text/plain",
        "length": len(content),
        "sha2": sha2,
    }
    with pytest.raises(BadRequest, match="does not have the SHA-2 hash"):
        receive(
            db_session,
            company,
            [statement(attachments=[attachment])],
            [AttachmentPart(sha2, "text/plain", b"something else")],
        )
    assert stored_count(db_session, company) == 0
    ids = receive(
        db_session,
        company,
        [statement(id=str(uuid.uuid4()), attachments=[attachment])],
        [AttachmentPart(sha2, "text/plain", content)],
    )
    assert len(ids) == 1
    kept = db_session.scalars(select(Attachment).where(Attachment.company_id == company.id)).one()
    assert (kept.sha2, kept.content) == (sha2, content)
