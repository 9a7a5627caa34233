"""integrations: when a change of reading rules left their records to be refolded

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 21:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hr_lms_integration_config") as batch:
        batch.add_column(sa.Column("rebuild_pending_since", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hr_lms_integration_config") as batch:
        batch.drop_column("rebuild_pending_since")
