"""Encryption at rest for integration secrets (`authentication_config`), with key rotation.

Fernet (AES-128-CBC with HMAC-SHA256) from `cryptography`. LRS_ENCRYPTION_KEYS lists keys
newest first: values are encrypted with the first and decrypted with any, so a new key is
added in front, `lrs secrets rotate` re-encrypts, and the old key can then be dropped.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import ConfigError, Settings
from mapping.models import LMSIntegrationConfig, LtiToolKey

CIPHERTEXT = "ciphertext"


class SecretBox:
    """Encrypts and decrypts JSON values."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ConfigError("no encryption key configured")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    @classmethod
    def from_settings(cls, settings: Settings) -> SecretBox:
        """The configured keys; in development, one derived from SECRET_KEY."""
        keys = [key.strip() for key in settings.encryption_keys.split(",") if key.strip()]
        if not keys:
            if settings.is_production:
                raise ConfigError("LRS_ENCRYPTION_KEYS must be set when LRS_ENV=production")
            digest = hashlib.sha256(("encryption:" + settings.secret_key).encode()).digest()
            keys = [base64.urlsafe_b64encode(digest).decode()]
        return cls(keys)

    def seal(self, value: Any) -> dict[str, str]:
        """The stored form of `value`. The standard library's JSON, not orjson: a client's
        configuration may hold integers beyond 64 bits."""
        return {CIPHERTEXT: self._fernet.encrypt(json.dumps(value).encode()).decode()}

    def open(self, stored: dict[str, Any]) -> Any:
        """The value a `seal` result holds."""
        if not stored:
            return {}
        try:
            return json.loads(self._fernet.decrypt(str(stored[CIPHERTEXT]).encode()))
        except (InvalidToken, KeyError) as exc:
            raise ConfigError(
                "an integration secret cannot be decrypted with the configured keys"
            ) from exc

    def rotate(self, stored: dict[str, Any]) -> dict[str, str]:
        """`stored` re-encrypted with the newest key."""
        if not stored:
            return {}
        return {CIPHERTEXT: self._fernet.rotate(str(stored[CIPHERTEXT]).encode()).decode()}


def rotate_integration_secrets(session: Session, box: SecretBox) -> int:
    """Re-encrypt every integration's secrets, and the LTI tool's private keys, with the newest
    key; return how many integrations there are.
    A secret no configured key opens stops the rotation, naming its integration."""
    integrations = session.scalars(select(LMSIntegrationConfig)).all()
    for integration in integrations:
        try:
            integration.authentication_config = box.rotate(integration.authentication_config)
        except InvalidToken:
            raise ConfigError(
                f"the secrets of integration {integration.id} ({integration.lms_name}) cannot "
                "be decrypted with the configured keys; add the key they were sealed with"
            ) from None
    for key in session.scalars(select(LtiToolKey)):
        try:
            key.private_key = box.rotate(key.private_key)
        except InvalidToken:
            raise ConfigError(
                f"the LTI tool key {key.kid} cannot be decrypted with the configured keys; add "
                "the key it was sealed with"
            ) from None
    return len(integrations)
