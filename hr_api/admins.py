"""The first administrator of a company: a role granting every permission over all of the
company's records, given to a user, so that a fresh install needs no SQL to get going."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hr_api import audit
from hr_api.access import PERMISSIONS
from hr_api.models import LMSRolePermission, LMSUserRoleAssignment
from mapping.choices import (
    CertificationStatus,
    ClearanceLevel,
    ComplianceTrainingStatus,
    DataAccessLevel,
    RoleType,
)
from mapping.models import Employee
from statements.errors import BadRequest
from statements.models import Company

ADMIN_ROLE = "Administrator"


@dataclass(frozen=True, slots=True)
class Admin:
    """An administrator, and whether this call made them one."""

    user_id: uuid.UUID
    created: bool  # False when the user was an administrator already


def user_for_email(session: Session, company: Company, email: str) -> uuid.UUID:
    """The user id of the employee with this work e-mail, linked to a new one if they had
    none: the token that user presents then shows their own records."""
    found = session.scalars(
        select(Employee).where(
            Employee.company_id == company.id,
            func.lower(Employee.work_email) == email.strip().lower(),
        )
    ).all()
    if len(found) > 1:
        raise BadRequest(
            f"{len(found)} employees have the work e-mail {email}; name the user with --user"
        )
    employee = found[0] if found else None
    if employee is None:
        raise BadRequest(
            f"no employee of {company.name} has the work e-mail {email}; load the employees "
            "first (POST /api/employees/) or name the user with --user"
        )
    if employee.user_id is None:
        employee.user_id = uuid.uuid4()
        session.flush()
    return employee.user_id


def make_admin(session: Session, key: bytes, company: Company, user_id: uuid.UUID) -> Admin:
    """Give `user_id` the company's administrator role (made on first use), and audit it
    in the chain `key` seals."""
    role = session.scalar(
        select(LMSRolePermission).where(
            LMSRolePermission.company_id == company.id, LMSRolePermission.role_name == ADMIN_ROLE
        )
    )
    if role is not None and not _grants_everything(role):
        raise BadRequest(
            f"the company's role {ADMIN_ROLE!r} no longer grants every permission over all "
            "records; restore it, or make administrators through /api/lms-role-assignments/"
        )
    if role is None:
        role = LMSRolePermission(
            company_id=company.id,
            role_name=ADMIN_ROLE,
            role_description="Every permission over all of the company's records",
            role_type=RoleType.LMS_ADMIN,
            data_access_level=DataAccessLevel.ALL,
            **dict.fromkeys(PERMISSIONS, True),
        )
        session.add(role)
        session.flush()
    existing = session.scalar(
        select(LMSUserRoleAssignment.id).where(
            LMSUserRoleAssignment.company_id == company.id,
            LMSUserRoleAssignment.user_id == user_id,
            LMSUserRoleAssignment.role_id == role.id,
            LMSUserRoleAssignment.is_active.is_(True),
        )
    )
    if existing is not None:
        return Admin(user_id, created=False)
    now = datetime.now(UTC)
    assignment = LMSUserRoleAssignment(
        user_id=user_id,
        role_id=role.id,
        company_id=company.id,
        assigned_by_user_id=user_id,
        assigned_date=now,
        assignment_notes="first administrator, made with lrs admins create",
        security_clearance_level=ClearanceLevel.STANDARD,
        lms_training_status=CertificationStatus.NOT_REQUIRED,
        instructional_design_status=CertificationStatus.NOT_REQUIRED,
        compliance_training_status=ComplianceTrainingStatus.NOT_REQUIRED,
    )
    session.add(assignment)
    session.flush()
    audit.record(
        session,
        key,
        company_id=company.id,
        actor_user_id=None,
        action="create",
        object_type="lms_role_assignment",
        object_id=str(assignment.id),
        request_id="cli",
        at=now,
        after={"user_id": str(user_id), "role": ADMIN_ROLE},
    )
    return Admin(user_id, created=True)


def _grants_everything(role: LMSRolePermission) -> bool:
    return (
        role.is_active
        and role.data_access_level is DataAccessLevel.ALL
        and all(getattr(role, permission) for permission in PERMISSIONS)
    )
