"""HR API fixtures: users with role assignments and bearer tokens."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from config import Settings
from hr_api.tokens import development_token
from mapping.choices import (
    DataAccessLevel,
)
from statements.models import Company
from tests.factories import CompanyFactory
from tests.hr_api.users import HrUser, grant


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
