"""/api/employees/: the identity map HR systems load, and read back."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from hr_api.context import audit_event, audit_read, current_access, requires
from hr_api.pagination import NoQuery, PageQuery, page_of, paginate, where_equal
from hr_api.resources.common import mask, owned, visible_employee
from hr_api.state import hr_state
from lrs.context import request_session
from mapping.choices import EmploymentStatus
from mapping.identity import EmployeeRecord, LmsAccount, upsert_employees
from mapping.models import Employee, LMSIntegrationConfig
from statements import timestamps
from statements.errors import BadRequest

blp = Blueprint("employees", __name__, description="The employee identity map")
READ = ("can_view_progress", "can_manage_lms_config", "can_enroll_learners")
WRITE = ("can_manage_lms_config",)


class AccountSchema(Schema):
    lms_integration_id = fields.UUID(required=True)
    name = fields.String(required=True, validate=validate.Length(1, 255))
    home_page = fields.String(load_default=None, validate=validate.Length(max=500))


class EmployeeInSchema(Schema):
    """One employee of a feed. Fields left out stay as they are; null clears one."""

    employee_number = fields.String(required=True, validate=validate.Length(1, 50))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    user_id = fields.UUID(allow_none=True)
    work_email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    department_id = fields.UUID(allow_none=True)
    department_name = fields.String(allow_none=True, validate=validate.Length(max=200))
    team_id = fields.UUID(allow_none=True)
    team_name = fields.String(allow_none=True, validate=validate.Length(max=200))
    manager_number = fields.String(allow_none=True, validate=validate.Length(1, 50))
    employment_status = fields.Enum(EmploymentStatus, by_value=True)
    lms_accounts = fields.List(fields.Nested(AccountSchema))


class EmployeeBatchSchema(Schema):
    employees = fields.List(
        fields.Nested(EmployeeInSchema), required=True, validate=validate.Length(1, 5000)
    )


class EmployeeSchema(Schema):
    id = fields.UUID(required=True)
    employee_number = fields.String(required=True)
    name = fields.String(required=True)
    user_id = fields.UUID(allow_none=True)
    work_email = fields.String(allow_none=True)
    department_id = fields.UUID(allow_none=True)
    department_name = fields.String()
    team_id = fields.UUID(allow_none=True)
    team_name = fields.String()
    manager_id = fields.UUID(allow_none=True)
    employment_status = fields.Enum(EmploymentStatus, by_value=True)
    masked_fields = fields.List(fields.String(), required=True)


class EmployeeQuery(PageQuery):
    department_id = fields.UUID()
    team_id = fields.UUID()


class UpsertResultSchema(Schema):
    upserted = fields.Integer(required=True)


def _dump(employee: Employee) -> dict[str, Any]:
    access = current_access()
    data = _as_dict(employee)
    own = employee.id == access.employee_id
    return mask(data, ("work_email",), own or access.can("can_manage_lms_config"))


def _as_dict(employee: Employee) -> dict[str, Any]:
    return {
        column.name: getattr(employee, column.name) for column in Employee.__table__.columns
    } | {"masked_fields": []}


@blp.route("/")
class Employees(MethodView):
    @blp.arguments(EmployeeQuery, location="query")
    @blp.response(200, page_of(EmployeeSchema))
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The employees you may see."""
        access = current_access()
        access.require(*READ)
        statement = select(Employee).where(access.visible_employees())
        filters = {"department_id": Employee.department_id, "team_id": Employee.team_id}
        statement = where_equal(statement, query, filters)
        statement = statement.order_by(Employee.employee_number, Employee.id)
        page = paginate(request_session(), statement, query["page"], query["page_size"])
        page["items"] = [_dump(e) for e in page["items"]]
        audit_read("employees", query, page["items"])
        request_session().commit()
        return page

    @requires(*WRITE)
    @blp.arguments(EmployeeBatchSchema)
    @blp.response(200, UpsertResultSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create or update employees by employee number (bulk load of the identity map)."""
        access = current_access()
        session = request_session()
        numbers = [e["employee_number"] for e in data["employees"]]
        if len(set(numbers)) != len(numbers):
            raise BadRequest("each employee_number may appear once per request")
        integrations = {
            a["lms_integration_id"] for e in data["employees"] for a in e.get("lms_accounts", [])
        }
        for integration_id in integrations:
            owned(session, LMSIntegrationConfig, integration_id, access, "LMS integration")
        records = [_record(e) for e in data["employees"]]
        before = {
            e.employee_number: _audited(e)
            for e in session.scalars(
                select(Employee).where(
                    Employee.company_id == access.company_id,
                    Employee.employee_number.in_(numbers),
                )
            )
        }
        employees = upsert_employees(session, access.company_id, records, timestamps.now())
        after = {e.employee_number: _audited(e) for e in employees}
        changes = {number: _changed(before.get(number, {}), after[number]) for number in numbers}
        audit_event(
            "upsert",
            "employees",
            f"{len(employees)} employees",
            before={n: {f: before[n][f] for f in changes[n]} for n in numbers if n in before},
            after={n: {f: after[n][f] for f in changes[n]} for n in numbers if changes[n]},
        )
        session.commit()
        return {"upserted": len(employees)}


def _record(sent: dict[str, Any]) -> EmployeeRecord:
    """What a feed sent for one employee; what it left out is UNCHANGED."""
    given = {name: sent[name] for name in _KEPT_UNLESS_SENT if name in sent}
    for name in ("department_name", "team_name"):
        if given.get(name, "") is None:
            given[name] = ""
    if "lms_accounts" in sent:
        given["accounts"] = [
            LmsAccount(a["lms_integration_id"], a["name"], a["home_page"])
            for a in sent["lms_accounts"]
        ]
    return EmployeeRecord(sent["employee_number"], sent["name"], **given)


# Personal values the audit trail keeps only as fingerprints, never as they are: whoever
# reads the trail need not see them, and erasing a person must not mean editing the chain.
_PERSONAL = ("name", "work_email", "user_id")
_AUDITED = (
    "id", "employee_number", "department_id", "department_name", "team_id", "team_name",
    "manager_id", "employment_status",
)  # fmt: skip


def _audited(employee: Employee) -> dict[str, Any]:
    """An employee as the audit trail keeps it: ids and HR structure, and a fingerprint of
    each personal value, so that a change of one still shows. The fingerprint is keyed: a
    plain hash of an e-mail address is found again by hashing guesses."""
    data = _as_dict(employee)
    kept = {name: None if data[name] is None else str(data[name]) for name in _AUDITED}
    key = hr_state().audit_key
    for name in _PERSONAL:
        value = data[name]
        kept[name] = (
            hmac.new(key, str(value).encode(), hashlib.sha256).hexdigest()[:12] if value else None
        )
    return kept


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(name for name in after if before.get(name) != after[name])


_KEPT_UNLESS_SENT = (
    "work_email", "user_id", "department_id", "department_name", "team_id", "team_name",
    "manager_number", "employment_status",
)  # fmt: skip


@blp.route("/<uuid:employee_id>/")
class EmployeeItem(MethodView):
    @blp.arguments(NoQuery, location="query")
    @blp.response(200, EmployeeSchema)
    def get(self, _query: dict[str, Any], employee_id: uuid.UUID) -> dict[str, Any]:
        """An employee you may see."""
        access = current_access()
        access.require(*READ)
        employee = _dump(visible_employee(request_session(), access, employee_id))
        audit_event("read", "employee", employee_id)
        request_session().commit()
        return employee
