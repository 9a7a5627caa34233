"""Which permission each endpoint needs: a role-by-endpoint matrix (spec 4.1 and 10.3)."""

from __future__ import annotations

import pytest

from hr_api.access import PERMISSIONS

ANY_ID = "8c1f3b2a-6d5e-4f70-9a8b-1c2d3e4f5a6b"
INTEGRATIONS = {"can_manage_integrations", "can_manage_lms_config"}
# (method, path, permissions any one of which opens it)
ENDPOINTS = [
    ("GET", "lms-integrations/", {"can_manage_integrations", "can_manage_lms_config"}),
    ("POST", "lms-integrations/", {"can_manage_integrations", "can_manage_lms_config"}),
    ("GET", f"lms-integrations/{ANY_ID}/", {"can_manage_integrations", "can_manage_lms_config"}),
    ("PUT", f"lms-integrations/{ANY_ID}/", INTEGRATIONS),
    ("PATCH", f"lms-integrations/{ANY_ID}/", INTEGRATIONS),
    ("DELETE", f"lms-integrations/{ANY_ID}/", INTEGRATIONS),
    ("POST", f"lms-integrations/{ANY_ID}/test-connection/", INTEGRATIONS),
    ("GET", f"lms-integrations/{ANY_ID}/credentials/", INTEGRATIONS),
    ("POST", f"lms-integrations/{ANY_ID}/credentials/", INTEGRATIONS),
    ("DELETE", f"lms-integrations/{ANY_ID}/credentials/any-key/", INTEGRATIONS),
    ("GET", "lms-enrollments/", {"can_view_progress"}),
    ("POST", "lms-enrollments/", {"can_enroll_learners"}),
    ("GET", f"lms-enrollments/{ANY_ID}/", {"can_view_progress"}),
    ("GET", f"lms-progress/{ANY_ID}/", {"can_view_progress"}),
    ("GET", "lms-analytics/", {"can_access_analytics", "can_view_reports"}),
    ("GET", "employees/", {"can_view_progress", "can_manage_lms_config", "can_enroll_learners"}),
    ("POST", "employees/", {"can_manage_lms_config"}),
    ("GET", "lms-roles/", {"can_manage_lms_config"}),
    ("POST", "lms-roles/", {"can_manage_lms_config"}),
    ("GET", f"lms-roles/{ANY_ID}/", {"can_manage_lms_config"}),
    ("PUT", f"lms-roles/{ANY_ID}/", {"can_manage_lms_config"}),
    ("PATCH", f"lms-roles/{ANY_ID}/", {"can_manage_lms_config"}),
    ("DELETE", f"lms-roles/{ANY_ID}/", {"can_manage_lms_config"}),
    ("GET", "lms-role-assignments/", {"can_manage_lms_config"}),
    ("GET", "lms-unmatched-learners/", {"can_manage_integrations", "can_manage_lms_config"}),
    ("GET", "audit-log/", {"can_view_audit_logs"}),
]


@pytest.mark.parametrize(("method", "path", "opening"), ENDPOINTS)
@pytest.mark.parametrize("permission", PERMISSIONS)
def test_each_permission_opens_exactly_its_endpoints(make_user, method, path, opening, permission):
    user = make_user((permission,))
    response = user.call(method, path, json={} if method in ("POST", "PUT", "PATCH") else None)
    if permission in opening:
        assert response.status_code != 403, response.json
        assert response.status_code < 500, response.json
    else:
        assert response.status_code == 403
        assert response.json["code"] == "forbidden"
