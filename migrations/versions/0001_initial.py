"""statement store, documents, attachments and credentials

Revision ID: 0001
Revises:
Create Date: 2026-11-26 15:38:03.421309
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('companies',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('home_page', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_companies')),
    sa.UniqueConstraint('name', name=op.f('uq_companies_name'))
    )
    op.create_table('statement_activities',
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('statement_id', sa.Uuid(), nullable=False),
    sa.Column('activity_key', sa.String(length=255), nullable=False),
    sa.Column('stored', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('company_id', 'statement_id', 'activity_key', name=op.f('pk_statement_activities'))
    )
    with op.batch_alter_table('statement_activities', schema=None) as batch_op:
        batch_op.create_index('ix_statement_activities_key', ['company_id', 'activity_key', 'stored', 'statement_id'], unique=False)

    op.create_table('statement_agents',
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('statement_id', sa.Uuid(), nullable=False),
    sa.Column('agent_key', sa.String(length=255), nullable=False),
    sa.Column('stored', sa.DateTime(timezone=True), nullable=False),
    sa.Column('direct', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('company_id', 'statement_id', 'agent_key', name=op.f('pk_statement_agents'))
    )
    with op.batch_alter_table('statement_agents', schema=None) as batch_op:
        batch_op.create_index('ix_statement_agents_direct', ['company_id', 'agent_key', 'stored', 'statement_id'], unique=False, postgresql_where=sa.text('direct'), sqlite_where=sa.text('direct'))
        batch_op.create_index('ix_statement_agents_key', ['company_id', 'agent_key', 'stored', 'statement_id'], unique=False)

    op.create_table('statement_targets',
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('statement_id', sa.Uuid(), nullable=False),
    sa.Column('target_id', sa.Uuid(), nullable=False),
    sa.Column('stored', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('company_id', 'statement_id', 'target_id', name=op.f('pk_statement_targets'))
    )
    with op.batch_alter_table('statement_targets', schema=None) as batch_op:
        batch_op.create_index('ix_statement_targets_target', ['company_id', 'target_id'], unique=False)

    op.create_table('activities',
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('activity_key', sa.String(length=255), nullable=False),
    sa.Column('activity_id', sa.Text(), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('updated', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_activities_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('company_id', 'activity_key', name=op.f('pk_activities'))
    )
    op.create_table('attachments',
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('sha2', sa.String(length=128), nullable=False),
    sa.Column('content_type', sa.String(length=255), nullable=False),
    sa.Column('length', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('stored', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_attachments_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('company_id', 'sha2', name=op.f('pk_attachments'))
    )
    op.create_table('documents',
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('scope_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('activity_key', sa.String(length=255), nullable=True),
    sa.Column('agent_key', sa.String(length=255), nullable=True),
    sa.Column('registration', sa.Uuid(), nullable=True),
    sa.Column('document_id', sa.Text(), nullable=False),
    sa.Column('content_type', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('etag', sa.String(length=40), nullable=False),
    sa.Column('updated', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_documents_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('company_id', 'scope_hash', name=op.f('pk_documents'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index('ix_documents_scope', ['company_id', 'kind', 'activity_key', 'agent_key', 'updated'], unique=False)

    op.create_table('lrs_credentials',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('scopes', sa.String(length=500), nullable=False),
    sa.Column('integration_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_lrs_credentials_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lrs_credentials')),
    sa.UniqueConstraint('key', name=op.f('uq_lrs_credentials_key'))
    )
    op.create_table('statements',
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('stored', sa.DateTime(timezone=True), nullable=False),
    sa.Column('verb_key', sa.String(length=255), nullable=False),
    sa.Column('activity_key', sa.String(length=255), nullable=True),
    sa.Column('ref_id', sa.Uuid(), nullable=True),
    sa.Column('registration', sa.Uuid(), nullable=True),
    sa.Column('authority_key', sa.String(length=255), nullable=False),
    sa.Column('voided', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_statements_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('company_id', 'id', name=op.f('pk_statements'))
    )
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.create_index('ix_statements_activity', ['company_id', 'activity_key', 'stored', 'id'], unique=False)
        batch_op.create_index('ix_statements_authority', ['company_id', 'authority_key', 'stored', 'id'], unique=False)
        batch_op.create_index('ix_statements_ref', ['company_id', 'ref_id'], unique=False, postgresql_where=sa.text('ref_id IS NOT NULL'), sqlite_where=sa.text('ref_id IS NOT NULL'))
        batch_op.create_index('ix_statements_registration', ['company_id', 'registration', 'stored', 'id'], unique=False, postgresql_where=sa.text('registration IS NOT NULL'), sqlite_where=sa.text('registration IS NOT NULL'))
        batch_op.create_index('ix_statements_stored', ['company_id', 'stored', 'id'], unique=False)
        batch_op.create_index('ix_statements_verb', ['company_id', 'verb_key', 'stored', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_index('ix_statements_verb')
        batch_op.drop_index('ix_statements_stored')
        batch_op.drop_index('ix_statements_registration', postgresql_where=sa.text('registration IS NOT NULL'), sqlite_where=sa.text('registration IS NOT NULL'))
        batch_op.drop_index('ix_statements_ref', postgresql_where=sa.text('ref_id IS NOT NULL'), sqlite_where=sa.text('ref_id IS NOT NULL'))
        batch_op.drop_index('ix_statements_authority')
        batch_op.drop_index('ix_statements_activity')

    op.drop_table('statements')
    op.drop_table('lrs_credentials')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_scope')

    op.drop_table('documents')
    op.drop_table('attachments')
    op.drop_table('activities')
    with op.batch_alter_table('statement_targets', schema=None) as batch_op:
        batch_op.drop_index('ix_statement_targets_target')

    op.drop_table('statement_targets')
    with op.batch_alter_table('statement_agents', schema=None) as batch_op:
        batch_op.drop_index('ix_statement_agents_key')
        batch_op.drop_index('ix_statement_agents_direct', postgresql_where=sa.text('direct'), sqlite_where=sa.text('direct'))

    op.drop_table('statement_agents')
    with op.batch_alter_table('statement_activities', schema=None) as batch_op:
        batch_op.drop_index('ix_statement_activities_key')

    op.drop_table('statement_activities')
    op.drop_table('companies')
