"""Deep linking (LTI Deep Linking 2.0): an instructor, from their LMS course, chooses which of
the company's courses to place there; the tool answers the platform with a signed
`LtiDeepLinkingResponse` of resource links, each naming its course in a custom parameter
(so its launches count towards that course) and asking for a line item (so grades can flow
back)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from joserfc import jwt
from sqlalchemy import select
from sqlalchemy.orm import Session

from lrs.lti.launch import LOGIN_LIFETIME, LTI, LaunchRefused
from mapping.lti import signing_key
from mapping.models import LMSCourseEnrollment, LtiLogin, LtiPlatform
from mapping.secrets import SecretBox

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
COURSE_PARAMETER = "hr_course"  # the custom parameter a placed link names its course by
CHOICES = 200
RESPONSE_LIFETIME_S = 300


def choices(session: Session, platform: LtiPlatform) -> list[tuple[str, str]]:
    """The company's courses an instructor may place, as (activity id, name)."""
    rows = session.execute(
        select(LMSCourseEnrollment.course_activity_id, LMSCourseEnrollment.course_name)
        .where(LMSCourseEnrollment.company_id == platform.company_id)
        .distinct()
        .order_by(LMSCourseEnrollment.course_name, LMSCourseEnrollment.course_activity_id)
        .limit(CHOICES)
    ).all()
    return [(str(activity), str(name)) for activity, name in rows]


def answering(session: Session, state: str, now: datetime) -> tuple[LtiLogin, LtiPlatform]:
    """The deep linking request the instructor answers, once and in time."""
    login = session.get(LtiLogin, state)
    if login is None or login.deep_linking is None or login.used_at is None:
        raise LaunchRefused("no deep linking request of this tool has this state")
    if login.answered_at is not None:
        raise LaunchRefused("this deep linking request was answered already")
    if now - login.used_at > LOGIN_LIFETIME:
        raise LaunchRefused("the deep linking request has expired: place the tool again")
    platform = session.get(LtiPlatform, login.lms_integration_id)
    if platform is None:
        raise LaunchRefused("the platform is no longer registered with the tool")
    return login, platform


def response_jwt(
    session: Session,
    box: SecretBox,
    platform: LtiPlatform,
    login: LtiLogin,
    chosen: list[tuple[str, str]],
    base_url: str,
    now: datetime,
) -> str:
    """The signed answer: the chosen courses as resource links, the request's data echoed."""
    assert login.deep_linking is not None
    kid, signer = signing_key(session, box, now)
    items = [
        {
            "type": "ltiResourceLink",
            "title": name,
            "url": f"{base_url}/lti/launch",
            "custom": {COURSE_PARAMETER: activity},
            "lineItem": {"scoreMaximum": 100, "label": name, "resourceId": activity},
        }
        for activity, name in chosen
    ]
    issued = int(now.timestamp())
    claims: dict[str, Any] = {
        "iss": platform.client_id,
        "aud": platform.issuer,
        "iat": issued,
        "exp": issued + RESPONSE_LIFETIME_S,
        "nonce": secrets.token_urlsafe(16),
        LTI + "deployment_id": login.deep_linking["deployment_id"],
        LTI + "message_type": "LtiDeepLinkingResponse",
        LTI + "version": "1.3.0",
        DL + "content_items": items,
    }
    if (data := login.deep_linking["settings"].get("data")) is not None:
        claims[DL + "data"] = data
    login.answered_at = now
    return jwt.encode({"alg": "RS256", "typ": "JWT", "kid": kid}, claims, signer)
