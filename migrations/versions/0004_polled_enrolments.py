"""polled enrolments: what API integrations' polls last found of each enrolment

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 03:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hr_lms_polled_enrolments",
        sa.Column("lms_integration_id", sa.Uuid(), nullable=False),
        sa.Column("registration", sa.Uuid(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column(
            "template",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("left_statement_id", sa.Uuid(), nullable=True),
        sa.Column("seen_run_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lms_integration_id"], ["hr_lms_integration_config.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("lms_integration_id", "registration"),
    )


def downgrade() -> None:
    op.drop_table("hr_lms_polled_enrolments")
