"""TalentLMS's REST API (v1): the API key as the HTTP Basic user with an empty password,
arguments in the path as `key:value` pairs, every value a string, whole collections unpaged,
and errors as `{"error": {"message": ...}}` (a bare 401 for a bad key).

A super-admin enables the API (Account & Settings > Security & SSO > API) and gives its
key."""

from __future__ import annotations

import time
from typing import Any

import requests

from mapping.providers.errors import AuthError, ProviderError, body_says
from mapping.providers.http import HttpClient
from mapping.providers.report import ConnectionReport


class TalentLmsClient:
    """One TalentLMS domain, through its API key."""

    def __init__(self, domain: str, api_key: str, http: HttpClient) -> None:
        self.base = domain.rstrip("/") + "/api/v1"
        self.auth = (api_key, "")
        self.http = http

    def get(self, path: str) -> Any:
        return self._send("GET", path).json()

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One request with the key, an error body said in TalentLMS's words (of the same
        kind of error, so that a failure that may pass is tried again)."""
        try:
            return self.http.request(method, f"{self.base}/{path}", auth=self.auth, **kwargs)
        except AuthError as exc:
            raise AuthError(
                "TalentLMS refused the API key: copy it again from Account & Settings > "
                "Security & SSO > API (the API must be enabled)",
                status=exc.status,
            ) from exc
        except ProviderError as exc:
            if not (said := body_says(exc, "error", "message")):
                raise
            raise type(exc)(f"TalentLMS said: {said}", status=exc.status) from exc

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

    def enrol(self, course_id: str, user_id: str) -> None:
        """Enrol a user in a course as a learner (`addusertocourse`). TalentLMS's answer to a
        user enrolled already is not documented: a 400 or 409 whose message says "already"
        is taken for it, and the enrolment there is left as it is."""
        try:
            self._send(
                "POST",
                "addusertocourse",
                data={"user_id": user_id, "course_id": course_id, "role": "learner"},
            )
        except ProviderError as exc:
            if exc.status not in (400, 409) or "already" not in exc.message.lower():
                raise

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
