"""HR API fixtures: users with role assignments and bearer tokens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from config import Settings
from hr_api.access import PERMISSIONS
from hr_api.models import LMSUserRoleAssignment
from hr_api.tokens import development_token
from mapping.choices import (
    DataAccessLevel,
)
from statements.models import Company
from tests.factories import AssignmentFactory, CompanyFactory, RoleFactory


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


@pytest.fixture
def company(db_session: Session) -> Company:
    return CompanyFactory()


@pytest.fixture
def make_user(app: Flask, db_session: Session, settings: Settings, company: Company):
    """make_user(permissions, level, company=..., user_id=..., **assignment) -> HrUser."""

    def make(
        permissions: tuple[str, ...] | str = (),
        level: DataAccessLevel = DataAccessLevel.ALL,
        *,
        in_company: Company | None = None,
        user_id: uuid.UUID | None = None,
        **assignment: Any,
    ) -> HrUser:
        target = in_company or company
        user_id = user_id or uuid.uuid4()
        if permissions or level is not DataAccessLevel.ALL:
            grant(db_session, target, user_id, permissions, level, **assignment)
        token = development_token(settings, user_id, target.id)
        return HrUser(app, token, user_id, target)

    return make


@pytest.fixture
def admin(make_user) -> HrUser:
    """A user holding every permission with access to all of the company's records."""
    return make_user("all")
