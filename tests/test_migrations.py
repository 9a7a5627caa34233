"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import hr_api.models  # noqa: F401  (registers the tables)
import mapping.models  # noqa: F401
import statements.credentials  # noqa: F401
import statements.models  # noqa: F401
from statements.db import Base


def test_migrated_schema_matches_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
