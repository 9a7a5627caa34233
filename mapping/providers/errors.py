"""What can go wrong when reading an LMS, whatever the LMS: each client maps its own error
shapes (HTTP statuses, Moodle's error bodies sent with 200) onto these, so a poll and a
connection test say the same thing of the same trouble."""

from __future__ import annotations

import json


class ProviderError(Exception):
    """The LMS refused or failed a request; `message` says what to do about it."""

    def __init__(
        self, message: str, *, status: int | None = None, code: str = "", body: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.body = body  # what the LMS answered, for a client that reads its error shape


class AuthError(ProviderError):
    """The credentials are wrong, expired or revoked: nothing works until they are fixed."""


class PermissionDenied(ProviderError):
    """The credentials work but may not do this (a web service function, a scope)."""


class NotFound(ProviderError):
    """The LMS has no such thing (a course, a user), or the URL is not the LMS's."""


class RateLimited(ProviderError):
    """The LMS asks to wait: `retry_after` seconds where it says."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, status: int | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class TransientError(ProviderError):
    """The LMS or the network failed in a way that may pass (5xx, timeouts, resets)."""


def body_says(exc: ProviderError, *path: str) -> str:
    """The text at `path` in the LMS's JSON error body (`"error", "message"` for
    `{"error": {"message": ...}}`); empty where there is none."""
    try:
        found: object = json.loads(exc.body)
    except ValueError:
        return ""
    for key in path:
        found = found.get(key) if isinstance(found, dict) else None
    return str(found) if isinstance(found, str | int) and found != "" else ""
