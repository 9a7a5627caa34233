"""What each LMS's `authentication_config` must hold for the poller to read it (the keys an
HR admin scripts against): checked when an `api` integration is created or changed, so a
poll never meets a configuration it cannot use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mapping.choices import LmsType

# Per LMS, the sets of keys any one of which will do.
KEYS: dict[LmsType, tuple[tuple[str, ...], ...]] = {
    LmsType.MOODLE: (("token",),),
    LmsType.CANVAS: (("access_token",),),
    LmsType.BLACKBOARD: (("client_id", "client_secret"),),
    LmsType.CORNERSTONE: (("client_id", "client_secret", "scope"),),
    # The password grant, or a JWT-bearer grant signed with the API client's private key.
    LmsType.DOCEBO: (
        ("client_id", "client_secret", "username", "password"),
        ("client_id", "client_secret", "private_key"),
    ),
    LmsType.TALENTLMS: (("api_key",),),
}


def config_problems(lms_type: LmsType, config: Mapping[str, Any]) -> dict[str, str]:
    """What an API integration's `authentication_config` lacks, by key; empty when it will
    do (or when no poller reads this kind of LMS)."""
    choices = KEYS.get(lms_type)
    if not choices:
        return {}
    if any(all(_given(config.get(key)) for key in keys) for keys in choices):
        return {}
    keys = min(choices, key=lambda keys: sum(not _given(config.get(k)) for k in keys))
    return {
        f"authentication_config.{key}": f"required to read {lms_type.value} through its API"
        + (f" (or give {', '.join(other)})" if (other := _others(choices, keys)) else "")
        for key in keys
        if not _given(config.get(key))
    }


def _given(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _others(choices: tuple[tuple[str, ...], ...], chosen: tuple[str, ...]) -> list[str]:
    return [key for keys in choices if keys != chosen for key in keys if key not in chosen]
