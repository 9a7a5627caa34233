"""outbound enrolments: employees enrolled in LMS courses from the HR side

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 03:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("pending", "done", "failed")


def upgrade() -> None:
    op.create_table(
        "hr_lms_outbound_enrolments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("lms_integration_id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("course_activity_id", sa.String(length=2000), nullable=False),
        sa.Column("enrollment_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="outbound_status", native_enum=False, create_constraint=True, length=7),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("message", sa.Text(), server_default="", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["employee_id"], ["hr_employees.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["lms_integration_id"], ["hr_lms_integration_config.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("idx_outbound_enrollment", "hr_lms_outbound_enrolments", ["enrollment_id"], unique=True)
    op.create_index("idx_outbound_due", "hr_lms_outbound_enrolments", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("idx_outbound_due", table_name="hr_lms_outbound_enrolments")
    op.drop_index("idx_outbound_enrollment", table_name="hr_lms_outbound_enrolments")
    op.drop_table("hr_lms_outbound_enrolments")
