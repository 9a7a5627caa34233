"""Test data: factory_boy factories for the models and builders for xAPI statements."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import factory
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy.orm import scoped_session, sessionmaker

from hr_api.access import PERMISSIONS
from hr_api.models import LMSRolePermission, LMSUserRoleAssignment
from mapping.choices import (
    AuthenticationType,
    CertificationStatus,
    ClearanceLevel,
    ComplianceTrainingStatus,
    ConnectionStatus,
    CourseType,
    DataAccessLevel,
    DataFormat,
    EmploymentStatus,
    EnrollmentSource,
    EnrollmentStatus,
    IntegrationMethod,
    LmsType,
    RoleType,
    SyncDirection,
    SyncFrequency,
)
from mapping.models import Employee, LMSCourseEnrollment, LMSIntegrationConfig
from statements.credentials import Credential, hash_secret
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
    # The fake LMSs the provider tests poll answer at once: no need to pace requests to them.
    rate_limit_per_hour = 1_000_000
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


class CredentialFactory(BaseFactory):
    """An LRS credential; `secret` (not stored) is what a client authenticates with."""

    class Meta:
        model = Credential
        exclude = ("secret",)

    class Params:
        secret = factory.LazyFunction(lambda: uuid.uuid4().hex)
        revoked = factory.Trait(revoked_at=factory.LazyFunction(lambda: datetime.now(UTC)))

    id = factory.LazyFunction(uuid.uuid4)
    company_id = factory.LazyFunction(lambda: CompanyFactory().id)
    key = factory.LazyFunction(lambda: uuid.uuid4().hex[:20])
    secret_hash = factory.LazyAttribute(lambda c: hash_secret(c.secret))
    name = "tester"
    scopes = "all"
    integration_id = None
    created_at = factory.LazyFunction(lambda: datetime.now(UTC))
    revoked_at = None


class RoleFactory(BaseFactory):
    """A role with no permissions and all of the company's records in sight; traits grant
    every permission (`admin`) or switch it off."""

    class Meta:
        model = LMSRolePermission

    class Params:
        admin = factory.Trait(**{permission: True for permission in PERMISSIONS})
        inactive = factory.Trait(is_active=False)

    id = factory.LazyFunction(uuid.uuid4)
    company_id = factory.LazyFunction(lambda: CompanyFactory().id)
    role_name = factory.Sequence(lambda n: f"role-{n}-{uuid.uuid4().hex[:6]}")
    role_description = ""
    role_type = RoleType.HR_ADMIN
    data_access_level = DataAccessLevel.ALL
    is_active = True


class AssignmentFactory(BaseFactory):
    """A user's assignment to a role of the same company."""

    class Meta:
        model = LMSUserRoleAssignment

    class Params:
        expired = factory.Trait(expiry_date=date(2000, 1, 1))
        ended = factory.Trait(is_active=False)

    id = factory.LazyFunction(uuid.uuid4)
    user_id = factory.LazyFunction(uuid.uuid4)
    company_id = factory.LazyFunction(lambda: CompanyFactory().id)
    role_id = factory.LazyAttribute(lambda a: RoleFactory(company_id=a.company_id).id)
    assigned_by_user_id = factory.LazyFunction(uuid.uuid4)
    assigned_date = factory.LazyFunction(lambda: datetime.now(UTC))
    is_active = True
    assignment_notes = ""
    security_clearance_level = ClearanceLevel.STANDARD
    lms_training_status = CertificationStatus.NOT_REQUIRED
    instructional_design_status = CertificationStatus.NOT_REQUIRED
    compliance_training_status = ComplianceTrainingStatus.NOT_REQUIRED
    content_creation_permissions = factory.LazyFunction(dict)
    instructor_permissions = factory.LazyFunction(dict)


class EnrollmentFactory(BaseFactory):
    """An enrollment of an employee through an integration of the same company, not started;
    traits for the states HR reports count."""

    class Meta:
        model = LMSCourseEnrollment

    class Params:
        in_progress = factory.Trait(
            enrollment_status=EnrollmentStatus.IN_PROGRESS,
            start_date=factory.SelfAttribute("enrollment_date"),
            progress_percentage=Decimal("40.00"),
        )
        completed = factory.Trait(
            enrollment_status=EnrollmentStatus.COMPLETED,
            start_date=factory.SelfAttribute("enrollment_date"),
            completion_date=factory.SelfAttribute("enrollment_date"),
            progress_percentage=Decimal("100.00"),
            score_achieved=Decimal("90.00"),
            max_score=Decimal("100.00"),
            passing_score=Decimal("80.00"),
        )
        overdue_mandatory = factory.Trait(is_mandatory=True, due_date=date(2000, 1, 31))
        overdue_compliance = factory.Trait(is_compliance_training=True, due_date=date(2000, 1, 31))

    id = factory.LazyFunction(uuid.uuid4)
    company_id = factory.LazyFunction(lambda: CompanyFactory().id)
    lms_integration_id = factory.LazyAttribute(
        lambda e: IntegrationFactory(company_id=e.company_id).id
    )
    employee_id = factory.LazyAttribute(lambda e: EmployeeFactory(company_id=e.company_id).id)
    enrollment_number = factory.LazyAttribute(lambda e: f"ENR-{e.id.hex[:16].upper()}")
    course_activity_id = factory.Sequence(lambda n: f"https://lms.example.com/courses/{n}")
    course_id = factory.SelfAttribute("course_activity_id")
    course_name = "Safety"
    course_code = "safety"
    course_type = CourseType.ELEARNING
    enrollment_status = EnrollmentStatus.NOT_STARTED
    enrollment_date = date(2026, 3, 2)
    enrollment_source = EnrollmentSource.MANAGER_ASSIGNMENT
    created_by_user_id = factory.LazyFunction(uuid.uuid4)
    updated_by_user_id = factory.SelfAttribute("created_by_user_id")
    created_at = factory.LazyFunction(lambda: datetime.now(UTC))
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
