"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26 17:41:44.979240
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

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
    sa.PrimaryKeyConstraint('statement_id', 'activity_key', 'company_id', name=op.f('pk_statement_activities'))
    )
    with op.batch_alter_table('statement_activities', schema=None) as batch_op:
        batch_op.create_index('ix_statement_activities_key', ['activity_key', 'company_id', 'stored', 'statement_id'], unique=False)

    op.create_table('statement_agents',
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('statement_id', sa.Uuid(), nullable=False),
    sa.Column('agent_key', sa.String(length=255), nullable=False),
    sa.Column('stored', sa.DateTime(timezone=True), nullable=False),
    sa.Column('direct', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('statement_id', 'agent_key', 'company_id', name=op.f('pk_statement_agents'))
    )
    with op.batch_alter_table('statement_agents', schema=None) as batch_op:
        batch_op.create_index('ix_statement_agents_key', ['agent_key', 'company_id', 'stored', 'statement_id', 'direct'], unique=False)

    op.create_table('statement_outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('statement_id', sa.Uuid(), nullable=False),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_outbox'))
    )
    op.create_table('statement_targets',
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('statement_id', sa.Uuid(), nullable=False),
    sa.Column('target_id', sa.Uuid(), nullable=False),
    sa.Column('stored', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('statement_id', 'target_id', 'company_id', name=op.f('pk_statement_targets'))
    )
    with op.batch_alter_table('statement_targets', schema=None) as batch_op:
        batch_op.create_index('ix_statement_targets_target', ['target_id', 'company_id'], unique=False)

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

    op.create_table('hr_audit_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Uuid(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('object_type', sa.String(length=60), nullable=False),
    sa.Column('object_id', sa.String(length=100), nullable=False),
    sa.Column('before', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('after', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('request_id', sa.String(length=64), nullable=False),
    sa.Column('previous_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_hr_audit_log_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hr_audit_log'))
    )
    with op.batch_alter_table('hr_audit_log', schema=None) as batch_op:
        batch_op.create_index('idx_audit_company', ['company_id', 'id'], unique=False)
        batch_op.create_index('idx_audit_object', ['company_id', 'object_type', 'object_id'], unique=False)

    op.create_table('hr_employees',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('employee_number', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('work_email', sa.String(length=320), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('department_id', sa.Uuid(), nullable=True),
    sa.Column('department_name', sa.String(length=200), nullable=False),
    sa.Column('team_id', sa.Uuid(), nullable=True),
    sa.Column('team_name', sa.String(length=200), nullable=False),
    sa.Column('manager_id', sa.Uuid(), nullable=True),
    sa.Column('employment_status', sa.Enum('active', 'on_leave', 'terminated', name='employment_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_hr_employees_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hr_employees')),
    sa.UniqueConstraint('company_id', 'employee_number', name='uk_employee_number')
    )
    with op.batch_alter_table('hr_employees', schema=None) as batch_op:
        batch_op.create_index('idx_employee_department', ['company_id', 'department_id'], unique=False)
        batch_op.create_index('idx_employee_manager', ['company_id', 'manager_id'], unique=False)
        batch_op.create_index('idx_employee_team', ['company_id', 'team_id'], unique=False)
        batch_op.create_index('idx_employee_user', ['company_id', 'user_id'], unique=False)

    op.create_table('hr_lms_integration_config',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('created_by_user_id', sa.Uuid(), nullable=False),
    sa.Column('updated_by_user_id', sa.Uuid(), nullable=False),
    sa.Column('lms_name', sa.String(length=200), nullable=False),
    sa.Column('lms_type', sa.Enum('corporate_lms', 'moodle', 'canvas', 'blackboard', 'cornerstone', 'docebo', 'talentlms', 'custom_lms', 'scorm_compliant', 'xapi_compatible', name='lms_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('lms_code', sa.String(length=50), nullable=False),
    sa.Column('integration_method', sa.Enum('api', 'lti', 'scorm', 'xapi', 'sftp', 'file_upload', 'webhook', 'database_link', 'manual_entry', name='integration_method', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('api_endpoint_url', sa.String(length=500), nullable=False),
    sa.Column('api_version', sa.String(length=20), server_default='v1', nullable=False),
    sa.Column('authentication_type', sa.Enum('api_key', 'oauth_2_0', 'basic_auth', 'lti_key', 'jwt', 'certificate', 'saml', name='authentication_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('authentication_config', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('data_format', sa.Enum('json', 'xml', 'csv', 'scorm', 'xapi', 'lti', name='data_format', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('sync_frequency', sa.Enum('real_time', 'every_15_mins', 'hourly', 'daily', 'weekly', 'on_demand', name='sync_frequency', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('sync_direction', sa.Enum('bidirectional', 'inbound_only', 'outbound_only', name='sync_direction', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('is_primary_lms', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('connection_status', sa.Enum('connected', 'disconnected', 'error', 'testing', 'maintenance', name='connection_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('last_sync_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_successful_sync_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('max_retry_attempts', sa.Integer(), server_default='3', nullable=False),
    sa.Column('timeout_seconds', sa.Integer(), server_default='30', nullable=False),
    sa.Column('rate_limit_per_hour', sa.Integer(), server_default='1000', nullable=False),
    sa.Column('supported_course_types', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('field_mappings', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('validation_rules', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('transformation_rules', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('compliance_settings', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_hr_lms_integration_config_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hr_lms_integration_config')),
    sa.UniqueConstraint('company_id', 'lms_code', name='uk_lms_code')
    )
    with op.batch_alter_table('hr_lms_integration_config', schema=None) as batch_op:
        batch_op.create_index('idx_lms_active', ['company_id', 'is_active'], unique=False)
        batch_op.create_index('idx_lms_status', ['company_id', 'connection_status'], unique=False)
        batch_op.create_index('idx_lms_type', ['company_id', 'lms_type'], unique=False)

    op.create_table('hr_lms_role_permission',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('role_name', sa.String(length=100), nullable=False),
    sa.Column('role_description', sa.Text(), nullable=False),
    sa.Column('role_type', sa.Enum('lms_admin', 'lms_manager', 'lms_instructor', 'hr_admin', 'training_coordinator', 'content_creator', 'learner', 'report_viewer', 'compliance_officer', 'auditor', name='role_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('can_manage_lms_config', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('can_manage_courses', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('can_create_content', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('can_enroll_learners', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('can_view_progress', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('can_manage_certifications', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('can_view_reports', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('can_export_data', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('can_manage_integrations', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('can_view_audit_logs', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('can_manage_compliance', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('can_approve_enrollments', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('can_manage_learning_paths', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('can_access_analytics', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('can_manage_assessments', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('data_access_level', sa.Enum('all', 'department', 'team', 'own', 'none', name='data_access_level', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_hr_lms_role_permission_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hr_lms_role_permission')),
    sa.UniqueConstraint('company_id', 'role_name', name='uk_role_name')
    )
    op.create_table('hr_lms_unmatched_statements',
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('statement_id', sa.Uuid(), nullable=False),
    sa.Column('lms_integration_id', sa.Uuid(), nullable=True),
    sa.Column('agent_key', sa.String(length=255), nullable=False),
    sa.Column('agent', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('stored', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_hr_lms_unmatched_statements_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('company_id', 'statement_id', name=op.f('pk_hr_lms_unmatched_statements'))
    )
    with op.batch_alter_table('hr_lms_unmatched_statements', schema=None) as batch_op:
        batch_op.create_index('idx_unmatched_key', ['company_id', 'agent_key'], unique=False)

    op.create_table('statements',
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('stored', sa.DateTime(timezone=True), nullable=False),
    sa.Column('verb_key', sa.String(length=255), nullable=False),
    sa.Column('activity_key', sa.String(length=255), nullable=True),
    sa.Column('ref_id', sa.Uuid(), nullable=True),
    sa.Column('registration', sa.Uuid(), nullable=True),
    sa.Column('authority_key', sa.String(length=255), nullable=False),
    sa.Column('integration_id', sa.Uuid(), nullable=True),
    sa.Column('voided', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_statements_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', 'company_id', name=op.f('pk_statements'))
    )
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.create_index('ix_statements_activity', ['activity_key', 'company_id', 'stored', 'id'], unique=False)
        batch_op.create_index('ix_statements_authority', ['authority_key', 'company_id', 'stored', 'id'], unique=False)
        batch_op.create_index('ix_statements_ref', ['ref_id', 'company_id'], unique=False, postgresql_where=sa.text('ref_id IS NOT NULL'), sqlite_where=sa.text('ref_id IS NOT NULL'))
        batch_op.create_index('ix_statements_registration', ['registration', 'company_id', 'stored', 'id'], unique=False, postgresql_where=sa.text('registration IS NOT NULL'), sqlite_where=sa.text('registration IS NOT NULL'))
        batch_op.create_index('ix_statements_stored', ['company_id', 'stored', 'id'], unique=False)
        batch_op.create_index('ix_statements_verb', ['verb_key', 'company_id', 'stored', 'id'], unique=False)

    op.create_table('hr_employee_identities',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('employee_id', sa.Uuid(), nullable=False),
    sa.Column('lms_integration_id', sa.Uuid(), nullable=True),
    sa.Column('agent_key', sa.String(length=255), nullable=False),
    sa.Column('source', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_hr_employee_identities_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['employee_id'], ['hr_employees.id'], name=op.f('fk_hr_employee_identities_employee_id_hr_employees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lms_integration_id'], ['hr_lms_integration_config.id'], name=op.f('fk_hr_employee_identities_lms_integration_id_hr_lms_integration_config'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hr_employee_identities'))
    )
    with op.batch_alter_table('hr_employee_identities', schema=None) as batch_op:
        batch_op.create_index('idx_identity_employee', ['company_id', 'employee_id'], unique=False)
        batch_op.create_index('idx_identity_key', ['company_id', 'agent_key'], unique=False)

    op.create_table('hr_lms_course_enrollment',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('lms_integration_id', sa.Uuid(), nullable=False),
    sa.Column('employee_id', sa.Uuid(), nullable=False),
    sa.Column('enrollment_number', sa.String(length=50), nullable=False),
    sa.Column('course_id', sa.String(length=100), nullable=False),
    sa.Column('course_activity_id', sa.Text(), nullable=False),
    sa.Column('course_name', sa.String(length=200), nullable=False),
    sa.Column('course_code', sa.String(length=50), nullable=False),
    sa.Column('course_type', sa.Enum('elearning', 'instructor_led', 'blended', 'virtual_classroom', 'microlearning', 'webinar', 'workshop', name='course_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('enrollment_status', sa.Enum('not_started', 'in_progress', 'completed', 'failed', 'dropped', 'on_hold', 'expired', 'certified', name='enrollment_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('enrollment_date', sa.Date(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('completion_date', sa.Date(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('progress_percentage', sa.Numeric(precision=5, scale=2), server_default='0', nullable=False),
    sa.Column('time_spent_minutes', sa.Integer(), server_default='0', nullable=False),
    sa.Column('score_achieved', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('max_score', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('passing_score', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('grade_achieved', sa.String(length=10), nullable=False),
    sa.Column('instructor_id', sa.String(length=100), nullable=False),
    sa.Column('instructor_name', sa.String(length=200), nullable=False),
    sa.Column('completion_certificate_url', sa.String(length=500), nullable=False),
    sa.Column('credits_earned', sa.Numeric(precision=8, scale=2), server_default='0', nullable=False),
    sa.Column('cost_amount', sa.Numeric(precision=10, scale=2), server_default='0', nullable=False),
    sa.Column('currency_code', sa.String(length=10), server_default='USD', nullable=False),
    sa.Column('is_mandatory', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('is_compliance_training', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('auto_enrollment', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('enrollment_source', sa.Enum('manager_assignment', 'self_enrollment', 'system_assignment', 'learning_path', 'compliance_requirement', name='enrollment_source', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('learning_path_id', sa.String(length=100), nullable=False),
    sa.Column('prerequisite_courses', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('next_courses', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('last_access_date', sa.DateTime(timezone=True), nullable=True),
    sa.Column('total_access_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('waiver_reason', sa.Text(), nullable=False),
    sa.Column('created_by_user_id', sa.Uuid(), nullable=False),
    sa.Column('updated_by_user_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('progress_percentage >= 0 AND progress_percentage <= 100', name=op.f('ck_hr_lms_course_enrollment_progress_range')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_hr_lms_course_enrollment_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['employee_id'], ['hr_employees.id'], name=op.f('fk_hr_lms_course_enrollment_employee_id_hr_employees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lms_integration_id'], ['hr_lms_integration_config.id'], name=op.f('fk_hr_lms_course_enrollment_lms_integration_id_hr_lms_integration_config'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hr_lms_course_enrollment')),
    sa.UniqueConstraint('company_id', 'enrollment_number', name='uk_enrollment_number'),
    sa.UniqueConstraint('company_id', 'lms_integration_id', 'employee_id', 'course_id', name='uk_enrollment_course'),
    sa.UniqueConstraint('enrollment_number', name=op.f('uq_hr_lms_course_enrollment_enrollment_number'))
    )
    with op.batch_alter_table('hr_lms_course_enrollment', schema=None) as batch_op:
        batch_op.create_index('idx_enrollment_course', ['company_id', 'course_id'], unique=False)
        batch_op.create_index('idx_enrollment_date', ['company_id', 'enrollment_date', 'id'], unique=False)
        batch_op.create_index('idx_enrollment_employee', ['company_id', 'employee_id'], unique=False)
        batch_op.create_index('idx_enrollment_lms', ['company_id', 'lms_integration_id'], unique=False)
        batch_op.create_index('idx_enrollment_status', ['company_id', 'enrollment_status', 'is_mandatory', 'is_compliance_training'], unique=False)

    op.create_table('hr_lms_user_role_assignment',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('role_id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('department_id', sa.Uuid(), nullable=True),
    sa.Column('team_id', sa.Uuid(), nullable=True),
    sa.Column('assigned_by_user_id', sa.Uuid(), nullable=False),
    sa.Column('assigned_date', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expiry_date', sa.Date(), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('assignment_notes', sa.Text(), nullable=False),
    sa.Column('security_clearance_level', sa.Enum('basic', 'standard', 'enhanced', 'top_secret', name='security_clearance_level', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('lms_training_required', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('lms_training_status', sa.Enum('not_required', 'pending', 'certified', 'expired', name='lms_training_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('instructional_design_certified', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('instructional_design_status', sa.Enum('not_required', 'pending', 'certified', 'expired', name='instructional_design_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('compliance_training_required', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('compliance_training_status', sa.Enum('not_required', 'pending', 'completed', 'expired', name='compliance_training_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('content_creation_permissions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('instructor_permissions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_hr_lms_user_role_assignment_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['role_id'], ['hr_lms_role_permission.id'], name=op.f('fk_hr_lms_user_role_assignment_role_id_hr_lms_role_permission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hr_lms_user_role_assignment'))
    )
    with op.batch_alter_table('hr_lms_user_role_assignment', schema=None) as batch_op:
        batch_op.create_index('idx_role_assignment_user', ['company_id', 'user_id'], unique=False)

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
    sa.ForeignKeyConstraint(['integration_id'], ['hr_lms_integration_config.id'], name=op.f('fk_lrs_credentials_integration_id_hr_lms_integration_config'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lrs_credentials')),
    sa.UniqueConstraint('key', name=op.f('uq_lrs_credentials_key'))
    )
    op.create_table('hr_lms_data_quality_findings',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('enrollment_id', sa.Uuid(), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('rule', sa.String(length=50), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('statement_id', sa.Uuid(), nullable=True),
    sa.Column('found_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_hr_lms_data_quality_findings_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enrollment_id'], ['hr_lms_course_enrollment.id'], name=op.f('fk_hr_lms_data_quality_findings_enrollment_id_hr_lms_course_enrollment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hr_lms_data_quality_findings'))
    )
    with op.batch_alter_table('hr_lms_data_quality_findings', schema=None) as batch_op:
        batch_op.create_index('idx_finding_enrollment', ['company_id', 'enrollment_id'], unique=False)

    op.create_table('hr_lms_learning_progress',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('lms_integration_id', sa.Uuid(), nullable=False),
    sa.Column('enrollment_id', sa.Uuid(), nullable=False),
    sa.Column('employee_id', sa.Uuid(), nullable=False),
    sa.Column('course_id', sa.String(length=100), nullable=False),
    sa.Column('lesson_id', sa.String(length=100), nullable=False),
    sa.Column('lesson_activity_id', sa.Text(), nullable=False),
    sa.Column('lesson_name', sa.String(length=200), nullable=False),
    sa.Column('lesson_type', sa.Enum('video', 'reading', 'quiz', 'assignment', 'project', 'discussion', 'assessment', 'simulation', name='lesson_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('progress_status', sa.Enum('not_started', 'in_progress', 'completed', 'failed', 'skipped', name='progress_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('completion_date', sa.DateTime(timezone=True), nullable=True),
    sa.Column('time_spent_seconds', sa.Integer(), server_default='0', nullable=False),
    sa.Column('first_access_date', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_access_date', sa.DateTime(timezone=True), nullable=True),
    sa.Column('score_achieved', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('max_score', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('attempts_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('completion_percentage', sa.Numeric(precision=5, scale=2), server_default='0', nullable=False),
    sa.Column('bookmark_data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('interaction_data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('assessment_results', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('feedback_data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('next_lesson_id', sa.String(length=100), nullable=False),
    sa.Column('prerequisites_completed', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('is_mandatory_lesson', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('completion_percentage >= 0 AND completion_percentage <= 100', name=op.f('ck_hr_lms_learning_progress_completion_range')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_hr_lms_learning_progress_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['employee_id'], ['hr_employees.id'], name=op.f('fk_hr_lms_learning_progress_employee_id_hr_employees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enrollment_id'], ['hr_lms_course_enrollment.id'], name=op.f('fk_hr_lms_learning_progress_enrollment_id_hr_lms_course_enrollment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lms_integration_id'], ['hr_lms_integration_config.id'], name=op.f('fk_hr_lms_learning_progress_lms_integration_id_hr_lms_integration_config'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hr_lms_learning_progress')),
    sa.UniqueConstraint('enrollment_id', 'lesson_activity_id', name='uk_progress_lesson')
    )
    with op.batch_alter_table('hr_lms_learning_progress', schema=None) as batch_op:
        batch_op.create_index('idx_progress_course', ['company_id', 'course_id'], unique=False)
        batch_op.create_index('idx_progress_employee', ['company_id', 'employee_id'], unique=False)
        batch_op.create_index('idx_progress_enrollment', ['company_id', 'enrollment_id'], unique=False)
        batch_op.create_index('idx_progress_lms', ['company_id', 'lms_integration_id'], unique=False)
        batch_op.create_index('idx_progress_status', ['company_id', 'progress_status'], unique=False)

    op.create_table('hr_lms_record_evidence',
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('statement_id', sa.Uuid(), nullable=False),
    sa.Column('enrollment_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_hr_lms_record_evidence_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enrollment_id'], ['hr_lms_course_enrollment.id'], name=op.f('fk_hr_lms_record_evidence_enrollment_id_hr_lms_course_enrollment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record_id', 'statement_id', name=op.f('pk_hr_lms_record_evidence'))
    )
    with op.batch_alter_table('hr_lms_record_evidence', schema=None) as batch_op:
        batch_op.create_index('idx_evidence_enrollment', ['enrollment_id'], unique=False)
        batch_op.create_index('idx_evidence_statement', ['company_id', 'statement_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('hr_lms_record_evidence', schema=None) as batch_op:
        batch_op.drop_index('idx_evidence_statement')
        batch_op.drop_index('idx_evidence_enrollment')

    op.drop_table('hr_lms_record_evidence')
    with op.batch_alter_table('hr_lms_learning_progress', schema=None) as batch_op:
        batch_op.drop_index('idx_progress_status')
        batch_op.drop_index('idx_progress_lms')
        batch_op.drop_index('idx_progress_enrollment')
        batch_op.drop_index('idx_progress_employee')
        batch_op.drop_index('idx_progress_course')

    op.drop_table('hr_lms_learning_progress')
    with op.batch_alter_table('hr_lms_data_quality_findings', schema=None) as batch_op:
        batch_op.drop_index('idx_finding_enrollment')

    op.drop_table('hr_lms_data_quality_findings')
    op.drop_table('lrs_credentials')
    with op.batch_alter_table('hr_lms_user_role_assignment', schema=None) as batch_op:
        batch_op.drop_index('idx_role_assignment_user')

    op.drop_table('hr_lms_user_role_assignment')
    with op.batch_alter_table('hr_lms_course_enrollment', schema=None) as batch_op:
        batch_op.drop_index('idx_enrollment_status')
        batch_op.drop_index('idx_enrollment_lms')
        batch_op.drop_index('idx_enrollment_employee')
        batch_op.drop_index('idx_enrollment_date')
        batch_op.drop_index('idx_enrollment_course')

    op.drop_table('hr_lms_course_enrollment')
    with op.batch_alter_table('hr_employee_identities', schema=None) as batch_op:
        batch_op.drop_index('idx_identity_key')
        batch_op.drop_index('idx_identity_employee')

    op.drop_table('hr_employee_identities')
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_index('ix_statements_verb')
        batch_op.drop_index('ix_statements_stored')
        batch_op.drop_index('ix_statements_registration', postgresql_where=sa.text('registration IS NOT NULL'), sqlite_where=sa.text('registration IS NOT NULL'))
        batch_op.drop_index('ix_statements_ref', postgresql_where=sa.text('ref_id IS NOT NULL'), sqlite_where=sa.text('ref_id IS NOT NULL'))
        batch_op.drop_index('ix_statements_authority')
        batch_op.drop_index('ix_statements_activity')

    op.drop_table('statements')
    with op.batch_alter_table('hr_lms_unmatched_statements', schema=None) as batch_op:
        batch_op.drop_index('idx_unmatched_key')

    op.drop_table('hr_lms_unmatched_statements')
    op.drop_table('hr_lms_role_permission')
    with op.batch_alter_table('hr_lms_integration_config', schema=None) as batch_op:
        batch_op.drop_index('idx_lms_type')
        batch_op.drop_index('idx_lms_status')
        batch_op.drop_index('idx_lms_active')

    op.drop_table('hr_lms_integration_config')
    with op.batch_alter_table('hr_employees', schema=None) as batch_op:
        batch_op.drop_index('idx_employee_user')
        batch_op.drop_index('idx_employee_team')
        batch_op.drop_index('idx_employee_manager')
        batch_op.drop_index('idx_employee_department')

    op.drop_table('hr_employees')
    with op.batch_alter_table('hr_audit_log', schema=None) as batch_op:
        batch_op.drop_index('idx_audit_object')
        batch_op.drop_index('idx_audit_company')

    op.drop_table('hr_audit_log')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_scope')

    op.drop_table('documents')
    op.drop_table('attachments')
    op.drop_table('activities')
    with op.batch_alter_table('statement_targets', schema=None) as batch_op:
        batch_op.drop_index('ix_statement_targets_target')

    op.drop_table('statement_targets')
    op.drop_table('statement_outbox')
    with op.batch_alter_table('statement_agents', schema=None) as batch_op:
        batch_op.drop_index('ix_statement_agents_key')

    op.drop_table('statement_agents')
    with op.batch_alter_table('statement_activities', schema=None) as batch_op:
        batch_op.drop_index('ix_statement_activities_key')

    op.drop_table('statement_activities')
    op.drop_table('companies')
