"""The HR learning-record models of the module specification (section 3), plus the
employee identity map and the tables that make every HR figure traceable to statements.

Table names, fields, choices, defaults and indexes follow the specification. Two deliberate
differences: `lms_code` (and, in hr_api.models, `role_name`) are unique per company rather
than globally (the service is multi-tenant, and section 6.1 says "unique within company"), and
enrollments and lessons carry the xAPI activity IRI they were folded from next to the
specification's short `course_id` / `lesson_id`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from mapping.choices import (
    AuthenticationType,
    ConnectionStatus,
    CourseType,
    DataFormat,
    EmploymentStatus,
    EnrollmentSource,
    EnrollmentStatus,
    IntegrationMethod,
    LessonType,
    LmsType,
    OutboundStatus,
    ProgressStatus,
    SyncDirection,
    SyncFrequency,
    SyncRunStatus,
    choice,
)
from statements.db import Base

JSONType = JSON().with_variant(JSONB(), "postgresql")


class LMSIntegrationConfig(Base):
    """Configuration for an external LMS platform integration (spec 3.1)."""

    __tablename__ = "hr_lms_integration_config"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    created_by_user_id: Mapped[uuid.UUID]
    updated_by_user_id: Mapped[uuid.UUID]
    lms_name: Mapped[str] = mapped_column(String(200))
    lms_type: Mapped[LmsType] = mapped_column(choice(LmsType, "lms_type"))
    lms_code: Mapped[str] = mapped_column(String(50))
    integration_method: Mapped[IntegrationMethod] = mapped_column(
        choice(IntegrationMethod, "integration_method")
    )
    api_endpoint_url: Mapped[str] = mapped_column(String(500), default="")
    api_version: Mapped[str] = mapped_column(String(20), default="v1", server_default="v1")
    authentication_type: Mapped[AuthenticationType] = mapped_column(
        choice(AuthenticationType, "authentication_type")
    )
    # Encrypted at rest (hr_api owns the key); never returned over the API.
    authentication_config: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    data_format: Mapped[DataFormat] = mapped_column(choice(DataFormat, "data_format"))
    sync_frequency: Mapped[SyncFrequency] = mapped_column(choice(SyncFrequency, "sync_frequency"))
    sync_direction: Mapped[SyncDirection] = mapped_column(choice(SyncDirection, "sync_direction"))
    is_primary_lms: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    connection_status: Mapped[ConnectionStatus] = mapped_column(
        choice(ConnectionStatus, "connection_status")
    )
    last_sync_at: Mapped[datetime | None]
    last_successful_sync_at: Mapped[datetime | None]
    error_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    max_retry_attempts: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    timeout_seconds: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    rate_limit_per_hour: Mapped[int] = mapped_column(Integer, default=1000, server_default="1000")
    supported_course_types: Mapped[list[str]] = mapped_column(JSONType, default=list)
    field_mappings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    validation_rules: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    transformation_rules: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    compliance_settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Set when a change of field_mappings or transformation_rules left records folded under
    # the old rules; cleared by the rebuild that refolds them.
    rebuild_pending_since: Mapped[datetime | None]

    __table_args__ = (
        Index("idx_lms_type", "company_id", "lms_type"),
        Index("idx_lms_active", "company_id", "is_active"),
        Index("idx_lms_status", "company_id", "connection_status"),
        UniqueConstraint("company_id", "lms_code", name="uk_lms_code"),
    )

    @property
    def rebuild_pending(self) -> bool:
        """Whether records folded under earlier reading rules wait to be refolded."""
        return self.rebuild_pending_since is not None

    @property
    def has_authentication_config(self) -> bool:
        """Whether secrets are configured: the API shows this, never the secrets themselves."""
        return bool(self.authentication_config)


class LMSCourseEnrollment(Base):
    """An employee's enrollment in a course (spec 3.2), folded from statements."""

    __tablename__ = "hr_lms_course_enrollment"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    lms_integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hr_lms_integration_config.id", ondelete="CASCADE")
    )
    employee_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hr_employees.id", ondelete="CASCADE")
    )
    enrollment_number: Mapped[str] = mapped_column(String(50), unique=True)
    course_id: Mapped[str] = mapped_column(String(100))
    # The xAPI activity IRI of the course; course_id is its short form.
    course_activity_id: Mapped[str] = mapped_column(Text)
    course_name: Mapped[str] = mapped_column(String(200))
    course_code: Mapped[str] = mapped_column(String(50))
    course_type: Mapped[CourseType] = mapped_column(choice(CourseType, "course_type"))
    enrollment_status: Mapped[EnrollmentStatus] = mapped_column(
        choice(EnrollmentStatus, "enrollment_status")
    )
    enrollment_date: Mapped[date]
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    completion_date: Mapped[date | None]
    due_date: Mapped[date | None]
    progress_percentage: Mapped[Decimal] = mapped_column(
        Numeric(5, 2), default=Decimal("0.00"), server_default="0"
    )
    time_spent_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    score_achieved: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    max_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    passing_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    grade_achieved: Mapped[str] = mapped_column(String(10), default="")
    instructor_id: Mapped[str] = mapped_column(String(100), default="")
    instructor_name: Mapped[str] = mapped_column(String(200), default="")
    completion_certificate_url: Mapped[str] = mapped_column(String(500), default="")
    credits_earned: Mapped[Decimal] = mapped_column(
        Numeric(8, 2), default=Decimal("0.00"), server_default="0"
    )
    cost_amount: Mapped[Decimal] = mapped_column(
        Numeric(10, 2), default=Decimal("0.00"), server_default="0"
    )
    currency_code: Mapped[str] = mapped_column(String(10), default="USD", server_default="USD")
    is_mandatory: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    is_compliance_training: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    auto_enrollment: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    enrollment_source: Mapped[EnrollmentSource] = mapped_column(
        choice(EnrollmentSource, "enrollment_source")
    )
    learning_path_id: Mapped[str] = mapped_column(String(100), default="")
    prerequisite_courses: Mapped[list[str]] = mapped_column(JSONType, default=list)
    next_courses: Mapped[list[str]] = mapped_column(JSONType, default=list)
    last_access_date: Mapped[datetime | None]
    total_access_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Why a waived enrollment counts as complete (cmi5 "waived" reason).
    waiver_reason: Mapped[str] = mapped_column(Text, default="")
    created_by_user_id: Mapped[uuid.UUID]
    updated_by_user_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        Index("idx_enrollment_lms", "company_id", "lms_integration_id"),
        Index("idx_enrollment_employee", "company_id", "employee_id"),
        Index("idx_enrollment_course", "company_id", "course_id"),
        # The usual HR filters (status, mandatory, compliance) are counted from the index alone,
        # and with the id the newest-first list pages straight off idx_enrollment_date.
        Index(
            "idx_enrollment_status",
            "company_id",
            "enrollment_status",
            "is_mandatory",
            "is_compliance_training",
        ),
        Index("idx_enrollment_date", "company_id", "enrollment_date", "id"),
        UniqueConstraint("company_id", "enrollment_number", name="uk_enrollment_number"),
        # One enrollment per employee, course and integration: what folding recomputes.
        UniqueConstraint(
            "company_id",
            "lms_integration_id",
            "employee_id",
            "course_id",
            name="uk_enrollment_course",
        ),
        CheckConstraint(
            "progress_percentage >= 0 AND progress_percentage <= 100", name="progress_range"
        ),
    )


class LMSLearningProgress(Base):
    """Progress on one lesson (an activity below a course) of an enrollment (spec 3.3)."""

    __tablename__ = "hr_lms_learning_progress"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    lms_integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hr_lms_integration_config.id", ondelete="CASCADE")
    )
    enrollment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hr_lms_course_enrollment.id", ondelete="CASCADE")
    )
    employee_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hr_employees.id", ondelete="CASCADE")
    )
    course_id: Mapped[str] = mapped_column(String(100))
    lesson_id: Mapped[str] = mapped_column(String(100), default="")
    lesson_activity_id: Mapped[str] = mapped_column(Text)
    lesson_name: Mapped[str] = mapped_column(String(200), default="")
    lesson_type: Mapped[LessonType] = mapped_column(choice(LessonType, "lesson_type"))
    progress_status: Mapped[ProgressStatus] = mapped_column(
        choice(ProgressStatus, "progress_status")
    )
    completion_date: Mapped[datetime | None]
    time_spent_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    first_access_date: Mapped[datetime | None]
    last_access_date: Mapped[datetime | None]
    score_achieved: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    max_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    attempts_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    completion_percentage: Mapped[Decimal] = mapped_column(
        Numeric(5, 2), default=Decimal("0.00"), server_default="0"
    )
    bookmark_data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    interaction_data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    assessment_results: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    feedback_data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    next_lesson_id: Mapped[str] = mapped_column(String(100), default="")
    prerequisites_completed: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    is_mandatory_lesson: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        Index("idx_progress_lms", "company_id", "lms_integration_id"),
        Index("idx_progress_enrollment", "company_id", "enrollment_id"),
        Index("idx_progress_employee", "company_id", "employee_id"),
        Index("idx_progress_course", "company_id", "course_id"),
        Index("idx_progress_status", "company_id", "progress_status"),
        UniqueConstraint("enrollment_id", "lesson_activity_id", name="uk_progress_lesson"),
        CheckConstraint(
            "completion_percentage >= 0 AND completion_percentage <= 100", name="completion_range"
        ),
    )


class Employee(Base):
    """An employee of the identity map: who a learner is in HR terms."""

    __tablename__ = "hr_employees"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    employee_number: Mapped[str] = mapped_column(String(50))
    # The person's user id in the sign-in system (the `sub` of their HR API tokens).
    user_id: Mapped[uuid.UUID | None]
    work_email: Mapped[str | None] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[uuid.UUID | None]
    department_name: Mapped[str] = mapped_column(String(200), default="")
    team_id: Mapped[uuid.UUID | None]
    team_name: Mapped[str] = mapped_column(String(200), default="")
    manager_id: Mapped[uuid.UUID | None]
    employment_status: Mapped[EmploymentStatus] = mapped_column(
        choice(EmploymentStatus, "employment_status")
    )
    updated_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("company_id", "employee_number", name="uk_employee_number"),
        Index("idx_employee_department", "company_id", "department_id"),
        Index("idx_employee_team", "company_id", "team_id"),
        Index("idx_employee_manager", "company_id", "manager_id"),
        Index("idx_employee_user", "company_id", "user_id"),
    )


class EmployeeIdentity(Base):
    """One way an employee appears in statements: an xAPI agent key (statements.keys) such as
    their e-mail, its SHA-1, or an account on an LMS. `lms_integration_id` is None for keys
    that identify the employee whatever the source (their work e-mail)."""

    __tablename__ = "hr_employee_identities"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    employee_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hr_employees.id", ondelete="CASCADE")
    )
    lms_integration_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("hr_lms_integration_config.id", ondelete="CASCADE")
    )
    agent_key: Mapped[str] = mapped_column(String(255))
    # What the key was made from, for people reading the map: "email", "lms_user_id", ...
    source: Mapped[str] = mapped_column(String(30))

    __table_args__ = (
        Index("idx_identity_key", "company_id", "agent_key"),
        Index("idx_identity_employee", "company_id", "employee_id"),
    )


class RecordEvidence(Base):
    """A statement an enrollment or lesson-progress row was folded from: the trail an auditor
    follows from any HR figure back to the raw learning records."""

    __tablename__ = "hr_lms_record_evidence"

    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    # An LMSCourseEnrollment or LMSLearningProgress id.
    record_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    statement_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    enrollment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hr_lms_course_enrollment.id", ondelete="CASCADE")
    )

    __table_args__ = (
        Index("idx_evidence_statement", "company_id", "statement_id"),
        Index("idx_evidence_enrollment", "enrollment_id"),
    )


class DataQualityFinding(Base):
    """A business rule (spec section 6) that incoming learning data broke: recorded on the
    record it concerns, with the statement that broke it, instead of dropping anything."""

    __tablename__ = "hr_lms_data_quality_findings"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    enrollment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hr_lms_course_enrollment.id", ondelete="CASCADE")
    )
    record_id: Mapped[uuid.UUID]
    rule: Mapped[str] = mapped_column(String(50))
    message: Mapped[str] = mapped_column(Text)
    statement_id: Mapped[uuid.UUID | None]
    found_at: Mapped[datetime]

    __table_args__ = (Index("idx_finding_enrollment", "company_id", "enrollment_id"),)


class UnmatchedStatement(Base):
    """A stored statement whose actor the identity map does not (yet) know."""

    __tablename__ = "hr_lms_unmatched_statements"

    company_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    statement_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    lms_integration_id: Mapped[uuid.UUID | None]
    agent_key: Mapped[str] = mapped_column(String(255))
    # The actor as the statement gave it, for people matching learners by hand.
    agent: Mapped[dict[str, Any]] = mapped_column(JSONType)
    stored: Mapped[datetime]

    __table_args__ = (Index("idx_unmatched_key", "company_id", "agent_key"),)


class SyncRun(Base):
    """One poll of an API integration's LMS: what it read, stored and skipped, and how far it
    got (its watermark)."""

    __tablename__ = "hr_lms_sync_runs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    lms_integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hr_lms_integration_config.id", ondelete="CASCADE")
    )
    status: Mapped[SyncRunStatus] = mapped_column(choice(SyncRunStatus, "sync_run_status"))
    # Who asked for it; None for the scheduler's runs.
    requested_by_user_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    pages_read: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    records_read: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    statements_stored: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    duplicates_skipped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[str] = mapped_column(Text, default="", server_default="")
    watermark: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    __table_args__ = (
        Index("idx_sync_runs_integration", "lms_integration_id", "created_at"),
        Index("idx_sync_runs_status", "status", "created_at"),
    )


class RateBucket(Base):
    """An integration's allowance of LMS requests (`rate_limit_per_hour`), shared by every
    process that polls it: a token bucket, refilled with time, one token a request."""

    __tablename__ = "hr_lms_rate_buckets"

    lms_integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hr_lms_integration_config.id", ondelete="CASCADE"), primary_key=True
    )
    tokens: Mapped[float]
    updated_at: Mapped[datetime]


class PolledEnrolment(Base):
    """A learner's enrolment in a course as an API integration's polls last found it: the
    fingerprint of the statements it came to, so that a poll passes over what has not
    changed, and the actor, course and context they shared, so that an enrolment the LMS no
    longer lists can be recorded as left (and one that comes back as registered again)."""

    __tablename__ = "hr_lms_polled_enrolments"

    lms_integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hr_lms_integration_config.id", ondelete="CASCADE"), primary_key=True
    )
    registration: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    # The actor, object (the course) and context of the enrolment's statements.
    template: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # The statement that recorded it left, while the LMS no longer lists it.
    left_statement_id: Mapped[uuid.UUID | None]
    # The last poll that found it.
    seen_run_id: Mapped[uuid.UUID | None]
    updated_at: Mapped[datetime]


class OutboundEnrolment(Base):
    """An enrolment of an employee in a course of an API integration's LMS, asked for by an
    assignment on the HR side (`sync_direction` bidirectional or outbound_only) and made
    through the LMS's API by the scheduler: one per employee and course, so that assigning
    twice enrols once, and retried while the LMS or the identity map is not ready."""

    __tablename__ = "hr_lms_outbound_enrolments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    lms_integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hr_lms_integration_config.id", ondelete="CASCADE")
    )
    employee_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hr_employees.id", ondelete="CASCADE")
    )
    course_activity_id: Mapped[str] = mapped_column(String(2000))
    # The HR enrollment it came of (mapping.keys.EnrollmentKey: rebuilt with the same id).
    enrollment_id: Mapped[uuid.UUID]
    status: Mapped[OutboundStatus] = mapped_column(choice(OutboundStatus, "outbound_status"))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # What the LMS said, or what the enrolment waits for.
    message: Mapped[str] = mapped_column(Text, default="", server_default="")
    next_attempt_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        Index("idx_outbound_enrollment", "enrollment_id", unique=True),
        Index("idx_outbound_due", "status", "next_attempt_at"),
    )


class LtiPlatform(Base):
    """An LMS that launches the LTI tool: an integration whose `integration_method` is lti,
    found by its issuer and client id when it launches (which carry no company). Its
    `authentication_config` holds the same, sealed; this is the part a launch may read."""

    __tablename__ = "hr_lti_platforms"

    lms_integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hr_lms_integration_config.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    deployment_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    auth_login_url: Mapped[str] = mapped_column(String(2000))
    auth_token_url: Mapped[str] = mapped_column(String(2000))
    key_set_url: Mapped[str] = mapped_column(String(2000))
    # The token endpoint's audience, where it is not the token URL.
    audience: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # The platform's JWKS as last fetched, so that its keys are found by `kid`.
    key_set: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    __table_args__ = (UniqueConstraint("issuer", "client_id", name="uq_lti_platform_client"),)


class LtiToolKey(Base):
    """One of the tool's RSA key pairs: the newest signs, and every one not retired is
    published at /lti/jwks so that what the previous one signed still verifies."""

    __tablename__ = "hr_lti_tool_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # The private key's PEM, sealed like integrations' secrets (mapping.secrets).
    private_key: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]


class LtiLogin(Base):
    """An OIDC login the tool began for a platform: the state it bound to the browser and
    the nonce the launch's id_token must carry, each good for one launch."""

    __tablename__ = "hr_lti_logins"

    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    lms_integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hr_lms_integration_config.id", ondelete="CASCADE")
    )
    target_link_uri: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # A deep linking request's settings and deployment, kept until the instructor answers.
    deep_linking: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    answered_at: Mapped[datetime | None]

    __table_args__ = (Index("idx_lti_logins_created", "created_at"),)


class LtiGradeLink(Base):
    """Where a learner's result in a course goes back to an LMS: the line item of a resource
    link they launched (LTI Assignment and Grade Services), and what was last sent there, so
    that a completion or a new score is sent once."""

    __tablename__ = "hr_lti_grade_links"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    lms_integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hr_lms_integration_config.id", ondelete="CASCADE")
    )
    # The HR enrollment (mapping.keys.EnrollmentKey: rebuilt with the same id).
    enrollment_id: Mapped[uuid.UUID]
    platform_user_id: Mapped[str] = mapped_column(String(255))  # the launch's `sub`
    # The line item; empty until the tool makes one in `lineitems` (the launch gave none).
    lineitem: Mapped[str] = mapped_column(String(2000))
    lineitems: Mapped[str] = mapped_column(String(2000), default="", server_default="")
    resource_link_id: Mapped[str] = mapped_column(String(255), default="", server_default="")
    scopes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # The enrollment's result as last sent ("completed|85.00|100.00"); empty before.
    sent: Mapped[str] = mapped_column(String(100), default="", server_default="")
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    message: Mapped[str] = mapped_column(Text, default="", server_default="")
    next_attempt_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("enrollment_id", "lineitem", name="uq_lti_grade_link"),
        Index("idx_lti_grade_links_due", "next_attempt_at"),
    )


class LtiRoster(Base):
    """An LMS course's membership the tool may read (LTI Names and Role Provisioning), from
    an instructor's launch: read then and daily, so HR sees who is enrolled before anyone
    opens the content."""

    __tablename__ = "hr_lti_rosters"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    lms_integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hr_lms_integration_config.id", ondelete="CASCADE")
    )
    memberships_url: Mapped[str] = mapped_column(String(2000))
    # The course as the launch's statements name it (lrs.lti.events.course_of).
    course: Mapped[dict[str, Any]] = mapped_column(JSONType)
    next_read_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    message: Mapped[str] = mapped_column(Text, default="", server_default="")

    __table_args__ = (
        UniqueConstraint("lms_integration_id", "memberships_url", name="uq_lti_roster"),
    )
