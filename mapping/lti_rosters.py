"""Rosters from the LMS (LTI Names and Role Provisioning): an instructor's launch that carries
the service's claim names the course's membership; the scheduler reads it, page by page
(`Link: rel="next"`), and records each active learner as registered in the course, through
the one ingest path, so the mapping layer makes their enrollment before they open anything.
Reading it again stores nothing new."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from mapping.integration_ingest import store_new
from mapping.lti import signing_key
from mapping.lti_grades import service_token
from mapping.models import LMSIntegrationConfig, LtiPlatform, LtiRoster
from mapping.providers.errors import ProviderError
from mapping.providers.http import HttpClient, Politeness
from mapping.providers.oauth import AccessToken
from mapping.secrets import SecretBox
from statements.models import Company

CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEMBERSHIPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:x-hr-lrs:lti-roster")
EVERY = timedelta(days=1)


def remember(
    session: Session,
    platform: LtiPlatform,
    claim: Mapping[str, Any] | None,
    course: dict[str, Any],
    now: datetime,
) -> LtiRoster | None:
    """Remember the course's membership to read (at once), where the launch names one."""
    url = (claim or {}).get("context_memberships_url")
    if not isinstance(url, str) or not url:
        return None
    roster = session.scalars(
        select(LtiRoster).where(
            LtiRoster.lms_integration_id == platform.lms_integration_id,
            LtiRoster.memberships_url == url,
        )
    ).first()
    if roster is None:
        roster = LtiRoster(
            id=uuid.uuid4(),
            lms_integration_id=platform.lms_integration_id,
            memberships_url=url,
            message="",
        )
        session.add(roster)
    roster.course, roster.next_read_at = course, now
    return roster


def read_due(
    session: Session, box: SecretBox, *, private_networks: bool, now: datetime
) -> list[LtiRoster]:
    """Read the rosters whose time has come; return them."""
    due = session.scalars(select(LtiRoster).where(LtiRoster.next_read_at <= now)).all()
    http = HttpClient(Politeness(timeout_seconds=30, private_networks=private_networks))
    for roster in due:
        platform = session.get(LtiPlatform, roster.lms_integration_id)
        if platform is None:
            continue
        token = AccessToken(
            partial(service_token, http, platform, signing_key(session, box, now), SCOPE)
        )
        roster.next_read_at = now + EVERY
        try:
            learners = [m for m in _members(http, token, roster.memberships_url) if _learns(m)]
            stored = _register(session, platform, roster, learners, now)
        except ProviderError as exc:
            roster.message = f"the LMS did not give the roster: {exc.message}"
        else:
            roster.read_at = now
            roster.message = f"{len(learners)} active learners, {stored} newly registered"
        session.commit()
    return list(due)


def _members(http: HttpClient, token: AccessToken, url: str) -> Iterator[dict[str, Any]]:
    page: str | None = url
    while page:
        response = token.send(partial(_page, http, page))
        yield from response.json().get("members") or []
        page = response.links.get("next", {}).get("url")


def _page(http: HttpClient, url: str, headers: dict[str, str]) -> requests.Response:
    return http.request("GET", url, headers={**headers, "Accept": MEMBERSHIPS})


def _learns(member: Mapping[str, Any]) -> bool:
    active = str(member.get("status", "Active")) == "Active"
    return active and LEARNER in (member.get("roles") or []) and bool(member.get("user_id"))


def _register(
    session: Session,
    platform: LtiPlatform,
    roster: LtiRoster,
    learners: list[dict[str, Any]],
    now: datetime,
) -> int:
    """Each learner registered in the course, once; how many were new."""
    statements: list[dict[str, Any]] = [
        {
            "id": str(
                uuid.uuid5(NAMESPACE, f"{platform.issuer}|{m['user_id']}|{roster.course['id']}")
            ),
            "actor": {
                "objectType": "Agent",
                "account": {"homePage": platform.issuer, "name": str(m["user_id"])},
                **({"name": str(m["name"])} if m.get("name") else {}),
            },
            "verb": {
                "id": "http://adlnet.gov/expapi/verbs/registered",
                "display": {"en-US": "registered"},
            },
            "object": roster.course,
            "timestamp": now.isoformat(),
            "context": {"platform": "LTI 1.3 (roster)"},
        }
        for m in learners
    ]
    integration = session.get(LMSIntegrationConfig, platform.lms_integration_id)
    company = session.get(Company, platform.company_id)
    assert integration is not None and company is not None
    return len(store_new(session, company, integration, statements, "LTI"))
