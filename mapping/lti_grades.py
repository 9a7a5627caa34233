"""Grades back to the LMS (LTI Assignment and Grade Services): a learner's launch of a link
with a line item is remembered, and once their enrollment in its course is completed (from
any source: xAPI content, a provider poll, the HR side), the scheduler posts the result to
that line item, with an access token the platform grants for the tool's signed assertion.
A new result (a better score) is posted again; the same result never twice."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from mapping.choices import EnrollmentStatus
from mapping.lti import signing_key
from mapping.models import LMSCourseEnrollment, LtiGradeLink, LtiPlatform
from mapping.providers.errors import ProviderError, RateLimited, TransientError
from mapping.providers.http import HttpClient, Politeness
from mapping.providers.oauth import AccessToken
from mapping.secrets import SecretBox
from statements import timestamps

ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
CONTAINER_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
DONE = (EnrollmentStatus.COMPLETED, EnrollmentStatus.CERTIFIED)
ATTEMPTS = 5  # of a platform that fails, before the link waits a day
DUE_AT_ONCE = 200
ASSERTION_S = 300


def remember(
    session: Session,
    platform: LtiPlatform,
    enrollment_id: uuid.UUID,
    platform_user_id: str,
    endpoint: Mapping[str, Any] | None,
    resource_link_id: str,
    now: datetime,
) -> LtiGradeLink | None:
    """Remember where the enrollment's result goes, where the launch lets the tool post
    scores: to the link's line item, or to one the tool makes in the context's line items
    (with the lineitem scope); None where it may not."""
    endpoint = endpoint or {}
    scopes = endpoint.get("scope") or []
    lineitem = endpoint.get("lineitem") if isinstance(endpoint.get("lineitem"), str) else ""
    container = endpoint.get("lineitems") if LINEITEM_SCOPE in scopes else ""
    if SCORE_SCOPE not in scopes or not (lineitem or isinstance(container, str) and container):
        return None
    known = session.scalars(
        select(LtiGradeLink).where(
            LtiGradeLink.enrollment_id == enrollment_id,
            LtiGradeLink.lineitem == lineitem,
            LtiGradeLink.lineitems == (container if not lineitem else ""),
        )
    ).first()
    if known is not None:
        return known
    link = LtiGradeLink(
        id=uuid.uuid4(),
        company_id=platform.company_id,
        lms_integration_id=platform.lms_integration_id,
        enrollment_id=enrollment_id,
        platform_user_id=platform_user_id,
        lineitem=lineitem,
        lineitems="" if lineitem else str(container),
        resource_link_id=resource_link_id,
        scopes=[str(scope) for scope in scopes],
        sent="",
        attempts=0,
        message="waiting for the learner to complete the course",
        next_attempt_at=now,
    )
    session.add(link)
    return link


def result_of(enrollment: LMSCourseEnrollment) -> str:
    """The result the LMS should hold, as compared with what was sent; empty until done."""
    if enrollment.enrollment_status not in DONE:
        return ""
    score = enrollment.score_achieved
    return f"{enrollment.enrollment_status.value}|{score}|{enrollment.max_score}"


def send_due(
    session: Session, box: SecretBox, *, private_networks: bool, now: datetime
) -> list[LtiGradeLink]:
    """Post the results not yet sent; return the links posted to (or tried)."""
    due = session.execute(
        select(LtiGradeLink, LMSCourseEnrollment)
        .join(LMSCourseEnrollment, LMSCourseEnrollment.id == LtiGradeLink.enrollment_id)
        .where(
            LtiGradeLink.next_attempt_at <= now,
            LMSCourseEnrollment.enrollment_status.in_(DONE),
        )
        .order_by(LtiGradeLink.next_attempt_at)
        .limit(DUE_AT_ONCE)
    ).all()
    http = HttpClient(Politeness(timeout_seconds=30, private_networks=private_networks))
    tokens: dict[tuple[uuid.UUID, str], AccessToken] = {}  # per platform and scopes
    tried: list[LtiGradeLink] = []
    for link, enrollment in due:
        result = result_of(enrollment)
        if result == link.sent:
            continue
        platform = session.get(LtiPlatform, link.lms_integration_id)
        if platform is None:
            continue  # no longer an LTI platform
        scope = " ".join(_scopes(link))
        if (platform.lms_integration_id, scope) not in tokens:
            signer = signing_key(session, box, now)
            tokens[(platform.lms_integration_id, scope)] = AccessToken(
                partial(service_token, http, platform, signer, scope)
            )
        _post(http, tokens[(platform.lms_integration_id, scope)], link, enrollment, now)
        if link.sent != result:
            link.attempts += 1
            wait = (
                timedelta(days=1)
                if link.attempts >= ATTEMPTS
                else timedelta(minutes=2**link.attempts)
            )
            link.next_attempt_at = now + wait
        session.commit()
        tried.append(link)
    return tried


def _scopes(link: LtiGradeLink) -> list[str]:
    return [SCORE_SCOPE, LINEITEM_SCOPE] if link.lineitems else [SCORE_SCOPE]


def _line_item(
    http: HttpClient, token: AccessToken, link: LtiGradeLink, enrollment: LMSCourseEnrollment
) -> str:
    """The line item of the link's course in the context's container: the one the tool
    made before (found by its resource id and link), else a new one out of 100."""
    found = token.send(
        lambda headers: http.request(
            "GET",
            link.lineitems,
            params={
                "resource_id": enrollment.course_activity_id,
                "resource_link_id": link.resource_link_id,
            },
            headers={**headers, "Accept": CONTAINER_TYPE},
        )
    ).json()
    for item in found if isinstance(found, list) else []:
        if item.get("resourceId") == enrollment.course_activity_id and item.get("id"):
            return str(item["id"])
    made = token.send(
        lambda headers: http.request(
            "POST",
            link.lineitems,
            json={
                "scoreMaximum": 100,
                "label": enrollment.course_name,
                "resourceId": enrollment.course_activity_id,
                "resourceLinkId": link.resource_link_id,
            },
            headers={**headers, "Content-Type": LINEITEM_TYPE},
        )
    ).json()
    return str(made["id"])


def _post(
    http: HttpClient,
    token: AccessToken,
    link: LtiGradeLink,
    enrollment: LMSCourseEnrollment,
    now: datetime,
) -> None:
    moment = max(now, (link.sent_at or now) + timedelta(milliseconds=1))
    body: dict[str, Any] = {
        "userId": link.platform_user_id,
        "scoreGiven": float(_out_of_100(enrollment)),
        "scoreMaximum": 100,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": moment.isoformat(timespec="milliseconds"),
    }
    try:
        if not link.lineitem:
            link.lineitem = _line_item(http, token, link, enrollment)
        token.send(
            lambda headers: http.request(
                "POST",
                _scores_url(link.lineitem),
                json=body,
                headers={**headers, "Content-Type": SCORE_TYPE},
            )
        )
    except (TransientError, RateLimited) as exc:
        link.message = f"will try again: {exc.message}"
    except ProviderError as exc:
        link.message = f"the LMS refused the score: {exc.message}"
    except (KeyError, TypeError, AttributeError):
        link.message = "the LMS answered the line item request without the line item's id"
    else:
        link.sent, link.sent_at, link.attempts = result_of(enrollment), moment, 0
        link.message = f"sent {body['scoreGiven']:g} of 100"


def _out_of_100(enrollment: LMSCourseEnrollment) -> Decimal:
    """The result as a line item out of 100 takes it: the score scaled, or full marks for a
    completion that carries none."""
    score, highest = enrollment.score_achieved, enrollment.max_score
    if score is None or not highest:
        return Decimal(100)
    return min(Decimal(100), score * 100 / highest).quantize(Decimal("0.01"))


def service_token(
    http: HttpClient, platform: LtiPlatform, signer: tuple[str, RSAKey], scope: str
) -> dict[str, Any]:
    """An access token for `scope`, granted for the tool's signed client assertion."""
    kid, key = signer
    issued = int(timestamps.now().timestamp())
    assertion = jwt.encode(
        {"alg": "RS256", "typ": "JWT", "kid": kid},
        {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.audience or platform.auth_token_url,
            "iat": issued,
            "exp": issued + ASSERTION_S,
            "jti": str(uuid.uuid4()),
        },
        key,
    )
    response = http.request(
        "POST",
        platform.auth_token_url,
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion,
            "scope": scope,
        },
    )
    found: dict[str, Any] = response.json()
    return found


def _scores_url(lineitem: str) -> str:
    parts = urlsplit(lineitem)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))
