"""The HR API's own tables: who may do what (roles and their assignments, spec 4.1 and 4.2)
and the tamper-evident audit trail."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from mapping.choices import (
    CertificationStatus,
    ClearanceLevel,
    ComplianceTrainingStatus,
    DataAccessLevel,
    RoleType,
    choice,
)
from mapping.models import JSONType
from statements.db import Base


class LMSRolePermission(Base):
    """A role and what it may do (spec 4.1)."""

    __tablename__ = "hr_lms_role_permission"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    role_name: Mapped[str] = mapped_column(String(100))
    role_description: Mapped[str] = mapped_column(Text, default="")
    role_type: Mapped[RoleType] = mapped_column(choice(RoleType, "role_type"))
    can_manage_lms_config: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    can_manage_courses: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    can_create_content: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    can_enroll_learners: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    can_view_progress: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    can_manage_certifications: Mapped[bool] = mapped_column(
        default=False, server_default=text("false")
    )
    can_view_reports: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    can_export_data: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    can_manage_integrations: Mapped[bool] = mapped_column(
        default=False, server_default=text("false")
    )
    can_view_audit_logs: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    can_manage_compliance: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    can_approve_enrollments: Mapped[bool] = mapped_column(
        default=False, server_default=text("false")
    )
    can_manage_learning_paths: Mapped[bool] = mapped_column(
        default=False, server_default=text("false")
    )
    can_access_analytics: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    can_manage_assessments: Mapped[bool] = mapped_column(
        default=False, server_default=text("false")
    )
    data_access_level: Mapped[DataAccessLevel] = mapped_column(
        choice(DataAccessLevel, "data_access_level")
    )
    is_active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))

    __table_args__ = (UniqueConstraint("company_id", "role_name", name="uk_role_name"),)


class LMSUserRoleAssignment(Base):
    """A user's role, optionally limited to a department or team (spec 4.2)."""

    __tablename__ = "hr_lms_user_role_assignment"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID]
    role_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hr_lms_role_permission.id", ondelete="CASCADE")
    )
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    department_id: Mapped[uuid.UUID | None]
    team_id: Mapped[uuid.UUID | None]
    assigned_by_user_id: Mapped[uuid.UUID]
    assigned_date: Mapped[datetime]
    expiry_date: Mapped[date | None]
    is_active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    assignment_notes: Mapped[str] = mapped_column(Text, default="")
    security_clearance_level: Mapped[ClearanceLevel] = mapped_column(
        choice(ClearanceLevel, "security_clearance_level")
    )
    lms_training_required: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    lms_training_status: Mapped[CertificationStatus] = mapped_column(
        choice(CertificationStatus, "lms_training_status")
    )
    instructional_design_certified: Mapped[bool] = mapped_column(
        default=False, server_default=text("false")
    )
    instructional_design_status: Mapped[CertificationStatus] = mapped_column(
        choice(CertificationStatus, "instructional_design_status")
    )
    compliance_training_required: Mapped[bool] = mapped_column(
        default=False, server_default=text("false")
    )
    compliance_training_status: Mapped[ComplianceTrainingStatus] = mapped_column(
        choice(ComplianceTrainingStatus, "compliance_training_status")
    )
    content_creation_permissions: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    instructor_permissions: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    __table_args__ = (Index("idx_role_assignment_user", "company_id", "user_id"),)


class AuditEvent(Base):
    """One create, update, delete, credential or read event; rows are only ever appended.

    Each row's `hash` covers its content and the previous row's hash (per company), so a
    changed, removed or inserted row breaks the chain (`lrs audit verify`).
    """

    __tablename__ = "hr_audit_log"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    actor_user_id: Mapped[uuid.UUID | None]
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str] = mapped_column(String(100))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    request_id: Mapped[str] = mapped_column(String(64))
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("idx_audit_company", "company_id", "id"),
        Index("idx_audit_object", "company_id", "object_type", "object_id"),
    )
