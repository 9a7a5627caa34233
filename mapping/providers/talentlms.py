"""TalentLMS's REST API (v1): the API key as the HTTP Basic user with an empty password,
arguments in the path as `key:value` pairs, every value a string, whole collections unpaged,
and errors as `{"error": {"message": ...}}` (a bare 401 for a bad key).

A super-admin enables the API (Account & Settings > Security & SSO > API) and gives its
key."""

from __future__ import annotations

import json
import time
from typing import Any

from mapping.providers.errors import AuthError, ProviderError
from mapping.providers.http import HttpClient
from mapping.providers.report import ConnectionReport


class TalentLmsClient:
    """One TalentLMS domain, through its API key."""

    def __init__(self, domain: str, api_key: str, http: HttpClient) -> None:
        self.base = domain.rstrip("/") + "/api/v1"
        self.auth = (api_key, "")
        self.http = http

    def get(self, path: str) -> Any:
        try:
            response = self.http.request("GET", f"{self.base}/{path}", auth=self.auth)
        except AuthError as exc:
            raise AuthError(
                "TalentLMS refused the API key: copy it again from Account & Settings > "
                "Security & SSO > API (the API must be enabled)",
                status=exc.status,
            ) from exc
        except ProviderError as exc:
            raise ProviderError(_said(exc) or exc.message, status=exc.status) from exc
        return response.json()

    def courses(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.get("courses")
        return found

    def course(self, course_id: str) -> dict[str, Any]:
        """A course with its roster (`users`) and units."""
        found: dict[str, Any] = self.get(f"courses/id:{course_id}")
        return found

    def status(self, course_id: str, user_id: str) -> dict[str, Any]:
        """A learner's status in a course, with each unit's completion, score and time."""
        found: dict[str, Any] = self.get(
            f"getuserstatusincourse/course_id:{course_id},user_id:{user_id}"
        )
        return found

    def test(self) -> ConnectionReport:
        started = time.monotonic()
        quota = self.get("ratelimit")  # not counted against the limit
        latency = (time.monotonic() - started) * 1000
        courses = self.courses()
        return ConnectionReport(
            site_name=f"TalentLMS ({quota.get('remaining', '?')} of {quota.get('limit', '?')} "
            "requests left this hour)",
            release="v1",
            latency_ms=round(latency, 1),
            missing_permissions=[],
            courses=[str(c.get("code") or c.get("id")) for c in courses],
        )


def _said(exc: ProviderError) -> str:
    """The message of a TalentLMS error body, where the error carries one."""
    try:
        body = json.loads(exc.body)
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    return (
        f"TalentLMS said: {error['message']}"
        if isinstance(error, dict) and error.get("message")
        else ""
    )
