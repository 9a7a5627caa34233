"""An LTI 1.3 platform for the tests, on 127.0.0.1: its RSA key published as a JWKS by a fake
LMS, the registration an LMS admin would copy from it, and id_tokens it signs, valid unless a
test changes one thing about them."""

from __future__ import annotations

import time
from typing import Any

from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from tests.mapping.providers.fake_lms import FakeLms

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
DROP = object()  # a claim to leave out
OIDC = frozenset({"iss", "aud", "azp", "sub", "exp", "iat", "nonce", "name", "email"})


class Platform:
    def __init__(self, lms: FakeLms, client_id: str = "tool-client-1") -> None:
        self.lms = lms
        self.issuer = lms.url
        self.client_id = client_id
        self.deployment = "1:3f6c0d1e"
        self.key = RSAKey.generate_key(2048, private=True, auto_kid=True)
        lms.answer("/jwks", lambda form: {"keys": [self.public()]})

    def public(self) -> dict[str, Any]:
        return {**self.key.as_dict(private=False), "alg": "RS256", "use": "sig"}

    def registration(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "client_id": self.client_id,
            "deployment_ids": [self.deployment],
            "auth_login_url": f"{self.lms.url}/auth",
            "auth_token_url": f"{self.lms.url}/token",
            "key_set_url": f"{self.lms.url}/jwks",
        }

    def claims(self, login_nonce: str, **changes: Any) -> dict[str, Any]:
        """A learner's resource link launch; `changes` by claim name (LTI core claims by
        their last part, others by their whole IRI), DROP to leave one out."""
        now = int(time.time())
        found: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": "user-57",
            "exp": now + 300,
            "iat": now,
            "nonce": login_nonce,
            "name": "Jane Doe",
            "email": "jane.doe@acme.example",
            LTI + "deployment_id": self.deployment,
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "version": "1.3.0",
            LTI + "roles": [LEARNER],
            LTI + "resource_link": {"id": "link-1", "title": "Forklift safety, part 1"},
            LTI + "context": {"id": "course-7", "label": "FORK", "title": "Forklift safety"},
            LTI + "tool_platform": {"name": "Moodle", "version": "4.5"},
            LTI + "target_link_uri": "http://127.0.0.1/lti/launch",
        }
        for name, value in changes.items():
            key = name if name in OIDC or name.startswith("https://") else LTI + name
            if value is DROP:
                found.pop(key, None)
            else:
                found[key] = value
        return found

    def sign(
        self, claims: dict[str, Any], key: RSAKey | None = None, kid: str | None = None
    ) -> str:
        header = {"alg": "RS256", "typ": "JWT", "kid": kid or self.key.kid}
        return jwt.encode(header, claims, key or self.key)

    def sign_hs256(self, claims: dict[str, Any]) -> str:
        return jwt.encode(
            {"alg": "HS256", "kid": self.key.kid}, claims, OctKey.import_key("s" * 32)
        )
