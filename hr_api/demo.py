"""`lrs demo load`: a demo company with an administrator, an LMS integration, employees and a
few weeks of their learning, so that a new user sees real records in minutes.

Everything goes the way production data goes: employees through the identity map, learning
as statements through the ingest entry point, an HR assignment as an HR statement, all
folded into HR records. The story is told relative to the day the demo company was made,
and statement ids follow from its place in the story, so loading twice stores nothing twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hr_api.admins import make_admin
from hr_api.assignments import assign
from mapping.choices import (
    AuthenticationType,
    ConnectionStatus,
    DataFormat,
    IntegrationMethod,
    LmsType,
    SyncDirection,
    SyncFrequency,
)
from mapping.identity import EmployeeRecord, upsert_employees
from mapping.keys import EnrollmentKey
from mapping.models import LMSCourseEnrollment, LMSIntegrationConfig
from mapping.outbox import fold_now
from statements import ingest
from statements.credentials import (
    CredentialInfo,
    create_credential,
    get_or_create_company,
    list_credentials,
)
from statements.keys import agent_key

COMPANY = "Demo Company"
ADL = "http://adlnet.gov/expapi/verbs/"
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
MODULE_TYPE = "http://adlnet.gov/expapi/activities/module"
SALES, SUPPORT = uuid.UUID(int=101), uuid.UUID(int=102)
# (number, name, e-mail, department, department name, manager)
PEOPLE = [
    ("D001", "Alex Admin", "alex@demo.example.com", SALES, "Sales", None),
    ("D002", "Mia Manager", "mia@demo.example.com", SALES, "Sales", None),
    ("D003", "Ann Learner", "ann@demo.example.com", SALES, "Sales", "D002"),
    ("D004", "Bob Learner", "bob@demo.example.com", SALES, "Sales", "D002"),
    ("D005", "Cy Support", "cy@demo.example.com", SUPPORT, "Support", None),
]
COURSES = {
    "safety": ("https://moodle.demo.example.com/course/view.php?id=101", "Workplace Safety"),
    "ethics": ("https://moodle.demo.example.com/course/view.php?id=102", "Code of Ethics"),
    "privacy": ("https://moodle.demo.example.com/course/view.php?id=103", "Data Privacy"),
}
_IDS = uuid.UUID("3b0e7c9a-5d21-4f8e-b6a4-2c9d1e0f7a53")


@dataclass(frozen=True, slots=True)
class DemoLoaded:
    """What the demo consists of, for the command to print."""

    company_id: uuid.UUID
    admin_user_id: uuid.UUID
    credential: CredentialInfo
    secret: str | None  # only when the credential was made by this load
    statements: int


def load_demo(session: Session, key: bytes, base_url: str, today: datetime) -> DemoLoaded:
    """Create (once) the demo company and its data; return what was loaded."""
    company = get_or_create_company(session, COMPANY, base_url)
    integration = session.scalar(
        select(LMSIntegrationConfig).where(
            LMSIntegrationConfig.company_id == company.id, LMSIntegrationConfig.lms_code == "DEMO"
        )
    )
    if integration is None:
        integration = _integration(company.id, today)
        session.add(integration)
        session.flush()
    records = [
        EmployeeRecord(number, name, email, department_id=department,
                       department_name=department_name, manager_number=manager,
                       user_id=uuid.uuid5(_IDS, number))
        for number, name, email, department, department_name, manager in PEOPLE
    ]  # fmt: skip
    employees = upsert_employees(session, company.id, records, today)
    admin = make_admin(session, key, company, uuid.uuid5(_IDS, "D001"))
    active = [
        c for c in list_credentials(session, integration_id=integration.id) if not c.revoked_at
    ]
    secret = None
    if active:
        credential = active[0]
    else:
        issued = create_credential(session, company, "Demo Moodle", integration_id=integration.id)
        credential, secret = issued.info, issued.secret
    authority = {
        "objectType": "Agent",
        "name": credential.name,
        "account": {"homePage": company.home_page, "name": credential.key},
    }
    anchor = company.created_at
    statements = _learning(anchor)
    ids = ingest.receive(
        session,
        company.id,
        statements,
        authority=authority,
        authority_key=agent_key(authority) or "",
        integration_id=integration.id,
        hand_on=False,
    )
    fold_now(session, company.id, ids)
    cy = next(e for e in employees if e.employee_number == "D005")
    url, name = COURSES["privacy"]
    privacy = EnrollmentKey(company.id, integration.id, cy.id, url)
    if session.get(LMSCourseEnrollment, privacy.id) is None:
        assign(
            session,
            company=company,
            employee=cy,
            integration=integration,
            course_activity_id=url,
            course_name=name,
            due_date=(anchor - timedelta(days=3)).date(),
            is_mandatory=True,
            is_compliance_training=True,
        )
    return DemoLoaded(company.id, admin.user_id, credential, secret, len(statements))


def _integration(company_id: uuid.UUID, today: datetime) -> LMSIntegrationConfig:
    return LMSIntegrationConfig(
        company_id=company_id,
        created_by_user_id=uuid.uuid5(_IDS, "D001"),
        updated_by_user_id=uuid.uuid5(_IDS, "D001"),
        lms_name="Demo Moodle",
        lms_type=LmsType.MOODLE,
        lms_code="DEMO",
        integration_method=IntegrationMethod.XAPI,
        api_endpoint_url="https://moodle.demo.example.com",
        authentication_type=AuthenticationType.BASIC_AUTH,
        data_format=DataFormat.XAPI,
        sync_frequency=SyncFrequency.REAL_TIME,
        sync_direction=SyncDirection.INBOUND_ONLY,
        connection_status=ConnectionStatus.CONNECTED,
        transformation_rules={"passing_score": 70},
        created_at=today,
        updated_at=today,
    )


def _learning(anchor: datetime) -> list[dict[str, Any]]:
    """The three weeks before `anchor`: Ann completes and passes safety and is half-way
    through ethics, Bob fails safety, Mia passes ethics."""
    story = [
        ("ann", "safety", ["launched", "progressed", "completed", "passed"], 0.92, 20),
        ("ann", "ethics", ["launched", "progressed"], None, 6),
        ("bob", "safety", ["launched", "failed"], 0.55, 15),
        ("mia", "ethics", ["launched", "completed", "passed"], 0.81, 9),
    ]
    names = {email.split("@")[0]: name for _n, name, email, *_rest in PEOPLE}
    statements = []
    for who, course, verbs, scaled, days_ago in story:
        url, title = COURSES[course]
        start = anchor.replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=days_ago)
        for step, verb in enumerate(verbs):
            statement: dict[str, Any] = {
                "id": str(uuid.uuid5(_IDS, f"{who}/{course}/{step}/{verb}")),
                "actor": {"objectType": "Agent", "name": names[who],
                          "mbox": f"mailto:{who}@demo.example.com"},
                "verb": {"id": ADL + verb, "display": {"en-US": verb}},
                "object": {"objectType": "Activity", "id": url,
                           "definition": {"type": COURSE_TYPE, "name": {"en-US": title}}},
                "timestamp": (start + timedelta(minutes=25 * step)).isoformat(),
            }  # fmt: skip
            if verb in ("passed", "failed") and scaled is not None:
                statement["result"] = {
                    "score": {"scaled": scaled},
                    "success": verb == "passed",
                    "duration": "PT45M",
                }
            if verb == "progressed":
                statement["result"] = {
                    "extensions": {"https://w3id.org/xapi/cmi5/result/extensions/progress": 50}
                }
            statements.append(statement)
    return statements
