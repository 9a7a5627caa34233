"""Test data: factory_boy factories for the models and builders for xAPI statements."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import factory
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy.orm import scoped_session, sessionmaker

from mapping.choices import (
    AuthenticationType,
    ConnectionStatus,
    DataFormat,
    EmploymentStatus,
    IntegrationMethod,
    LmsType,
    SyncDirection,
    SyncFrequency,
)
from mapping.models import Employee, LMSIntegrationConfig
from statements.models import Company

TestSession = scoped_session(sessionmaker())

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"
PASSED = "http://adlnet.gov/expapi/verbs/passed"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


class BaseFactory(SQLAlchemyModelFactory):  # type: ignore[misc]
    class Meta:
        abstract = True
        sqlalchemy_session = TestSession
        sqlalchemy_session_persistence = "flush"


class CompanyFactory(BaseFactory):
    class Meta:
        model = Company

    id = factory.LazyFunction(uuid.uuid4)
    name = factory.Sequence(lambda n: f"Company {n} {uuid.uuid4().hex[:6]}")
    home_page = factory.LazyAttribute(lambda c: f"http://lrs.test/companies/{c.id}")
    created_at = factory.LazyFunction(lambda: datetime.now(UTC))


class IntegrationFactory(BaseFactory):
    class Meta:
        model = LMSIntegrationConfig

    id = factory.LazyFunction(uuid.uuid4)
    company_id = factory.LazyFunction(lambda: CompanyFactory().id)
    created_by_user_id = factory.LazyFunction(uuid.uuid4)
    updated_by_user_id = factory.SelfAttribute("created_by_user_id")
    lms_name = "Moodle"
    lms_type = LmsType.MOODLE
    lms_code = factory.Sequence(lambda n: f"LMS{n}")
    integration_method = IntegrationMethod.XAPI
    api_endpoint_url = "https://lms.example.com"
    authentication_type = AuthenticationType.BASIC_AUTH
    authentication_config = factory.LazyFunction(dict)
    data_format = DataFormat.XAPI
    sync_frequency = SyncFrequency.REAL_TIME
    sync_direction = SyncDirection.INBOUND_ONLY
    connection_status = ConnectionStatus.CONNECTED
    supported_course_types = factory.LazyFunction(list)
    field_mappings = factory.LazyFunction(dict)
    validation_rules = factory.LazyFunction(dict)
    transformation_rules = factory.LazyFunction(dict)
    compliance_settings = factory.LazyFunction(dict)
    created_at = factory.LazyFunction(lambda: datetime.now(UTC))
    updated_at = factory.LazyFunction(lambda: datetime.now(UTC))


class EmployeeFactory(BaseFactory):
    class Meta:
        model = Employee

    id = factory.LazyFunction(uuid.uuid4)
    company_id = factory.LazyFunction(lambda: CompanyFactory().id)
    employee_number = factory.Sequence(lambda n: f"E{n:05d}")
    work_email = factory.LazyAttribute(lambda e: f"{e.employee_number.lower()}@example.com")
    name = factory.Sequence(lambda n: f"Employee {n}")
    employment_status = EmploymentStatus.ACTIVE
    updated_at = factory.LazyFunction(lambda: datetime.now(UTC))


def agent(name: str = "ann") -> dict[str, Any]:
    return {"objectType": "Agent", "name": name.title(), "mbox": f"mailto:{name}@example.com"}


def activity(slug: str = "course/safety", **definition: Any) -> dict[str, Any]:
    result: dict[str, Any] = {"objectType": "Activity", "id": f"http://example.com/{slug}"}
    if definition:
        result["definition"] = definition
    return result


def statement(
    actor: str = "ann", verb: str = COMPLETED, obj: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    """A valid statement; keyword arguments add or replace top-level properties."""
    return {
        "actor": agent(actor),
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
        "object": obj if obj is not None else activity(),
        **extra,
    }


def voiding(target_id: str, actor: str = "admin") -> dict[str, Any]:
    return statement(actor, VOIDED, {"objectType": "StatementRef", "id": target_id})
