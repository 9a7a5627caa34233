"""What an HR API user may do and whose records they may see (spec 4.1, 4.2 and 10.3).

A user's active, unexpired role assignments decide both: the permissions are the union of
their roles' `can_*` flags; the data-access levels decide which employees' records are
visible: all of the company, a department, a team (with the user's direct reports), or only
their own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from hr_api.models import LMSRolePermission, LMSUserRoleAssignment
from hr_api.tokens import Identity
from mapping.choices import DataAccessLevel
from mapping.models import Employee
from statements.errors import Forbidden

PERMISSIONS = (
    "can_manage_lms_config",
    "can_manage_courses",
    "can_create_content",
    "can_enroll_learners",
    "can_view_progress",
    "can_manage_certifications",
    "can_view_reports",
    "can_export_data",
    "can_manage_integrations",
    "can_view_audit_logs",
    "can_manage_compliance",
    "can_approve_enrollments",
    "can_manage_learning_paths",
    "can_access_analytics",
    "can_manage_assessments",
)


@dataclass(frozen=True, slots=True)
class Access:
    """An authenticated user's permissions and visible employees."""

    user_id: uuid.UUID
    company_id: uuid.UUID
    permissions: frozenset[str]
    sees_all: bool
    employee_id: uuid.UUID | None  # the user's own employee record, when there is one
    departments: frozenset[uuid.UUID]
    teams: frozenset[uuid.UUID]
    sees_reports: bool  # a team-level role also covers the user's direct reports

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def require(self, *permissions: str) -> None:
        """403 unless the user holds one of `permissions`."""
        if not any(self.can(p) for p in permissions):
            wanted = " or ".join(permissions)
            raise Forbidden(
                f"your roles do not grant {wanted}; ask an administrator of your company "
                "(the first is made with lrs admins create)"
            )

    def visible_employees(self) -> ColumnElement[bool]:
        """A condition on Employee: the employees whose records this user may see."""
        if self.sees_all:
            return Employee.company_id == self.company_id
        conditions: list[ColumnElement[bool]] = []
        if self.departments:
            conditions.append(Employee.department_id.in_(self.departments))
        if self.teams:
            conditions.append(Employee.team_id.in_(self.teams))
        if self.employee_id is not None:
            conditions.append(Employee.id == self.employee_id)
            if self.sees_reports:
                conditions.append(Employee.manager_id == self.employee_id)
        if not conditions:
            return false()
        return (Employee.company_id == self.company_id) & or_(*conditions)

    def visible_records(
        self,
        company_id: InstrumentedAttribute[uuid.UUID],
        employee_id: InstrumentedAttribute[uuid.UUID],
    ) -> ColumnElement[bool]:
        """A condition on learning records (enrollments, lessons): those of the employees
        this user may see. Seeing the whole company needs no look at the employees, which
        keeps company-wide lists and analytics on the records' own indexes."""
        same_company = company_id == self.company_id
        if self.sees_all:
            return same_company
        visible = select(Employee.id).where(self.visible_employees())
        return same_company & employee_id.in_(visible)


def load_access(session: Session, identity: Identity, today: date) -> Access:
    """The access of a token's user, from their role assignments."""
    own = session.execute(
        select(Employee.id, Employee.department_id, Employee.team_id).where(
            Employee.company_id == identity.company_id, Employee.user_id == identity.user_id
        )
    ).first()
    employee_id, own_department, own_team = own if own else (None, None, None)
    rows = session.execute(
        select(
            LMSRolePermission, LMSUserRoleAssignment.department_id, LMSUserRoleAssignment.team_id
        )
        .join(LMSUserRoleAssignment, LMSUserRoleAssignment.role_id == LMSRolePermission.id)
        .where(
            LMSUserRoleAssignment.company_id == identity.company_id,
            LMSUserRoleAssignment.user_id == identity.user_id,
            LMSUserRoleAssignment.is_active.is_(True),
            LMSRolePermission.is_active.is_(True),
            LMSRolePermission.company_id == identity.company_id,
            (LMSUserRoleAssignment.expiry_date.is_(None))
            | (LMSUserRoleAssignment.expiry_date >= today),
        )
    ).all()
    permissions: set[str] = set()
    departments: set[uuid.UUID] = set()
    teams: set[uuid.UUID] = set()
    sees_all = sees_reports = sees_own = False
    for role, department_id, team_id in rows:
        permissions |= {p for p in PERMISSIONS if getattr(role, p)}
        level = role.data_access_level
        sees_own = sees_own or level is not DataAccessLevel.NONE
        if level is DataAccessLevel.ALL:
            sees_all = True
        elif level is DataAccessLevel.DEPARTMENT:
            department: uuid.UUID | None = department_id or own_department
            if department is not None:
                departments.add(department)
        elif level is DataAccessLevel.TEAM:
            sees_reports = True
            team: uuid.UUID | None = team_id or own_team
            if team is not None:
                teams.add(team)
    return Access(
        user_id=identity.user_id,
        company_id=identity.company_id,
        permissions=frozenset(permissions),
        sees_all=sees_all,
        employee_id=employee_id if sees_own else None,
        departments=frozenset(departments),
        teams=frozenset(teams),
        sees_reports=sees_reports,
    )
