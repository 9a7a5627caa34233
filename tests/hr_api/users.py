"""Calling the HR API as a user: the client, and roles given to users."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from hr_api.access import PERMISSIONS
from hr_api.models import LMSUserRoleAssignment
from mapping.choices import DataAccessLevel
from statements.models import Company
from tests.factories import AssignmentFactory, RoleFactory


@dataclass
class HrUser:
    """Calls the HR API as one user."""

    app: Flask
    token: str
    user_id: uuid.UUID
    company: Company

    def call(self, method: str, path: str, **kwargs: Any) -> TestResponse:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.app.test_client().open(
            f"/api/{path.lstrip('/')}", method=method, headers=headers, **kwargs
        )

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> TestResponse:
        return self.call("POST", path, json=body, **kwargs)

    def put(self, path: str, body: Any, **kwargs: Any) -> TestResponse:
        return self.call("PUT", path, json=body, **kwargs)

    def patch(self, path: str, body: Any, **kwargs: Any) -> TestResponse:
        return self.call("PATCH", path, json=body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> TestResponse:
        return self.call("DELETE", path, **kwargs)


def grant(
    session: Session,
    company: Company,
    user_id: uuid.UUID,
    permissions: tuple[str, ...] | str = (),
    level: DataAccessLevel = DataAccessLevel.ALL,
    **assignment: Any,
) -> LMSUserRoleAssignment:
    """Give a user a new role with these permissions and data-access level."""
    chosen = PERMISSIONS if permissions == "all" else permissions
    role = RoleFactory(
        company_id=company.id, data_access_level=level, **{p: p in chosen for p in PERMISSIONS}
    )
    return AssignmentFactory(company_id=company.id, user_id=user_id, role_id=role.id, **assignment)
