"""The LTI tool's side of integrations: a platform's registration (what an LMS admin copies
from their LMS into an lti integration's `authentication_config`), the platform's signing
keys as its JWKS publishes them, and the tool's own key pairs.

A launch carries an issuer and a client id, not a company: the registration is kept, in the
clear, where a launch finds it by those two (mapping.models.LtiPlatform)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc.jwk import RSAKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from mapping.choices import (
    AuthenticationType,
    ConnectionStatus,
    DataFormat,
    IntegrationMethod,
    LmsType,
    SyncDirection,
    SyncFrequency,
)
from mapping.models import LMSIntegrationConfig, LtiPlatform, LtiToolKey
from mapping.providers.http import HttpClient, Politeness
from mapping.secrets import SecretBox

URLS = ("auth_login_url", "auth_token_url", "key_set_url")
KEY_BITS = 2048
PUBLISHED = 2  # tool keys published at once: the signing one and the one before it


def registration_problems(config: Mapping[str, Any]) -> dict[str, str]:
    """What an lti integration's `authentication_config` lacks or gets wrong, by key."""
    found: dict[str, str] = {}
    for key in ("issuer", "client_id", *URLS):
        value = config.get(key)
        if not isinstance(value, str) or not value.strip():
            found[f"authentication_config.{key}"] = "required for an LTI platform"
        elif key != "client_id" and not _is_url(value):
            found[f"authentication_config.{key}"] = "must be an http or https URL"
    deployments = config.get("deployment_ids")
    if (
        not isinstance(deployments, list)
        or not deployments
        or not all(isinstance(d, str) and d for d in deployments)
    ):
        found["authentication_config.deployment_ids"] = (
            "a list of the deployment ids the platform gave the tool"
        )
    audience = config.get("audience", "")
    if not isinstance(audience, str):
        found["authentication_config.audience"] = "must be a string"
    return found


def register(
    session: Session, integration: LMSIntegrationConfig, config: Mapping[str, Any]
) -> LtiPlatform:
    """Keep the registration where launches find it (the config checked already)."""
    platform = session.get(LtiPlatform, integration.id) or LtiPlatform(
        lms_integration_id=integration.id, company_id=integration.company_id, key_set={}
    )
    changed_keys = platform.key_set_url != config["key_set_url"]
    platform.issuer = config["issuer"].strip()
    platform.client_id = config["client_id"].strip()
    platform.deployment_ids = list(config["deployment_ids"])
    platform.auth_login_url, platform.auth_token_url, platform.key_set_url = (
        config[key].strip() for key in URLS
    )
    platform.audience = str(config.get("audience", "")).strip()
    if changed_keys:
        platform.key_set = {}
    session.add(platform)
    return platform


def taken(session: Session, issuer: str, client_id: str, integration_id: uuid.UUID) -> bool:
    """Whether another integration has registered this issuer and client id."""
    other = session.scalar(
        select(LtiPlatform.lms_integration_id).where(
            LtiPlatform.issuer == issuer.strip(),
            LtiPlatform.client_id == client_id.strip(),
            LtiPlatform.lms_integration_id != integration_id,
        )
    )
    return other is not None


def platform_key(
    session: Session, platform: LtiPlatform, kid: str, *, private_networks: bool
) -> dict[str, Any] | None:
    """The platform's public key `kid`, from its JWKS as last fetched, fetched again once
    when it does not hold that `kid` (the platform rotated its keys); None when not even
    the JWKS fetched now does."""
    found = _key(platform.key_set, kid)
    if found is None:
        http = HttpClient(Politeness(timeout_seconds=10, private_networks=private_networks))
        platform.key_set = http.request("GET", platform.key_set_url).json()
        session.flush()
        found = _key(platform.key_set, kid)
    return found


def _key(key_set: object, kid: str) -> dict[str, Any] | None:
    keys = key_set.get("keys") if isinstance(key_set, dict) else None
    return next((k for k in keys or [] if isinstance(k, dict) and k.get("kid") == kid), None)


def tool_keys(session: Session) -> list[LtiToolKey]:
    """The tool's published keys, newest (the signing one) first."""
    return list(
        session.scalars(
            select(LtiToolKey)
            .where(LtiToolKey.retired_at.is_(None))
            .order_by(LtiToolKey.created_at.desc())
        )
    )


def rotate(session: Session, box: SecretBox, now: datetime) -> LtiToolKey:
    """A new signing key; the one before it stays published, older ones are retired."""
    key = RSAKey.generate_key(KEY_BITS, private=True, auto_kid=True)
    public = key.as_dict(private=False)
    created = LtiToolKey(
        kid=str(public["kid"]),
        public_jwk={**public, "alg": "RS256", "use": "sig"},
        private_key=box.seal(key.as_pem(private=True).decode()),
        created_at=now,
        retired_at=None,
    )
    session.add(created)
    session.flush()
    for older in tool_keys(session)[PUBLISHED:]:
        older.retired_at = now
    return created


def signing_key(session: Session, box: SecretBox, now: datetime) -> tuple[str, RSAKey]:
    """The tool's signing key, by its kid (the first one, made when there is none yet)."""
    key = (tool_keys(session) or [rotate(session, box, now)])[0]
    return key.kid, RSAKey.import_key(box.open(key.private_key))


def public_jwks(session: Session) -> dict[str, Any]:
    return {"keys": [key.public_jwk for key in tool_keys(session)]}


def _is_url(value: str) -> bool:
    parts = urlsplit(value.strip())
    return parts.scheme in ("http", "https") and bool(parts.hostname)


AGS_SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
)
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def tool_configuration(lms_type: str, base_url: str, title: str) -> dict[str, Any]:
    """What an LMS admin enters to add the tool, with every URL filled in: the URLs, and the
    form their LMS wants them in (Moodle's tool settings, Canvas's developer key JSON,
    Blackboard's Developer Portal fields)."""
    urls = {
        "login_url": f"{base_url}/lti/login",
        "launch_url": f"{base_url}/lti/launch",
        "jwks_url": f"{base_url}/lti/jwks",
        "deep_linking_url": f"{base_url}/lti/launch",
    }
    forms: dict[str, dict[str, Any]] = {
        "moodle": {
            "Tool name": title,
            "Tool URL": urls["launch_url"],
            "LTI version": "LTI 1.3",
            "Public key type": "Keyset URL",
            "Public keyset": urls["jwks_url"],
            "Initiate login URL": urls["login_url"],
            "Redirection URI(s)": urls["launch_url"],
            "Supports Deep Linking (Content-Item Message)": True,
            "Content Selection URL": urls["deep_linking_url"],
            "IMS LTI Assignment and Grade Services": "Use this service for grade sync only",
            "IMS LTI Names and Role Provisioning": "Use this service to retrieve members' "
            "information as per privacy settings",
            "Share launcher's name with tool": "Always",
            "Share launcher's email with tool": "Always",
        },
        "canvas": {
            "title": title,
            "description": "Learning records for HR",
            "oidc_initiation_url": urls["login_url"],
            "target_link_uri": urls["launch_url"],
            "public_jwk_url": urls["jwks_url"],
            "scopes": [*AGS_SCOPES, NRPS_SCOPE],
            "extensions": [
                {
                    "platform": "canvas.instructure.com",
                    "privacy_level": "public",
                    "settings": {
                        "placements": [
                            {
                                "placement": placement,
                                "message_type": "LtiDeepLinkingRequest",
                                "target_link_uri": urls["deep_linking_url"],
                            }
                            for placement in ("link_selection", "assignment_selection")
                        ]
                    },
                }
            ],
        },
        "blackboard": {
            "Application name": title,
            "Domain(s)": urlsplit(base_url).netloc,
            "Login Initiation URL": urls["login_url"],
            "Tool Redirect URL(s)": urls["launch_url"],
            "Tool JWKS URL": urls["jwks_url"],
            "Signing Algorithm": "RS256",
            "Custom Parameters": "",
        },
    }
    return {"urls": urls, "configuration": forms.get(lms_type, {})}


PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
REGISTRATION_SALT = "lti-dynamic-registration"
REGISTRATION_LIFETIME_S = 7 * 24 * 3600
PRODUCTS = {"moodle": "moodle", "canvas": "canvas", "blackboardlearn": "blackboard"}


def registration_invitation(secret_key: str, company_id: uuid.UUID, user_id: uuid.UUID) -> str:
    """What an HR admin's dynamic registration URL carries: their company and who asked,
    signed, so that an LMS the URL is pasted into registers with that company only."""
    signer = URLSafeTimedSerializer(secret_key, salt=REGISTRATION_SALT)
    return signer.dumps({"company": str(company_id), "user": str(user_id)})


def invited(secret_key: str, invitation: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """The company and user of an invitation; None for one forged or expired."""
    signer = URLSafeTimedSerializer(secret_key, salt=REGISTRATION_SALT)
    try:
        found = signer.loads(invitation, max_age=REGISTRATION_LIFETIME_S)
        return uuid.UUID(found["company"]), uuid.UUID(found["user"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


def registered_platform(
    session: Session,
    box: SecretBox,
    invitation: tuple[uuid.UUID, uuid.UUID],
    openid: Mapping[str, Any],
    answer: Mapping[str, Any],
    now: datetime,
) -> LMSIntegrationConfig:
    """The integration a dynamic registration makes of the platform's OpenID configuration
    and its answer to the tool's registration, with its platform registered: inactive until
    an HR admin approves it. ValueError for a registration that lacks what a launch needs."""
    company_id, user_id = invitation
    product = str((openid.get(PLATFORM_CONFIGURATION) or {}).get("product_family_code", ""))
    deployment = (answer.get(TOOL_CONFIGURATION) or {}).get("deployment_id")
    config: dict[str, Any] = {
        "issuer": openid.get("issuer"),
        "client_id": answer.get("client_id"),
        "deployment_ids": [str(deployment)] if deployment else [],
        "auth_login_url": openid.get("authorization_endpoint"),
        "auth_token_url": openid.get("token_endpoint"),
        "key_set_url": openid.get("jwks_uri"),
    }
    if problems := registration_problems(config):
        raise ValueError("the registration lacks " + ", ".join(problems))
    integration = LMSIntegrationConfig(
        id=uuid.uuid4(),
        company_id=company_id,
        created_by_user_id=user_id,
        updated_by_user_id=user_id,
        lms_name=f"{product or 'LTI platform'} at {urlsplit(config['issuer']).netloc}"[:200],
        lms_type=LmsType(PRODUCTS.get(product.lower(), "custom_lms")),
        lms_code=f"LTI-{uuid.uuid4().hex[:8]}",
        integration_method=IntegrationMethod.LTI,
        authentication_type=AuthenticationType.LTI_KEY,
        authentication_config=box.seal(config),
        data_format=DataFormat.XAPI,
        sync_frequency=SyncFrequency.REAL_TIME,
        sync_direction=SyncDirection.INBOUND_ONLY,
        is_active=False,
        connection_status=ConnectionStatus.DISCONNECTED,
        created_at=now,
        updated_at=now,
    )
    if taken(session, config["issuer"], config["client_id"], integration.id):
        raise ValueError("another integration has registered this issuer and client id")
    session.add(integration)
    session.flush()
    register(session, integration, config)
    return integration
