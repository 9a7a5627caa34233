"""The HR API's resources, one blueprint each."""

from __future__ import annotations

from hr_api.resources import integration_credentials, sync_runs  # noqa: F401  (register routes)
from hr_api.resources.analytics import blp as analytics
from hr_api.resources.employees import blp as employees
from hr_api.resources.enrollments import enrollments, progress
from hr_api.resources.integrations import blp as integrations
from hr_api.resources.oversight import audit_log, unmatched
from hr_api.resources.roles import assignments, roles

BLUEPRINTS = [
    integrations,
    enrollments,
    progress,
    analytics,
    employees,
    roles,
    assignments,
    unmatched,
    audit_log,
]
