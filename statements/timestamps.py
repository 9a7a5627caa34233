"""ISO 8601 timestamps as xAPI uses them (Data 4.5): parsed with ciso8601, written in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import ciso8601


def parse_timestamp(value: str) -> datetime:
    """An aware datetime; a timestamp without a zone is taken as UTC. Raises ValueError."""
    parsed = ciso8601.parse_datetime(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_timestamp(value: datetime) -> str:
    """UTC with millisecond precision, the form the LRS returns (Data 4.5: SHOULD* be UTC)."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now() -> datetime:
    """The current time truncated to milliseconds, the precision `stored` is kept at.

    `stored` is returned with milliseconds; keeping the column at the same precision means a
    client that sends a returned `stored` back as `since` gets exactly the later statements.
    """
    current = datetime.now(UTC)
    return current.replace(microsecond=current.microsecond // 1000 * 1000)
