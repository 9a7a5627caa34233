"""HR-side assignments recorded as statements, so the statement history stays complete and a
rebuild reproduces what HR set (due dates, mandatory and compliance flags, HR statuses)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from mapping.fold import COMPLIANCE, DUE_DATE, HR_CHANGE, HR_STATUS, MANDATORY
from mapping.identity import employees_keys
from mapping.keys import EnrollmentKey
from mapping.models import Employee, LMSIntegrationConfig
from mapping.outbox import fold_now
from mapping.providers import outbound
from mapping.vocabulary import ASSIGNED_VERB
from statements import ingest, timestamps
from statements.credentials import hr_authority
from statements.errors import BadRequest
from statements.keys import agent_key
from statements.models import Company

COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"


def learner_agent(
    session: Session, employee: Employee, integration: LMSIntegrationConfig
) -> dict[str, Any]:
    """How the employee appears to the LMS: its account there, else the work e-mail."""
    keys = employees_keys(session, employee.company_id, {(integration.id, employee.id)})
    for key in keys[(integration.id, employee.id)]:
        if key.startswith("account:"):
            home_page, _, name = key.removeprefix("account:").partition(" ")
            return {
                "objectType": "Agent",
                "name": employee.name,
                "account": {"homePage": home_page, "name": name},
            }
    if employee.work_email:
        return {
            "objectType": "Agent",
            "name": employee.name,
            "mbox": f"mailto:{employee.work_email}",
        }
    raise BadRequest(
        "the employee has neither a work e-mail nor an account on this LMS; "
        "add one through /api/employees/"
    )


def assign(
    session: Session,
    *,
    company: Company,
    employee: Employee,
    integration: LMSIntegrationConfig,
    course_activity_id: str,
    course_name: str,
    due_date: date | None,
    is_mandatory: bool,
    is_compliance_training: bool,
    hr_status: str | None = None,
    change: bool = False,
) -> uuid.UUID:
    """Record an assignment, or with `change` a change of an enrollment's HR fields, and fold
    it at once (an assignment in an LMS enrolled through its API is asked of the LMS too:
    mapping.providers.outbound); returns the enrollment id."""
    extensions: dict[str, Any] = {MANDATORY: is_mandatory, COMPLIANCE: is_compliance_training}
    if change:
        extensions[HR_CHANGE] = True
    if due_date is not None:
        extensions[DUE_DATE] = due_date.isoformat()
    if hr_status is not None:
        extensions[HR_STATUS] = hr_status
    definition: dict[str, Any] = {"type": COURSE_TYPE}
    if course_name:
        definition["name"] = {"en-US": course_name}
    statement = {
        "actor": learner_agent(session, employee, integration),
        "verb": {"id": ASSIGNED_VERB, "display": {"en-US": "assigned"}},
        "object": {"objectType": "Activity", "id": course_activity_id, "definition": definition},
        "context": {"extensions": extensions},
    }
    authority = hr_authority(company.home_page)
    ids = ingest.receive(
        session,
        company.id,
        [statement],
        authority=authority,
        authority_key=agent_key(authority) or "",
        integration_id=integration.id,
        hand_on=False,
    )
    # Folded in this transaction rather than after it commits: the caller answers with the
    # enrollment, and audits it, in the same transaction.
    fold_now(session, company.id, ids)
    enrollment_id = EnrollmentKey(company.id, integration.id, employee.id, course_activity_id).id
    if not change:
        outbound.request(
            session, integration, employee.id, course_activity_id, enrollment_id, timestamps.now()
        )
    return enrollment_id
