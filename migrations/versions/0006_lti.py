"""the LTI tool: platforms, the tool's keys, logins

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 03:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "hr_lti_platforms",
        sa.Column("lms_integration_id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("deployment_ids", _json(), nullable=False),
        sa.Column("auth_login_url", sa.String(length=2000), nullable=False),
        sa.Column("auth_token_url", sa.String(length=2000), nullable=False),
        sa.Column("key_set_url", sa.String(length=2000), nullable=False),
        sa.Column("audience", sa.String(length=500), server_default="", nullable=False),
        sa.Column("key_set", _json(), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["lms_integration_id"], ["hr_lms_integration_config.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("lms_integration_id"),
        sa.UniqueConstraint("issuer", "client_id", name="uq_lti_platform_client"),
    )
    op.create_table(
        "hr_lti_tool_keys",
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("public_jwk", _json(), nullable=False),
        sa.Column("private_key", _json(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kid"),
    )
    op.create_table(
        "hr_lti_logins",
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("lms_integration_id", sa.Uuid(), nullable=False),
        sa.Column("target_link_uri", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deep_linking", _json(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["lms_integration_id"], ["hr_lms_integration_config.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("state"),
        sa.UniqueConstraint("nonce"),
    )
    op.create_index("idx_lti_logins_created", "hr_lti_logins", ["created_at"])
    op.create_table(
        "hr_lti_grade_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("lms_integration_id", sa.Uuid(), nullable=False),
        sa.Column("enrollment_id", sa.Uuid(), nullable=False),
        sa.Column("platform_user_id", sa.String(length=255), nullable=False),
        sa.Column("lineitem", sa.String(length=2000), nullable=False),
        sa.Column("lineitems", sa.String(length=2000), server_default="", nullable=False),
        sa.Column("resource_link_id", sa.String(length=255), server_default="", nullable=False),
        sa.Column("scopes", _json(), nullable=False),
        sa.Column("sent", sa.String(length=100), server_default="", nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("message", sa.Text(), server_default="", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["lms_integration_id"], ["hr_lms_integration_config.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("enrollment_id", "lineitem", name="uq_lti_grade_link"),
    )
    op.create_index("idx_lti_grade_links_due", "hr_lti_grade_links", ["next_attempt_at"])
    op.create_table(
        "hr_lti_rosters",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("lms_integration_id", sa.Uuid(), nullable=False),
        sa.Column("memberships_url", sa.String(length=2000), nullable=False),
        sa.Column("course", _json(), nullable=False),
        sa.Column("next_read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["lms_integration_id"], ["hr_lms_integration_config.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("lms_integration_id", "memberships_url", name="uq_lti_roster"),
    )


def downgrade() -> None:
    op.drop_table("hr_lti_rosters")
    op.drop_index("idx_lti_grade_links_due", table_name="hr_lti_grade_links")
    op.drop_table("hr_lti_grade_links")
    op.drop_index("idx_lti_logins_created", table_name="hr_lti_logins")
    op.drop_table("hr_lti_logins")
    op.drop_table("hr_lti_tool_keys")
    op.drop_table("hr_lti_platforms")
