"""Alembic environment: migrates the database named by the `sqlalchemy.url` option or,
without one, by DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, pool

import hr_api.models  # noqa: F401  (registers its table)
import mapping.models  # noqa: F401
import statements.credentials  # noqa: F401
import statements.models  # noqa: F401
from config import Settings
from statements.db import Base, make_engine

target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=True,
        transaction_per_migration=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url
    engine = make_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # Two processes migrating at once (several workers starting) take turns.
            connection.exec_driver_sql("SELECT pg_advisory_lock(7461827)")
            connection.commit()
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `lrs db upgrade`")
run_migrations_online()
