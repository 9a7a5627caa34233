"""Fixtures: a migrated database per test run (PostgreSQL or SQLite), one rolled-back
transaction per test, and an xAPI client with a fresh credential.

LRS_TEST_DATABASE_URL names a PostgreSQL server (postgresql+psycopg://user@host/db); the
suite creates its own database there and drops it at the end. Without it, an SQLite file in
a temporary directory is used.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from config import Settings
from lrs.app import create_app
from lrs.context import state
from lrs.migrate import upgrade_engine
from statements.db import make_engine
from tests.databases import empty_database
from tests.factories import TestSession
from tests.xapi_client import XapiClient, new_credential


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A URL to an empty database that lives as long as the test session."""
    with empty_database(tmp_path_factory.mktemp("db"), "lrs_test") as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade_engine(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def db_session(connection: Connection) -> Iterator[Session]:
    session = TestSession(bind=connection, join_transaction_mode="create_savepoint")
    yield session
    TestSession.remove()


@pytest.fixture
def settings(database_url: str) -> Settings:
    # No credential cache: tests revoke credentials and expect the next request to fail.
    return Settings(
        database_url=database_url,
        statement_page_max=50,
        auth_cache_s=0,
        jwt_secret="test-jwt-secret-with-enough-length",
        # The fake LMSs the provider tests poll run on 127.0.0.1.
        providers_private_networks=True,
    )


@pytest.fixture
def app(settings: Settings, connection: Connection) -> Flask:
    app = create_app(settings, bind=connection)
    # A request's commit releases a savepoint; the test's outer transaction still rolls back.
    state(app).make_session.configure(join_transaction_mode="create_savepoint")
    return app


@pytest.fixture
def xapi(app: Flask, db_session: Session) -> XapiClient:
    """An xAPI client holding an all-scopes credential of a new company."""
    return new_credential(app, scopes=["all"])
