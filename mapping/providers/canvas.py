"""Canvas LMS's REST API (v1): a bearer token, pages followed through the `Link` header's
`next` (opaque: never rebuilt), and Canvas's own shapes of trouble: 401 for a bad token, for
missing scopes and for a missing permission alike (told apart by the message), and 403
"Rate Limit Exceeded" (429 in newer releases) when its per-token bucket runs dry.

The token's user must be an account admin who may list the account's courses and their
enrolments, module progress and submissions (see README.md)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import requests

from mapping.providers.errors import AuthError, NotFound, PermissionDenied
from mapping.providers.http import HttpClient
from mapping.providers.report import ConnectionReport

PER_PAGE = 100


class CanvasClient:
    """One Canvas instance, through one access token."""

    def __init__(self, host: str, token: str, http: HttpClient) -> None:
        self.host = host.rstrip("/")
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def get(self, path: str, params: dict[str, Any] | None = None) -> requests.Response:
        response = self.http.request(
            "GET",
            path if path.startswith("http") else f"{self.host}/api/v1{path}",
            params=params,
            headers=self.headers,
            throttled=_throttled,
            allow_redirects=False,
        )
        return response

    def pages(self, path: str, params: dict[str, Any] | None = None) -> Iterator[list[Any]]:
        """Each page of a list, following `next` as Canvas gives it."""
        url: str | None = path
        query: dict[str, Any] | None = {"per_page": PER_PAGE, **(params or {})}
        while url:
            try:
                response = self.get(url, query)
            except AuthError as exc:
                raise _refined(exc) from exc
            yield response.json()
            url, query = response.links.get("next", {}).get("url"), None

    def items(self, path: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        for page in self.pages(path, params):
            yield from page

    def courses(self) -> Iterator[dict[str, Any]]:
        return self.items("/accounts/self/courses", {"state[]": ["available", "completed"]})

    def enrollments(self, course_id: int) -> Iterator[dict[str, Any]]:
        """The course's student enrolments, with grades."""
        return self.items(
            f"/courses/{course_id}/enrollments",
            {
                "type[]": "StudentEnrollment",
                "state[]": ["active", "completed", "inactive"],
            },
        )

    def progress(self, course_id: int) -> dict[int, dict[str, Any]]:
        """Each student's module progress, by user id (empty where the course has none)."""
        try:
            people = list(self.items(f"/courses/{course_id}/bulk_user_progress"))
        except NotFound:
            return {}
        return {int(person["id"]): person.get("progress") or {} for person in people}

    def submissions(self, course_id: int) -> Iterator[dict[str, Any]]:
        """The course's graded submissions, with their assignments."""
        return self.items(
            f"/courses/{course_id}/students/submissions",
            {"student_ids[]": "all", "include[]": "assignment", "workflow_state": "graded"},
        )

    def enrol(self, course_id: str, user_id: str) -> None:
        """Enrol a user as an active student (Canvas answers the enrolment it has where the
        user is enrolled so already)."""
        try:
            self.http.request(
                "POST",
                f"{self.host}/api/v1/courses/{course_id}/enrollments",
                data={
                    "enrollment[user_id]": user_id,
                    "enrollment[type]": "StudentEnrollment",
                    "enrollment[enrollment_state]": "active",
                    "enrollment[notify]": "false",
                },
                headers=self.headers,
                throttled=_throttled,
                allow_redirects=False,
            )
        except AuthError as exc:
            raise _refined(exc) from exc

    def test(self) -> ConnectionReport:
        started = time.monotonic()
        try:
            me = self.get("/users/self").json()
        except AuthError as exc:
            raise _refined(exc) from exc
        latency = (time.monotonic() - started) * 1000
        missing: list[str] = []
        courses: list[str] = []
        try:
            first = next(self.pages("/accounts/self/courses"), [])
            courses = [str(c.get("course_code") or c.get("id")) for c in first]
        except PermissionDenied:
            missing.append("list the account's courses (an account admin's token)")
        return ConnectionReport(
            site_name=f"Canvas, as {me.get('name', '?')}",
            release="",
            latency_ms=round(latency, 1),
            missing_permissions=missing,
            courses=courses,
            remedy="issue the token as an account admin of the account whose courses to read",
        )


def _throttled(response: requests.Response) -> bool:
    return response.status_code in (403, 429) and "Rate Limit Exceeded" in response.text


def _refined(exc: AuthError) -> AuthError | PermissionDenied:
    """Canvas answers 401 for three things; its message says which."""
    said = exc.message
    if "Insufficient scopes" in said or "not authorized" in said:
        return PermissionDenied(
            f"Canvas refused the request: the token may not do this ({said})", status=401
        )
    return AuthError(
        "Canvas refused the access token: issue a new one (Account > Settings > "
        "Approved Integrations, or a developer key's token)",
        status=401,
    )
