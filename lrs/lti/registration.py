"""LTI Dynamic Registration: an HR admin's registration URL (GET /api/lms-integrations/
lti-registration/) pasted into an LMS that supports it (Moodle, Canvas) has the LMS open it
with its OpenID configuration and a registration token; the tool reads the configuration,
registers itself with the LMS, and keeps the LMS as an lti integration of the admin's
company, inactive until an HR admin approves it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from mapping.lti import AGS_SCOPES, NRPS_SCOPE, TOOL_CONFIGURATION, registered_platform
from mapping.models import LMSIntegrationConfig
from mapping.providers.errors import ProviderError
from mapping.providers.http import HttpClient, Politeness
from mapping.secrets import SecretBox
from statements import timestamps

TOOL_NAME = "HR learning records"


class RegistrationRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def tool_registration(base_url: str) -> dict[str, Any]:
    """What the tool asks the LMS to register (LTI Dynamic Registration's client metadata)."""
    launch = f"{base_url}/lti/launch"
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": f"{base_url}/lti/login",
        "redirect_uris": [launch],
        "client_name": TOOL_NAME,
        "jwks_uri": f"{base_url}/lti/jwks",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join((*AGS_SCOPES, NRPS_SCOPE)),
        TOOL_CONFIGURATION: {
            "domain": urlsplit(base_url).netloc,
            "target_link_uri": launch,
            "claims": ["iss", "sub", "name", "email"],
            "messages": [
                {"type": "LtiDeepLinkingRequest", "target_link_uri": launch, "label": TOOL_NAME}
            ],
        },
    }


def register_with(
    session: Session,
    box: SecretBox,
    invitation: tuple[Any, Any],
    openid_configuration: str,
    registration_token: str,
    base_url: str,
    *,
    private_networks: bool,
) -> LMSIntegrationConfig:
    """Read the LMS's configuration, register with it, and keep it as an integration."""
    http = HttpClient(Politeness(timeout_seconds=30, private_networks=private_networks))
    try:
        openid = http.request("GET", openid_configuration).json()
    except (ProviderError, ValueError) as exc:
        raise RegistrationRefused(
            f"the LMS's OpenID configuration could not be read: {exc}"
        ) from exc
    issuer = openid.get("issuer") if isinstance(openid, dict) else None
    if not isinstance(issuer, str) or not openid_configuration.startswith(issuer):
        raise RegistrationRefused(
            "the OpenID configuration's issuer is not the address it was read from"
        )
    endpoint = openid.get("registration_endpoint")
    if not isinstance(endpoint, str) or not endpoint:
        raise RegistrationRefused("the LMS's OpenID configuration has no registration_endpoint")
    headers = {"Authorization": f"Bearer {registration_token}"} if registration_token else {}
    try:
        answer = http.request(
            "POST", endpoint, json=tool_registration(base_url), headers=headers
        ).json()
    except (ProviderError, ValueError) as exc:
        raise RegistrationRefused(f"the LMS refused the tool's registration: {exc}") from exc
    try:
        return registered_platform(session, box, invitation, openid, answer, timestamps.now())
    except ValueError as exc:
        raise RegistrationRefused(str(exc)) from exc
