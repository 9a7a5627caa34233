"""What a connection test of an LMS found, whatever the LMS."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConnectionReport:
    """What a connection test found."""

    site_name: str
    release: str
    latency_ms: float
    missing_permissions: list[str]  # what the poller needs that the credentials may not do
    courses: list[str]  # the courses the credentials can see, by code
    # What to do about the missing permissions.
    remedy: str = ""
