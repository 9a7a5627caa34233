"""sync runs and rate buckets: the polls of API integrations' LMSs, and their allowance

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 23:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("queued", "running", "succeeded", "failed")


def upgrade() -> None:
    op.create_table(
        "hr_lms_sync_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("lms_integration_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="sync_run_status", native_enum=False, create_constraint=True, length=9),
            nullable=False,
        ),
        sa.Column("requested_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pages_read", sa.Integer(), server_default="0", nullable=False),
        sa.Column("records_read", sa.Integer(), server_default="0", nullable=False),
        sa.Column("statements_stored", sa.Integer(), server_default="0", nullable=False),
        sa.Column("duplicates_skipped", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "watermark",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["lms_integration_id"], ["hr_lms_integration_config.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("idx_sync_runs_integration", "hr_lms_sync_runs", ["lms_integration_id", "created_at"])
    op.create_index("idx_sync_runs_status", "hr_lms_sync_runs", ["status", "created_at"])
    op.create_table(
        "hr_lms_rate_buckets",
        sa.Column("lms_integration_id", sa.Uuid(), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lms_integration_id"], ["hr_lms_integration_config.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("lms_integration_id"),
    )


def downgrade() -> None:
    op.drop_table("hr_lms_rate_buckets")
    op.drop_index("idx_sync_runs_status", table_name="hr_lms_sync_runs")
    op.drop_index("idx_sync_runs_integration", table_name="hr_lms_sync_runs")
    op.drop_table("hr_lms_sync_runs")
