"""Database plumbing shared by every package: the declarative base, column types, the engine."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from psycopg.types.json import Jsonb
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    DateTime,
    Dialect,
    Engine,
    MetaData,
    Table,
    Uuid,
    any_,
    bindparam,
    create_engine,
    delete,
    event,
    insert,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, QueryableAttribute, Session
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every database.

    PostgreSQL stores timestamptz; SQLite has no time zones, so values are stored as naive UTC
    text, which sorts correctly, and come back aware.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base class of every model; the naming convention keeps migrations deterministic."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), uuid.UUID: Uuid()}


def table_of(model: type[Base]) -> Table:
    """A model's Core table, for the paths that skip the ORM (bulk writes, hot queries)."""
    return cast(Table, model.__table__)


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    """Create the engine for a URL; SQLite gets WAL, a busy timeout and serialised writers."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(url, **kwargs)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINTs; take control of it
    # (SQLAlchemy docs, "Serializable isolation / Savepoints / Transactional DDL"). BEGIN IMMEDIATE
    # takes the write lock up front, so two writers queue on busy_timeout instead of failing
    # with "database is locked" when a read lock cannot be upgraded.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert many rows in the session's transaction: COPY on PostgreSQL, which costs
    neither a statement per row on the server nor per-row processing in SQLAlchemy; a plain
    executemany elsewhere. Every row has the same keys; JSON values are plain dicts and
    lists, as SQLAlchemy's JSON type takes them."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(table), list(rows))
        return
    _copy(session, table, rows, _copy_columns(table, rows), table.name)


def upsert_rows(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], update: Sequence[str]
) -> None:
    """Insert rows, or set the `update` columns (if any) of those whose primary key exists. On
    PostgreSQL the rows are COPYed into a temporary table and merged with one INSERT ... ON
    CONFLICT, which spares SQLAlchemy's per-row parameter processing; elsewhere a plain
    executemany upsert. Every row has the same keys."""
    if not rows:
        return
    key = [column.name for column in table.primary_key.columns]
    if session.get_bind().dialect.name != "postgresql":
        upsert = sqlite.insert(table)
        changes = {name: upsert.excluded[name] for name in update}
        merge = (
            upsert.on_conflict_do_update(index_elements=key, set_=changes)
            if changes
            else upsert.on_conflict_do_nothing()
        )
        session.execute(merge, list(rows))
        return
    staging = f"staging_{uuid.uuid4().hex}"
    columns = _copy_columns(table, rows)
    names = ", ".join(columns)
    session.execute(
        text(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "
            f"SELECT {names} FROM {table.name} WITH NO DATA"
        )
    )
    _copy(session, table, rows, columns, staging)
    assignments = ", ".join(f"{name} = EXCLUDED.{name}" for name in update)
    action = f"DO UPDATE SET {assignments}" if update else "DO NOTHING"
    session.execute(
        text(
            f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {staging} "
            f"ON CONFLICT ({', '.join(key)}) {action}"
        )
    )


def replace_rows(
    session: Session,
    table: Table,
    scope: str,
    scope_values: Sequence[Any],
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """Make the rows of `table` whose `scope` column holds one of `scope_values` exactly
    `rows`, writing only the difference: rows that are new or changed are upserted, rows no
    longer there deleted, equal rows left alone. A recomputation mostly repeats what is
    stored, and every row written costs its indexes and foreign-key checks."""
    key = [column.name for column in table.primary_key.columns]
    names = list(rows[0]) if rows else key
    stored: dict[tuple[Any, ...], dict[str, Any]] = {}
    for chunk in chunks(list(scope_values)):
        query = select(*(table.c[name] for name in names)).where(
            one_of(session, table.c[scope], chunk)
        )
        for found in session.execute(query).mappings():
            stored[tuple(found[name] for name in key)] = dict(found)
    wanted = {tuple(row[name] for name in key): row for row in rows}
    gone = [k for k in stored if k not in wanted]
    for chunk in chunks(gone):
        if len(key) == 1:
            matched = one_of(session, table.c[key[0]], [k[0] for k in chunk])
        else:
            matched = tuple_(*(table.c[name] for name in key)).in_(chunk)
        session.execute(delete(table).where(matched))
    changed = [row for k, row in wanted.items() if stored.get(k) != row]
    upsert_rows(session, table, changed, [name for name in names if name not in key])


T = TypeVar("T")


def one_of(
    session: Session, column: ColumnElement[Any] | QueryableAttribute[Any], values: Sequence[Any]
) -> ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL `column = ANY(array)`, one parameter however many
    values: the statement text stays the same, so the driver and server do not parse a new
    query, and bind hundreds of parameters, for every length of list."""
    if session.get_bind().dialect.name != "postgresql":
        return column.in_(values)
    array = bindparam("values", list(values), type_=ARRAY(column.type), unique=True)
    return column == any_(array)


def chunks(values: list[T], size: int = 1000) -> list[list[T]]:
    """`values` in lists of at most `size`, to keep IN lists within what a database takes."""
    return [values[start : start + size] for start in range(0, len(values), size)]


def _copy_columns(table: Table, rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The rows' columns, then those they leave out that have a Python-side default: an
    INSERT through SQLAlchemy would fill those in, COPY would not."""
    given = list(rows[0])
    return given + [
        c.name
        for c in table.columns
        if c.name not in given
        and c.default is not None
        and (c.default.is_scalar or c.default.is_callable)
    ]


def _copy(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    into: str,
) -> None:
    given = list(rows[0])
    defaults = [table.columns[name].default for name in columns[len(given) :]]
    driver = session.connection().connection.driver_connection
    assert driver is not None
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY {into} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            values = [row[name] for name in given]
            values += [_default_value(default) for default in defaults]
            copy.write_row([_copyable(value) for value in values])


def _default_value(default: Any) -> Any:
    return default.arg(None) if default.is_callable else default.arg


def _copyable(value: Any) -> Any:
    return Jsonb(value) if isinstance(value, dict | list) else value
