"""Empty databases for a test run: an SQLite file, or, when LRS_TEST_DATABASE_URL names a
PostgreSQL server, a database of its own there, dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def worker_suffix() -> str:
    """The pytest-xdist worker's name, so that parallel workers never share a database."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@contextmanager
def empty_database(directory: Path, prefix: str) -> Iterator[str]:
    """A URL to an empty database that lasts as long as the context."""
    server = os.environ.get("LRS_TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{directory / f'{prefix}-{worker_suffix()}.sqlite3'}"
        return
    url = make_url(server)
    name = f"{prefix}_{worker_suffix()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
