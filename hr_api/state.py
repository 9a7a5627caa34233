"""What the HR API keeps per app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from flask import current_app

from hr_api.tokens import TokenVerifier
from mapping.secrets import SecretBox

STATE_KEY = "hr_api"


@dataclass(frozen=True, slots=True)
class HrState:
    """What the HR API keeps per app: built once, at start-up, so that a production
    installation without its keys refuses to start rather than failing a request later."""

    tokens: TokenVerifier
    secrets: SecretBox
    audit_key: bytes


def hr_state() -> HrState:
    """The HR API's state of the current app."""
    return cast(HrState, current_app.extensions[STATE_KEY])
