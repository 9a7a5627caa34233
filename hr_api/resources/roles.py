"""/api/lms-roles/ and /api/lms-role-assignments/: who may do what (spec 4.1, 4.2)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from hr_api.access import PERMISSIONS
from hr_api.context import audit_event, current_access, requires
from hr_api.models import LMSRolePermission, LMSUserRoleAssignment
from hr_api.pagination import NoQuery, PageQuery, page_of, paginate, where_equal
from hr_api.resources.common import owned
from hr_api.validation import TEXT_MAX, bounded_json, not_expired
from lrs.context import request_session
from mapping.choices import (
    CertificationStatus,
    ClearanceLevel,
    ComplianceTrainingStatus,
    DataAccessLevel,
    RoleType,
)
from statements.errors import Conflict

roles = Blueprint("lms-roles", __name__, description="Roles and their permissions")
assignments = Blueprint("lms-role-assignments", __name__, description="Users' role assignments")
MANAGE = ("can_manage_lms_config",)


def _role_fields() -> dict[str, fields.Field[Any]]:
    permissions: dict[str, fields.Field[Any]] = {
        permission: fields.Boolean(load_default=False) for permission in PERMISSIONS
    }
    base: dict[str, fields.Field[Any]] = {
        "id": fields.UUID(dump_only=True),
        "role_name": fields.String(required=True, validate=validate.Length(1, 100)),
        "role_description": fields.String(load_default="", validate=validate.Length(max=TEXT_MAX)),
        "role_type": fields.Enum(RoleType, by_value=True, required=True),
        "data_access_level": fields.Enum(DataAccessLevel, by_value=True, required=True),
        "is_active": fields.Boolean(load_default=True),
    }
    return base | permissions


RoleSchema = Schema.from_dict(_role_fields(), name="RoleSchema")
# The fields of a PATCH, all optional (a class of its own for the OpenAPI document).
RolePatchSchema = Schema.from_dict(_role_fields(), name="RolePatchSchema")


class AssignmentSchema(Schema):
    id = fields.UUID(dump_only=True)
    user_id = fields.UUID(required=True)
    role_id = fields.UUID(required=True)
    department_id = fields.UUID(load_default=None, allow_none=True)
    team_id = fields.UUID(load_default=None, allow_none=True)
    assigned_by_user_id = fields.UUID(dump_only=True)
    assigned_date = fields.DateTime(dump_only=True)
    expiry_date = fields.Date(load_default=None, allow_none=True, validate=not_expired)
    is_active = fields.Boolean(load_default=True)
    assignment_notes = fields.String(load_default="", validate=validate.Length(max=TEXT_MAX))
    security_clearance_level = fields.Enum(
        ClearanceLevel, by_value=True, load_default=ClearanceLevel.STANDARD
    )
    lms_training_required = fields.Boolean(load_default=False)
    lms_training_status = fields.Enum(
        CertificationStatus, by_value=True, load_default=CertificationStatus.NOT_REQUIRED
    )
    instructional_design_certified = fields.Boolean(load_default=False)
    instructional_design_status = fields.Enum(
        CertificationStatus, by_value=True, load_default=CertificationStatus.NOT_REQUIRED
    )
    compliance_training_required = fields.Boolean(load_default=False)
    compliance_training_status = fields.Enum(
        ComplianceTrainingStatus, by_value=True, load_default=ComplianceTrainingStatus.NOT_REQUIRED
    )
    content_creation_permissions = fields.Dict(load_default=dict, validate=bounded_json)
    instructor_permissions = fields.Dict(load_default=dict, validate=bounded_json)


class AssignmentPatchSchema(AssignmentSchema):
    """The fields of a PATCH, all optional."""


class AssignmentQuery(PageQuery):
    user_id = fields.UUID()
    role_id = fields.UUID()


def _role_dump(role: LMSRolePermission) -> dict[str, Any]:
    data: dict[str, Any] = RoleSchema().dump(role)
    return data


def _check_role_name(name: str, company_id: uuid.UUID, role_id: uuid.UUID | None = None) -> None:
    query = select(LMSRolePermission.id).where(
        LMSRolePermission.company_id == company_id, LMSRolePermission.role_name == name
    )
    if role_id is not None:
        query = query.where(LMSRolePermission.id != role_id)
    if request_session().scalar(query) is not None:
        raise Conflict(f"a role called {name!r} exists already; role names are unique per company")


@roles.route("/")
class Roles(MethodView):
    @roles.arguments(PageQuery, location="query")
    @roles.response(200, page_of(RoleSchema))
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The company's roles."""
        access = current_access()
        access.require(*MANAGE)
        statement = (
            select(LMSRolePermission)
            .where(LMSRolePermission.company_id == access.company_id)
            .order_by(LMSRolePermission.role_name)
        )
        return paginate(request_session(), statement, query["page"], query["page_size"])

    @requires(*MANAGE)
    @roles.arguments(RoleSchema)
    @roles.response(201, RoleSchema)
    def post(self, data: dict[str, Any]) -> LMSRolePermission:
        """Create a role."""
        access = current_access()
        _check_role_name(data["role_name"], access.company_id)
        role = LMSRolePermission(id=uuid.uuid4(), company_id=access.company_id, **data)
        session = request_session()
        session.add(role)
        session.flush()
        audit_event("create", "lms_role", role.id, after=_role_dump(role))
        session.commit()
        return role


@roles.route("/<uuid:role_id>/")
class RoleItem(MethodView):
    @roles.arguments(NoQuery, location="query")
    @roles.response(200, RoleSchema)
    def get(self, _query: dict[str, Any], role_id: uuid.UUID) -> LMSRolePermission:
        """A role."""
        access = current_access()
        access.require(*MANAGE)
        return owned(request_session(), LMSRolePermission, role_id, access, "role")

    @requires(*MANAGE)
    @roles.arguments(RoleSchema)
    @roles.response(200, RoleSchema)
    def put(self, data: dict[str, Any], role_id: uuid.UUID) -> LMSRolePermission:
        """Replace a role."""
        return _update_role(role_id, data)

    @requires(*MANAGE)
    @roles.arguments(RolePatchSchema(partial=True))
    @roles.response(200, RoleSchema)
    def patch(self, data: dict[str, Any], role_id: uuid.UUID) -> LMSRolePermission:
        """Change some fields of a role."""
        return _update_role(role_id, data)

    @requires(*MANAGE)
    @roles.response(204)
    def delete(self, role_id: uuid.UUID) -> None:
        """Deactivate a role (assignments keep their history)."""
        _update_role(role_id, {"is_active": False}, action="deactivate")


def _update_role(
    role_id: uuid.UUID, data: dict[str, Any], action: str = "update"
) -> LMSRolePermission:
    """Change a role and audit it; the calling views are decorated with @requires(*MANAGE)."""
    access = current_access()
    session = request_session()
    role = owned(session, LMSRolePermission, role_id, access, "role")
    if "role_name" in data:
        _check_role_name(data["role_name"], access.company_id, role.id)
    before = _role_dump(role)
    for name, value in data.items():
        setattr(role, name, value)
    session.flush()
    audit_event(action, "lms_role", role.id, before=before, after=_role_dump(role))
    session.commit()
    return role


@assignments.route("/")
class Assignments(MethodView):
    @assignments.arguments(AssignmentQuery, location="query")
    @assignments.response(200, page_of(AssignmentSchema))
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Role assignments."""
        access = current_access()
        access.require(*MANAGE)
        statement = select(LMSUserRoleAssignment).where(
            LMSUserRoleAssignment.company_id == access.company_id
        )
        filters = {
            "user_id": LMSUserRoleAssignment.user_id,
            "role_id": LMSUserRoleAssignment.role_id,
        }
        statement = where_equal(statement, query, filters)
        statement = statement.order_by(
            LMSUserRoleAssignment.assigned_date, LMSUserRoleAssignment.id
        )
        return paginate(request_session(), statement, query["page"], query["page_size"])

    @requires(*MANAGE)
    @assignments.arguments(AssignmentSchema)
    @assignments.response(201, AssignmentSchema)
    def post(self, data: dict[str, Any]) -> LMSUserRoleAssignment:
        """Give a user a role."""
        access = current_access()
        session = request_session()
        owned(session, LMSRolePermission, data["role_id"], access, "role")
        assignment = LMSUserRoleAssignment(
            id=uuid.uuid4(),
            company_id=access.company_id,
            assigned_by_user_id=access.user_id,
            assigned_date=datetime.now(UTC),
            **data,
        )
        session.add(assignment)
        session.flush()
        audit_event(
            "create",
            "lms_role_assignment",
            assignment.id,
            after=AssignmentSchema().dump(assignment),
        )
        session.commit()
        return assignment


@assignments.route("/<uuid:assignment_id>/")
class AssignmentItem(MethodView):
    @assignments.arguments(NoQuery, location="query")
    @assignments.response(200, AssignmentSchema)
    def get(self, _query: dict[str, Any], assignment_id: uuid.UUID) -> LMSUserRoleAssignment:
        """A role assignment."""
        access = current_access()
        access.require(*MANAGE)
        return owned(
            request_session(), LMSUserRoleAssignment, assignment_id, access, "role assignment"
        )

    @requires(*MANAGE)
    @assignments.arguments(AssignmentPatchSchema(partial=True))
    @assignments.response(200, AssignmentSchema)
    def patch(self, data: dict[str, Any], assignment_id: uuid.UUID) -> LMSUserRoleAssignment:
        """Change a role assignment (expiry, scope, status)."""
        access = current_access()
        session = request_session()
        assignment = owned(session, LMSUserRoleAssignment, assignment_id, access, "role assignment")
        if "role_id" in data:
            owned(session, LMSRolePermission, data["role_id"], access, "role")
        before = AssignmentSchema().dump(assignment)
        for name, value in data.items():
            setattr(assignment, name, value)
        session.flush()
        audit_event(
            "update",
            "lms_role_assignment",
            assignment.id,
            before=before,
            after=AssignmentSchema().dump(assignment),
        )
        session.commit()
        return assignment

    @assignments.response(204)
    def delete(self, assignment_id: uuid.UUID) -> None:
        """End a role assignment (it stays, inactive, for the record)."""
        access = current_access()
        access.require(*MANAGE)
        session = request_session()
        assignment = owned(session, LMSUserRoleAssignment, assignment_id, access, "role assignment")
        before = AssignmentSchema().dump(assignment)
        assignment.is_active = False
        session.flush()
        audit_event(
            "deactivate",
            "lms_role_assignment",
            assignment.id,
            before=before,
            after=AssignmentSchema().dump(assignment),
        )
        session.commit()
