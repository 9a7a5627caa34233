"""Moodle's web services (REST protocol): every call is a POST to
`<wwwroot>/webservice/rest/server.php` with the token, the function and its parameters in
PHP's array encoding, and Moodle answers 200 even for errors, with the error in the body.

The token belongs to an external service that must list FUNCTIONS, for a user with the
capabilities to read other users' enrolments, completion and grades."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

from mapping.providers.errors import AuthError, NotFound, PermissionDenied, ProviderError
from mapping.providers.http import HttpClient
from mapping.providers.report import ConnectionReport

# What the poller calls: the token's service must list them all.
FUNCTIONS = (
    "core_webservice_get_site_info",
    "core_course_get_courses_by_field",
    "core_course_get_contents",
    "core_enrol_get_enrolled_users",
    "core_completion_get_course_completion_status",
    "core_completion_get_activities_completion_status",
    "gradereport_user_get_grade_items",
)
# What enrolling employees from the HR side calls (sync_direction bidirectional or
# outbound_only), and the role it gives: Moodle's student archetype.
ENROL = "enrol_manual_enrol_users"
STUDENT_ROLE = 5
PAGE = 200  # enrolled users per request
_BAD_TOKEN = {"invalidtoken", "invalidtimedtoken", "invalidiptoken"}


class MoodleClient:
    """One Moodle site, through one web service token."""

    def __init__(self, site: str, token: str, http: HttpClient, *, enrols: bool = False) -> None:
        self.endpoint = site.rstrip("/") + "/webservice/rest/server.php"
        self.token = token
        self.http = http
        # What the token's service must list: ENROL too where employees are enrolled.
        self.needed = (*FUNCTIONS, ENROL) if enrols else FUNCTIONS

    def call(self, function: str, **params: Any) -> Any:
        """The decoded answer of one web service function."""
        data = {"wstoken": self.token, "wsfunction": function, "moodlewsrestformat": "json"}
        data.update(php_params(params))
        response = self.http.request("POST", self.endpoint, data=data)
        try:
            body = response.json()
        except ValueError as exc:
            raise ProviderError(
                f"{self.endpoint} did not answer as Moodle's REST web service does (not JSON): "
                "check that api_endpoint_url is the site's wwwroot and the REST protocol is on"
            ) from exc
        if isinstance(body, dict) and ("exception" in body or "errorcode" in body):
            raise _error(function, body)
        return body

    def enrol(self, course_id: str, user_id: str) -> None:
        """Enrol a user as a student through manual enrolments (enrolling again changes
        nothing). The token's service must also list ENROL."""
        self.call(
            ENROL,
            enrolments=[
                {"roleid": STUDENT_ROLE, "userid": int(user_id), "courseid": int(course_id)}
            ],
        )

    def site_info(self) -> dict[str, Any]:
        info: dict[str, Any] = self.call("core_webservice_get_site_info")
        return info

    def courses(self) -> list[dict[str, Any]]:
        """Every course the token can see (the site's front page, course 1, left out)."""
        found = self.call("core_course_get_courses_by_field").get("courses", [])
        return [course for course in found if course.get("format") != "site"]

    def modules(self, course_id: int) -> dict[int, dict[str, Any]]:
        """The course's modules (activities and resources) by course module id."""
        sections = self.call("core_course_get_contents", courseid=course_id)
        return {
            int(module["id"]): module
            for section in sections
            for module in section.get("modules", [])
        }

    def enrolled_users(self, course_id: int) -> Iterator[dict[str, Any]]:
        """The course's participants, a page at a time."""
        start = 0
        while True:
            page = self.call(
                "core_enrol_get_enrolled_users",
                courseid=course_id,
                options=[
                    {"name": "limitfrom", "value": start},
                    {"name": "limitnumber", "value": PAGE},
                    {"name": "userfields", "value": "id,fullname,email,idnumber,roles"},
                ],
            )
            yield from page
            if len(page) < PAGE:
                return
            start += PAGE

    def course_completion(self, course_id: int, user_id: int) -> dict[str, Any] | None:
        """The user's completion of the course; None where the course tracks none."""
        try:
            status: dict[str, Any] = self.call(
                "core_completion_get_course_completion_status", courseid=course_id, userid=user_id
            )["completionstatus"]
        except ProviderError as exc:
            if exc.code == "nocriteriaset":
                return None
            raise
        return status

    def activities_completion(self, course_id: int, user_id: int) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.call(
            "core_completion_get_activities_completion_status", courseid=course_id, userid=user_id
        ).get("statuses", [])
        return found

    def grade_items(self, course_id: int, user_id: int) -> list[dict[str, Any]]:
        grades = self.call("gradereport_user_get_grade_items", courseid=course_id, userid=user_id)
        items: list[dict[str, Any]] = []
        for user in grades.get("usergrades", []):
            items.extend(user.get("gradeitems", []))
        return items

    def test(self) -> ConnectionReport:
        """Authenticate, see which functions the token's service lacks, and read the courses."""
        started = time.monotonic()
        info = self.site_info()
        latency = (time.monotonic() - started) * 1000
        listed = {f.get("name") for f in info.get("functions", [])}
        missing = [name for name in self.needed if name not in listed]
        courses = [] if "core_course_get_courses_by_field" in missing else self.courses()
        return ConnectionReport(
            site_name=str(info.get("sitename", "")),
            release=str(info.get("release", "")),
            latency_ms=round(latency, 1),
            missing_permissions=missing,
            courses=[str(course.get("shortname", course.get("id"))) for course in courses],
            remedy="add them to the Moodle external service the token belongs to",
        )


def php_params(params: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Parameters in PHP's array encoding: `options[0][name]=limitfrom`."""
    flat: dict[str, str] = {}
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, Mapping):
            flat.update(php_params(value, name))
        elif isinstance(value, list | tuple):
            flat.update(php_params({str(i): item for i, item in enumerate(value)}, name))
        elif isinstance(value, bool):
            flat[name] = "1" if value else "0"
        else:
            flat[name] = str(value)
    return flat


def _error(function: str, body: Mapping[str, Any]) -> ProviderError:
    """The error a Moodle error body means, with what to do about it."""
    code = str(body.get("errorcode", ""))
    said = str(body.get("message", ""))
    if code in _BAD_TOKEN:
        return AuthError(
            f"Moodle refused the token ({code}: {said}): create a token for the integration's "
            "external service (Site administration > Server > Web services > Manage tokens)",
            code=code,
        )
    if code == "accessexception" or body.get("exception") == "webservice_access_exception":
        return PermissionDenied(
            f"the token lacks {function}: add it to the Moodle external service, and give "
            "the token's user the capabilities it needs",
            code=code,
        )
    if code == "invalidrecord":
        return NotFound(f"Moodle has no such record ({function}): {said}", code=code)
    return ProviderError(f"Moodle answered {function} with {code}: {said}", code=code)
