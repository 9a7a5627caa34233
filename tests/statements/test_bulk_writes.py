"""insert_rows, upsert_rows and replace_rows: the bulk writes behind storing and folding (COPY on
PostgreSQL) behave like SQLAlchemy inserts, model defaults and JSON values included."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, Uuid, select

import statements.db
from statements.db import insert_rows, replace_rows, upsert_rows

metadata = MetaData()
RECORDS = Table(
    "bulk_write_records",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(50), nullable=False),
    Column("score", Integer, nullable=False, default=0),
    Column("owner_note", String(50), nullable=False, default="none"),
    Column("data", JSON, nullable=False, default=dict),
)

LINKS = Table(
    "bulk_write_links",
    metadata,
    Column("record", String(10), primary_key=True),
    Column("statement", Integer, primary_key=True),
    Column("owner", String(10), nullable=False),
    Column("note", String(50), nullable=False),
)


@pytest.fixture
def records(db_session):
    RECORDS.create(db_session.connection())
    LINKS.create(db_session.connection())
    return db_session


def stored(session):
    rows = session.execute(select(RECORDS).order_by(RECORDS.c.name)).mappings()
    return [dict(row) for row in rows]


def test_insert_rows_applies_model_defaults_and_stores_json(records):
    one, two = uuid.uuid4(), uuid.uuid4()
    insert_rows(records, RECORDS, [{"id": one, "name": "a", "data": {"k": [1, 2]}}])
    insert_rows(records, RECORDS, [{"id": two, "name": "b"}])
    assert stored(records) == [
        {"id": one, "name": "a", "score": 0, "owner_note": "none", "data": {"k": [1, 2]}},
        {"id": two, "name": "b", "score": 0, "owner_note": "none", "data": {}},
    ]


def test_upsert_rows_updates_only_the_named_columns(records):
    old, new = uuid.uuid4(), uuid.uuid4()
    insert_rows(records, RECORDS, [{"id": old, "name": "a", "score": 1, "owner_note": "keep"}])
    rows = [
        {"id": old, "name": "a", "score": 5, "data": {"x": 1}},
        {"id": new, "name": "b", "score": 7, "data": {}},
    ]
    upsert_rows(records, RECORDS, rows, update=["score", "data"])
    assert stored(records) == [
        {"id": old, "name": "a", "score": 5, "owner_note": "keep", "data": {"x": 1}},
        {"id": new, "name": "b", "score": 7, "owner_note": "none", "data": {}},
    ]


def test_upsert_rows_with_nothing_to_update_keeps_what_is_stored(records):
    insert_rows(records, LINKS, [link("a", 1, "g1", "first")])
    upsert_rows(records, LINKS, [link("a", 1, "g1", "second"), link("a", 2, "g1", "new")], [])
    rows = records.execute(select(LINKS.c.note).order_by(LINKS.c.statement)).scalars().all()
    assert rows == ["first", "new"]


def link(record, statement, owner, note):
    return {"record": record, "statement": statement, "owner": owner, "note": note}


def test_replace_rows_writes_only_what_changed_within_the_scope(records, monkeypatch):
    insert_rows(
        records,
        LINKS,
        [link("a", 1, "g1", "same"), link("a", 2, "g1", "old"), link("b", 1, "g2", "other")],
    )
    written = []

    def spy(session, table, rows, update):
        written.extend(rows)
        return upsert_rows(session, table, rows, update)

    monkeypatch.setattr(statements.db, "upsert_rows", spy)
    wanted = [link("a", 2, "g1", "new"), link("a", 3, "g1", "added"), link("a", 1, "g1", "same")]
    replace_rows(records, LINKS, "owner", ["g1"], wanted[:2])
    rows = records.execute(select(LINKS).order_by(LINKS.c.record, LINKS.c.statement)).mappings()
    assert [dict(row) for row in rows] == [
        link("a", 2, "g1", "new"),
        link("a", 3, "g1", "added"),
        link("b", 1, "g2", "other"),
    ]
    assert written == wanted[:2]

    written.clear()
    replace_rows(records, LINKS, "owner", ["g1"], wanted)
    assert written == [link("a", 1, "g1", "same")]
    replace_rows(records, LINKS, "owner", ["g1", "g2"], [])
    assert records.execute(select(LINKS)).all() == []
