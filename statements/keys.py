"""Index keys: the strings a statement's agents, verb and activities are filtered by.

Two agents are the same when they share an inverse functional identifier (xAPI Data
2.4.2.3), so an agent's key is its identifier, written so that different identifiers never
collide. Keys longer than an index column are replaced by a digest, on writes and queries
alike, so the comparison stays exact.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from statements.models import KEY_LENGTH


def index_key(value: str) -> str:
    """`value`, or its SHA-256 when it would not fit an index column."""
    if len(value) <= KEY_LENGTH:
        return value
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


def agent_key(agent: Mapping[str, Any]) -> str | None:
    """The key of an Agent or identified Group; None for an anonymous Group."""
    if "mbox" in agent:
        # The domain part of an e-mail address is case-insensitive (xAPI Data 2.3.1).
        local, _, domain = agent["mbox"].rpartition("@")
        return index_key(f"mbox:{local}@{domain.lower()}")
    if "mbox_sha1sum" in agent:
        return index_key(f"mbox_sha1sum:{agent['mbox_sha1sum'].lower()}")
    if "openid" in agent:
        return index_key(f"openid:{agent['openid']}")
    if "account" in agent:
        account = agent["account"]
        # A homePage is an IRI and holds no whitespace, so the space cannot be ambiguous.
        return index_key(f"account:{account['homePage']} {account['name']}")
    return None
