"""What a learner's launch of a resource link records: a `launched` statement stored through
the one ingest path, under the platform's integration, so the mapping layer makes or updates
the learner's enrollment in the LMS course the link sits in."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from lrs.lti.deep_linking import COURSE_PARAMETER
from lrs.lti.launch import Launch
from mapping.identity import email_keys, find_employees
from mapping.integration_ingest import store_new
from mapping.keys import EnrollmentKey
from mapping.lti_grades import ENDPOINT, remember
from mapping.models import LMSCourseEnrollment, LMSIntegrationConfig
from mapping.outbox import fold_now
from statements.keys import agent_key
from statements.models import Company
from statements.timestamps import now

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:x-hr-lrs:lti")
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
LINK_TYPE = "http://adlnet.gov/expapi/activities/link"
INSTRUCTOR_ROLES = (
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
    "http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper",
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator",
)


def is_instructor(launch: Launch) -> bool:
    roles = launch.claim("roles") or []
    return any(str(role) in INSTRUCTOR_ROLES for role in roles)


def course_of(launch: Launch) -> dict[str, Any]:
    """The course the launch counts towards: the one a placed link names (deep linking's
    custom parameter), else the LMS course it came from (its LTI context), as an activity."""
    placed = (launch.claim("custom") or {}).get(COURSE_PARAMETER)
    if isinstance(placed, str) and placed:
        title = (launch.claim("resource_link") or {}).get("title")
        named = {"name": {"en": str(title)}} if title else {}
        return {
            "objectType": "Activity",
            "id": placed,
            "definition": {"type": COURSE_TYPE, **named},
        }
    context = launch.claim("context") or {}
    context_id = str(context.get("id") or "no-context")
    definition: dict[str, Any] = {"type": COURSE_TYPE}
    if title := context.get("title") or context.get("label"):
        definition["name"] = {"en": str(title)}
    issuer = launch.platform.issuer.rstrip("/")
    return {
        "objectType": "Activity",
        "id": f"{issuer}/lti/contexts/{quote(context_id, safe='')}",
        "definition": definition,
    }


def record_launch(session: Session, launch: Launch) -> LMSCourseEnrollment | None:
    """Store the launch as a statement and fold it at once (the learner's page shows what
    it made); return the learner's enrollment, None for a learner the identity map does
    not know."""
    platform, claims = launch.platform, launch.claims
    integration = session.get(LMSIntegrationConfig, platform.lms_integration_id)
    company = session.get(Company, platform.company_id)
    assert integration is not None and company is not None
    link = launch.claim("resource_link") or {}
    course = course_of(launch)
    issuer = platform.issuer.rstrip("/")
    link_activity = {
        "objectType": "Activity",
        "id": f"{issuer}/lti/resource-links/{quote(str(link['id']), safe='')}",
        "definition": {"type": LINK_TYPE, "name": {"en": str(link.get("title") or link["id"])}},
    }
    actor = _actor(session, integration, claims)
    statement = {
        "id": str(
            uuid.uuid5(NAMESPACE, f"{issuer}|{claims['sub']}|{link['id']}|{claims['nonce']}")
        ),
        "actor": actor,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/launched", "display": {"en-US": "launched"}},
        "object": link_activity,
        "context": {
            "platform": str((launch.claim("tool_platform") or {}).get("name") or "LTI 1.3"),
            "registration": str(uuid.uuid5(NAMESPACE, f"{issuer}|{claims['sub']}|{link['id']}")),
            "contextActivities": {"parent": [course]},
        },
    }
    ids = store_new(session, company, integration, [statement], "LTI", hand_on=False)
    fold_now(session, company.id, ids)
    key = agent_key(actor) or ""
    employee = find_employees(session, company.id, [(integration.id, key)])[(integration.id, key)]
    if employee is None:
        return None
    enrollment_id = EnrollmentKey(company.id, integration.id, employee, course["id"]).id
    remember(
        session, platform, enrollment_id, str(claims["sub"]), claims.get(ENDPOINT),
        str(link["id"]), now(),
    )  # fmt: skip
    return session.get(LMSCourseEnrollment, enrollment_id)


def _actor(
    session: Session, integration: LMSIntegrationConfig, claims: dict[str, Any]
) -> dict[str, Any]:
    """The learner as the identity map knows them: their account on the platform (its
    issuer and their `sub`) where it does, else the e-mail the platform sent where that
    names an employee, else the platform account, for an unmatched learner."""
    name = str(claims.get("name") or "")
    account = {
        "objectType": "Agent",
        "account": {"homePage": str(claims["iss"]), "name": str(claims["sub"])},
    }
    if name:
        account["name"] = name
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        return account
    by_account = agent_key(account) or ""
    by_email = email_keys(email)[0][1]
    found = find_employees(
        session, integration.company_id, [(integration.id, by_account), (integration.id, by_email)]
    )
    if found[(integration.id, by_account)] is None and found[(integration.id, by_email)]:
        return {
            "objectType": "Agent",
            "mbox": f"mailto:{email.strip()}",
            **({"name": name} if name else {}),
        }
    return account
