"""Blackboard Learn's public REST API: an OAuth2 client-credentials token for a registered
application (its key and secret, as HTTP Basic at the token request), pages followed
through `paging.nextPage` (a path on the host, opaque: never rebuilt), and errors as
Blackboard's RestException (`status`, `message`) or, at the token request, OAuth2's.

The Learn administrator registers the application's key under REST API Integrations and
ties it to a Learn user whose role may read courses, memberships and the gradebook, and
enrol users where employees are enrolled from the HR side (see README.md). The Developer
Portal's default quota is 10,000 requests a day per site."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

import requests

from mapping.providers.errors import (
    AuthError,
    PermissionDenied,
    ProviderError,
    body_says,
)
from mapping.providers.http import HttpClient
from mapping.providers.oauth import AccessToken, oauth_error
from mapping.providers.report import ConnectionReport

API = "/learn/api/public"
LIMIT = 100  # records per page
# The membership enrolling an employee makes: Learn's defaults, which need no entitlement
# beyond enrolling (other roles or availabilities would).
STUDENT = {"courseRoleId": "Student", "availability": {"available": "Yes"}}
ENROL_REMEDY = (
    "give the application's Learn user the entitlement course.user-enroll.EXECUTE, or "
    "system.enrollment.CREATE with system.user.VIEW"
)


class BlackboardClient:
    """One Learn site, through one registered application."""

    def __init__(self, host: str, config: Mapping[str, Any], http: HttpClient) -> None:
        self.host = host.rstrip("/")
        self.http = http
        self.key = (str(config.get("client_id", "")), str(config.get("client_secret", "")))
        self.token = AccessToken(self._new_token)

    def _new_token(self) -> dict[str, Any]:
        try:
            response = self.http.request(
                "POST",
                f"{self.host}{API}/v1/oauth2/token",
                auth=self.key,
                data={"grant_type": "client_credentials"},
            )
        except (AuthError, PermissionDenied) as exc:
            if exc.status is None:  # refused before it reached Learn (a private network)
                raise
            said = oauth_error(exc) or body_says(exc, "message")
            raise AuthError(
                "Blackboard refused the application key and secret: check them in the "
                "Developer Portal and that the application is registered and available "
                "under System Admin > REST API Integrations" + (f" ({said})" if said else ""),
                status=exc.status,
            ) from exc
        found: dict[str, Any] = response.json()
        return found

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        found: dict[str, Any] = self._send("GET", path, params=params).json()
        return found

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One request with the token, a RestException said in Blackboard's words."""
        try:
            return self.token.send(
                lambda headers: self.http.request(
                    method, self.host + path, headers=headers, **kwargs
                )
            )
        except ProviderError as exc:
            if not (said := body_says(exc, "message")):
                raise
            raise type(exc)(f"Blackboard said: {said}", status=exc.status) from exc

    def enrol(self, course_id: str, user_id: str) -> None:
        """Make the user an available student of the course. Learn answers 409 ("User
        already enrolled") where the user has a membership already, which is left as it is."""
        try:
            self._send("PUT", f"{API}/v1/courses/{course_id}/users/{user_id}", json=STUDENT)
        except ProviderError as exc:
            if exc.status == 409:
                return
            if exc.status == 403:
                raise PermissionDenied(f"{exc.message} ({ENROL_REMEDY})", status=403) from exc
            raise

    def items(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Each record of a list, page by page."""
        page: str | None = path
        query: Mapping[str, Any] | None = {"limit": LIMIT, **(params or {})}
        while page:
            answer = self.get(page, query)
            yield from answer.get("results") or []
            page, query = (answer.get("paging") or {}).get("nextPage"), None

    def courses(self) -> Iterator[dict[str, Any]]:
        return self.items(f"{API}/v3/courses")

    def members(self, course_id: str) -> Iterator[dict[str, Any]]:
        """The course's students, with their user records."""
        return self.items(
            f"{API}/v1/courses/{course_id}/users", {"expand": "user", "role": "Student"}
        )

    def columns(self, course_id: str) -> Iterator[dict[str, Any]]:
        return self.items(f"{API}/v2/courses/{course_id}/gradebook/columns")

    def grades(self, course_id: str, column_id: str) -> Iterator[dict[str, Any]]:
        """Every user's grade in one gradebook column."""
        return self.items(f"{API}/v2/courses/{course_id}/gradebook/columns/{column_id}/users")

    def test(self) -> ConnectionReport:
        started = time.monotonic()
        version = self.get(f"{API}/v1/system/version").get("learn") or {}
        latency = (time.monotonic() - started) * 1000
        courses = [c for _, c in zip(range(LIMIT), self.courses(), strict=False)]
        missing: list[str] = []
        if courses:
            first = str(courses[0]["id"])
            for needed, listed in (
                ("read course memberships", self.members(first)),
                ("read the gradebook", self.columns(first)),
            ):
                try:
                    next(listed, None)
                except PermissionDenied:
                    missing.append(needed)
        release = ".".join(str(version[k]) for k in ("major", "minor", "patch") if k in version)
        return ConnectionReport(
            site_name="Blackboard Learn",
            release=release,
            latency_ms=round(latency, 1),
            missing_permissions=missing,
            courses=[str(c.get("courseId") or c["id"]) for c in courses],
            remedy="give the application's Learn user a role that may view course memberships "
            "and the Grade Center in every course to read",
        )
