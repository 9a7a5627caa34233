"""The one ingest entry point: all or nothing, and what it stored handed on only once the
outermost transaction has committed, savepoints included."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from statements import ingest
from statements.attachments import AttachmentPart
from statements.errors import BadRequest, StatementInvalid
from statements.models import Attachment, StatementOutbox, StatementRow
from tests.factories import CompanyFactory, statement

AUTHORITY = {"objectType": "Agent", "account": {"homePage": "http://lrs.test", "name": "lms"}}
AUTHORITY_KEY = "account:http://lrs.test lms"


def receive(session, company, statements, parts=None, **options):
    return ingest.receive(
        session,
        company.id,
        statements,
        parts,
        authority=AUTHORITY,
        authority_key=AUTHORITY_KEY,
        **options,
    )


def stored_count(session, company) -> int:
    query = select(func.count()).select_from(StatementRow)
    return session.scalar(query.where(StatementRow.company_id == company.id))


@pytest.fixture
def tracked(connection, db_session) -> Session:
    """A session whose commits hand on what it received, inside the test's transaction."""
    make_session = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    ingest.hand_on_commits(make_session)
    with make_session() as session:
        yield session


def test_received_statements_are_stored_with_an_outbox_row_each(db_session):
    company = CompanyFactory()
    ids = receive(db_session, company, [statement("ann"), statement("bob")])
    outbox = db_session.scalars(
        select(StatementOutbox.statement_id).where(StatementOutbox.company_id == company.id)
    ).all()
    assert sorted(outbox) == sorted(ids)
    assert stored_count(db_session, company) == 2


def test_ids_are_handed_on_only_after_the_commit(tracked):
    company = CompanyFactory()
    ids = receive(tracked, company, [statement()])
    assert ingest.take_committed(tracked) == []
    tracked.commit()
    assert ingest.take_committed(tracked) == [ingest.Receipt(company.id, tuple(ids))]
    assert ingest.take_committed(tracked) == []


def test_a_rolled_back_transaction_hands_on_nothing(tracked):
    company = CompanyFactory()
    receive(tracked, company, [statement()])
    tracked.rollback()
    tracked.commit()
    assert ingest.take_committed(tracked) == []
    assert stored_count(tracked, company) == 0


def test_a_rolled_back_savepoint_hands_on_nothing_of_its_own(tracked):
    company = CompanyFactory()
    kept = receive(tracked, company, [statement("ann")])
    savepoint = tracked.begin_nested()
    receive(tracked, company, [statement("bob")])
    savepoint.rollback()
    tracked.commit()
    assert ingest.take_committed(tracked) == [ingest.Receipt(company.id, tuple(kept))]
    assert stored_count(tracked, company) == 1


def test_a_released_savepoint_hands_on_with_its_transaction_only(tracked):
    company = CompanyFactory()
    with tracked.begin_nested():
        released = receive(tracked, company, [statement("ann")])
    assert ingest.take_committed(tracked) == []
    tracked.rollback()
    assert ingest.take_committed(tracked) == []
    with tracked.begin_nested():
        released = receive(tracked, company, [statement("ann")])
    tracked.commit()
    assert ingest.take_committed(tracked) == [ingest.Receipt(company.id, tuple(released))]


def test_a_caller_folding_itself_hands_nothing_on(tracked):
    receive(tracked, CompanyFactory(), [statement()], hand_on=False)
    tracked.commit()
    assert ingest.take_committed(tracked) == []


def test_untracked_sessions_keep_no_receipts(db_session):
    receive(db_session, CompanyFactory(), [statement()])
    db_session.commit()
    assert ingest.take_committed(db_session) == []


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


def test_lock_keys_are_those_earlier_versions_took():
    """Processes of two versions must exclude each other while a deployment rolls."""
    from statements.locks import lock_key, statement_lock_key

    company = uuid.UUID("8c1f3b2a-6d5e-4f70-9a8b-1c2d3e4f5a6b")
    statement_id = uuid.UUID("f0e1d2c3-b4a5-4968-8776-655443322110")
    assert lock_key(company) == company.int & 0x7FFF_FFFF_FFFF_FFFF
    assert lock_key(company) == 0x1A8B1C2D3E4F5A6B
    assert statement_lock_key(company, statement_id) == 0x1DFD_7979_7D7D_7B7B
    assert statement_lock_key(company, statement_id) == statement_lock_key(statement_id, company)
