"""Checking an LTI 1.3 launch (the platform's `id_token`, posted with the login's `state`)
as the 1EdTech Security Framework and LTI Core ask, in order: the state this browser was
given, a compact JWS signed RS256 with a key of the platform's JWKS, the issuer, audience
and authorised party, the times, the nonce of that login, the deployment, the version, and
the message type's own claims. Each refusal names its reason; nothing is stored before all
of them hold, and then the login is spent, so that an id_token is good for one launch."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey
from sqlalchemy.orm import Session

from mapping.lti import platform_key
from mapping.models import LtiLogin, LtiPlatform
from mapping.providers.errors import ProviderError

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DEEP_LINKING = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
SKEW = timedelta(seconds=60)  # between the platform's clock and ours
LOGIN_LIFETIME = timedelta(minutes=10)
COOKIE = "lti1p3-state-"


class LaunchRefused(Exception):
    """The launch is not one the tool may accept; `reason` says why, for the LMS admin."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Launch:
    platform: LtiPlatform
    claims: dict[str, Any]

    @property
    def message_type(self) -> str:
        return str(self.claims[LTI + "message_type"])

    def claim(self, name: str) -> Any:
        return self.claims.get(LTI + name)


def verify(
    session: Session,
    form: dict[str, str],
    cookies: dict[str, str],
    now: datetime,
    *,
    private_networks: bool,
) -> Launch:
    """The launch, checked; LaunchRefused with the first check it fails."""
    state, id_token = form.get("state", ""), form.get("id_token", "")
    if not state or not id_token:
        raise LaunchRefused("the launch must post id_token and state")
    login = session.get(LtiLogin, state)
    if login is None:
        raise LaunchRefused("the state is not one this tool issued: launch again from the LMS")
    if login.used_at is not None:
        raise LaunchRefused("this login was launched already: launch again from the LMS")
    if now - login.created_at > LOGIN_LIFETIME:
        raise LaunchRefused("the login has expired: launch again from the LMS")
    if cookies.get(COOKIE + state) != "1":
        raise LaunchRefused(
            "the browser did not send back the cookie the login set (another browser, or "
            "third-party cookies blocked): open the link in a new window"
        )
    platform = session.get(LtiPlatform, login.lms_integration_id)
    if platform is None:
        raise LaunchRefused("the platform is no longer registered with the tool")
    claims = _signed_claims(session, platform, id_token, private_networks)
    _check_claims(platform, login, claims, now)
    login.used_at = now
    if claims[LTI + "message_type"] == DEEP_LINKING_REQUEST:
        login.deep_linking = {
            "settings": claims[DEEP_LINKING],
            "deployment_id": claims[LTI + "deployment_id"],
        }
    return Launch(platform, claims)


def _signed_claims(
    session: Session, platform: LtiPlatform, id_token: str, private_networks: bool
) -> dict[str, Any]:
    parts = id_token.split(".")
    if len(parts) != 3:
        raise LaunchRefused("the id_token is not a compact JWS (three dot-separated parts)")
    try:
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    except ValueError as exc:
        raise LaunchRefused("the id_token's header is not base64url JSON") from exc
    if not isinstance(header, dict) or header.get("alg") != "RS256":
        alg = header.get("alg") if isinstance(header, dict) else None
        raise LaunchRefused(f"the id_token must be signed with RS256, not {alg!r}")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise LaunchRefused("the id_token's header names no kid")
    try:
        key = platform_key(session, platform, kid, private_networks=private_networks)
    except (ProviderError, ValueError) as exc:
        raise LaunchRefused(f"the platform's key set could not be read: {exc}") from exc
    if key is None:
        raise LaunchRefused(f"the platform's key set ({platform.key_set_url}) has no key {kid}")
    try:
        token = jwt.decode(id_token, RSAKey.import_key(key), algorithms=["RS256"])
    except (JoseError, ValueError) as exc:
        raise LaunchRefused(
            "the id_token's signature does not verify with the platform's key"
        ) from exc
    return dict(token.claims)


def _check_claims(
    platform: LtiPlatform, login: LtiLogin, claims: dict[str, Any], now: datetime
) -> None:
    if claims.get("iss") != platform.issuer:
        raise LaunchRefused(f"the id_token's iss is not the platform's issuer {platform.issuer}")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if platform.client_id not in audiences:
        raise LaunchRefused(f"the id_token's aud does not hold the client id {platform.client_id}")
    if len(audiences) > 1 and claims.get("azp") != platform.client_id:
        raise LaunchRefused("the id_token has several audiences and azp is not the client id")
    moment = now.timestamp()
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or not isinstance(iat, int | float):
        raise LaunchRefused("the id_token must carry exp and iat")
    if exp < moment - SKEW.total_seconds():
        raise LaunchRefused("the id_token has expired")
    if iat > moment + SKEW.total_seconds():
        raise LaunchRefused("the id_token was issued in the future (iat)")
    if claims.get("nonce") != login.nonce:
        raise LaunchRefused("the id_token's nonce is not the one this login issued")
    if claims.get(LTI + "deployment_id") not in platform.deployment_ids:
        raise LaunchRefused(
            f"the deployment {claims.get(LTI + 'deployment_id')!r} is not registered: add it "
            "to the integration's deployment_ids"
        )
    if claims.get(LTI + "version") != "1.3.0":
        raise LaunchRefused("the launch's LTI version must be 1.3.0")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise LaunchRefused("the id_token names no user (sub)")
    if not isinstance(claims.get(LTI + "roles"), list):
        raise LaunchRefused("the launch carries no roles claim")
    kind = claims.get(LTI + "message_type")
    if kind == RESOURCE_LINK_REQUEST:
        link = claims.get(LTI + "resource_link")
        if not isinstance(link, dict) or not link.get("id"):
            raise LaunchRefused("a resource link launch must carry resource_link.id")
    elif kind == DEEP_LINKING_REQUEST:
        settings = claims.get(DEEP_LINKING)
        if not isinstance(settings, dict) or not settings.get("deep_link_return_url"):
            raise LaunchRefused("a deep linking request must carry deep_link_return_url")
        if "ltiResourceLink" not in (settings.get("accept_types") or []):
            raise LaunchRefused("the deep linking request must accept ltiResourceLink items")
    else:
        raise LaunchRefused(f"the tool does not take {kind!r} messages")
