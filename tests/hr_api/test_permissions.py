"""Which permission each endpoint needs: a role-by-endpoint matrix (spec 4.1 and 10.3)."""

from __future__ import annotations

import pytest

from hr_api.access import PERMISSIONS
from mapping.choices import DataAccessLevel
from statements.credentials import SCOPES
from tests.factories import AssignmentFactory, RoleFactory

ANY_ID = "8c1f3b2a-6d5e-4f70-9a8b-1c2d3e4f5a6b"
INTEGRATIONS = {"can_manage_integrations", "can_manage_lms_config"}
# (method, path, permissions any one of which opens it, what it answers then: the empty
# body of a write is refused with 422 and an unknown id is 404, past the permission check)
ENDPOINTS = [
    ("GET", "lms-integrations/", {"can_manage_integrations", "can_manage_lms_config"}, 200),
    ("POST", "lms-integrations/", {"can_manage_integrations", "can_manage_lms_config"}, 422),
    (
        "GET",
        f"lms-integrations/{ANY_ID}/",
        {"can_manage_integrations", "can_manage_lms_config"},
        404,
    ),
    ("PUT", f"lms-integrations/{ANY_ID}/", INTEGRATIONS, 422),
    ("PATCH", f"lms-integrations/{ANY_ID}/", INTEGRATIONS, 404),
    ("DELETE", f"lms-integrations/{ANY_ID}/", INTEGRATIONS, 404),
    ("POST", f"lms-integrations/{ANY_ID}/test-connection/", INTEGRATIONS, 404),
    ("POST", f"lms-integrations/{ANY_ID}/rebuild/", INTEGRATIONS, 404),
    ("GET", f"lms-integrations/{ANY_ID}/credentials/", INTEGRATIONS, 404),
    ("POST", f"lms-integrations/{ANY_ID}/credentials/", INTEGRATIONS, 422),
    ("DELETE", f"lms-integrations/{ANY_ID}/credentials/any-key/", INTEGRATIONS, 404),
    ("GET", "lms-enrollments/", {"can_view_progress"}, 200),
    ("POST", "lms-enrollments/", {"can_enroll_learners"}, 422),
    ("GET", f"lms-enrollments/{ANY_ID}/", {"can_view_progress"}, 404),
    ("GET", f"lms-progress/{ANY_ID}/", {"can_view_progress"}, 404),
    ("GET", "lms-analytics/", {"can_access_analytics", "can_view_reports"}, 200),
    (
        "GET",
        "employees/",
        {"can_view_progress", "can_manage_lms_config", "can_enroll_learners"},
        200,
    ),
    ("POST", "employees/", {"can_manage_lms_config"}, 422),
    ("GET", "lms-roles/", {"can_manage_lms_config"}, 200),
    ("POST", "lms-roles/", {"can_manage_lms_config"}, 422),
    ("GET", f"lms-roles/{ANY_ID}/", {"can_manage_lms_config"}, 404),
    ("PUT", f"lms-roles/{ANY_ID}/", {"can_manage_lms_config"}, 422),
    ("PATCH", f"lms-roles/{ANY_ID}/", {"can_manage_lms_config"}, 404),
    ("DELETE", f"lms-roles/{ANY_ID}/", {"can_manage_lms_config"}, 404),
    ("GET", "lms-role-assignments/", {"can_manage_lms_config"}, 200),
    ("GET", "lms-unmatched-learners/", {"can_manage_integrations", "can_manage_lms_config"}, 200),
    ("GET", "audit-log/", {"can_view_audit_logs"}, 200),
]


@pytest.mark.parametrize(("method", "path", "opening", "opened"), ENDPOINTS)
@pytest.mark.parametrize("permission", PERMISSIONS)
def test_each_permission_opens_exactly_its_endpoints(
    make_user, method, path, opening, opened, permission
):
    user = make_user((permission,))
    response = user.call(method, path, json={} if method in ("POST", "PUT", "PATCH") else None)
    if permission in opening:
        assert response.status_code == opened, response.json
    else:
        assert response.status_code == 403
        assert response.json["code"] == "forbidden"


ISSUERS = {
    "integrations only": (("can_manage_integrations",), DataAccessLevel.ALL),
    "with export": (
        ("can_manage_integrations", "can_export_data", "can_view_reports"),
        DataAccessLevel.ALL,
    ),
    "export of masked records": (
        ("can_manage_integrations", "can_export_data"),
        DataAccessLevel.ALL,
    ),
    "export for one department": (
        ("can_manage_integrations", "can_export_data", "can_view_reports"),
        DataAccessLevel.DEPARTMENT,
    ),
}
READING = {"statements/read", "all/read", "all", "state", "profile"}


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("issuer", ISSUERS)
def test_a_credential_reads_no_more_than_its_issuer_may_see(make_user, admin, scope, issuer):
    """Scopes that read everyone's learning records need can_export_data with company-wide
    data access; the scopes of an LMS that only sends statements need neither."""
    integration = admin.post(
        "lms-integrations/",
        {"lms_name": "Moodle", "lms_type": "moodle", "lms_code": "M", "integration_method": "xapi",
         "authentication_type": "basic_auth", "data_format": "xapi",
         "sync_frequency": "real_time", "sync_direction": "inbound_only"},
    ).json  # fmt: skip
    base = f"lms-integrations/{integration['id']}/credentials/"
    user = make_user(*ISSUERS[issuer])
    response = user.post(base, {"name": "push", "scopes": [scope]})
    allowed = scope not in READING or issuer == "with export"
    if allowed:
        assert response.status_code == 201, response.json
        assert response.json["scopes"] == [scope]
        assert [c["scopes"] for c in admin.get(base).json] == [[scope]]
    else:
        assert response.status_code == 403
        assert "can_export_data, can_view_reports with company-wide" in response.json["detail"]
        assert admin.get(base).json == []


@pytest.mark.parametrize(
    ("role", "assignment"),
    [({"inactive": True}, {}), ({}, {"expired": True}), ({}, {"ended": True})],
    ids=["inactive role", "expired assignment", "ended assignment"],
)
def test_only_active_unexpired_assignments_of_active_roles_count(
    make_user, company, role, assignment
):
    active = make_user()
    granted = RoleFactory(company_id=company.id, admin=True)
    AssignmentFactory(company_id=company.id, user_id=active.user_id, role_id=granted.id)
    assert active.get("lms-integrations/").status_code == 200  # the same grant, in force
    user = make_user()
    granted = RoleFactory(company_id=company.id, admin=True, **role)
    AssignmentFactory(company_id=company.id, user_id=user.user_id, role_id=granted.id, **assignment)
    response = user.get("lms-integrations/")
    assert response.status_code == 403
    assert response.json["code"] == "forbidden"
