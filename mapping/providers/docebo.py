"""Docebo's REST API (`/learn/v1`): an OAuth2 access token from `/oauth2/token` for an API
client (its id and secret in the form), through the password grant for an API user or a
JWT-bearer grant signed with the client's private key, lists paged by `page` and
`page_size` in a `{"data": {"items", "has_more_data"}}` envelope, and errors as a
`message`, `error` or `errors` body (OAuth2's `error` at the token request).

A Superadmin activates the API and SSO app, adds the API client under Admin Menu > API and
SSO > Manage > API Credentials and enables its grant type there (Show Advanced Settings >
Grant Types); what the token may read is what its user may, so the API user is a
Superadmin, or a Power User who may see every course and enrolment to read (and enrol users
in those courses, where employees are enrolled from the HR side)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from joserfc import jwt
from joserfc.jwk import RSAKey

from mapping.providers.errors import (
    AuthError,
    NotFound,
    PermissionDenied,
    ProviderError,
    RateLimited,
    TransientError,
)
from mapping.providers.http import HttpClient
from mapping.providers.oauth import AccessToken, oauth_error
from mapping.providers.report import ConnectionReport

PAGE_SIZE = 200
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_S = 300  # an assertion is good for one token request, so briefly
CREDENTIALS = "Admin Menu > API and SSO > Manage > API Credentials"
# Enrolments in courses of every kind; learning plans are enrolled in apart.
COURSE_TYPES = ["elearning", "classroom", "webinar"]
GRANTS = {"password": "Resource Owner Password Credentials", JWT_BEARER: "JWT Bearer"}
STUDENT = 3  # a learner's course level, in Docebo's numbering of the levels


class DoceboClient:
    """One Docebo platform, through one API client and its API user."""

    def __init__(self, host: str, config: Mapping[str, Any], http: HttpClient) -> None:
        self.host = host.rstrip("/")
        self.http = http
        self.config = config
        self.grant = JWT_BEARER if config.get("private_key") else "password"
        self.token = AccessToken(self._new_token)

    def _new_token(self) -> dict[str, Any]:
        form = {
            "client_id": str(self.config.get("client_id", "")),
            "client_secret": str(self.config.get("client_secret", "")),
            "grant_type": self.grant,
            "scope": "api",
        }
        if self.grant == JWT_BEARER:
            form["assertion"] = self._assertion()
        else:
            form["username"] = str(self.config.get("username", ""))
            form["password"] = str(self.config.get("password", ""))
        try:
            response = self.http.request("POST", f"{self.host}/oauth2/token", data=form)
        except (RateLimited, TransientError, NotFound):
            raise
        except ProviderError as exc:
            if exc.status is None:  # refused before it reached Docebo (a private network)
                raise
            # OAuth2 answers a refused grant with 400 (invalid_grant), a refused client
            # with 400 or 401 (invalid_client).
            raise self._refused(exc) from exc
        found: dict[str, Any] = response.json()
        return found

    def _assertion(self) -> str:
        """The JWT the grant presents: issued by the API client for its API user (`sub`,
        where the configuration names one), to this platform, signed with RS256."""
        try:
            key = RSAKey.import_key(str(self.config.get("private_key", "")))
        except ValueError as exc:
            raise AuthError("the Docebo private_key is not a PEM RSA key") from exc
        if not key.is_private:
            raise AuthError(
                "the Docebo private_key is a public key: give the private key whose public "
                f"key the API client holds under {CREDENTIALS}"
            )
        issued = int(time.time())
        claims: dict[str, Any] = {
            "iss": str(self.config.get("client_id", "")),
            "aud": urlsplit(self.host).netloc,
            "iat": issued,
            "exp": issued + ASSERTION_S,
        }
        if username := self.config.get("username"):
            claims["sub"] = str(username)
        return jwt.encode({"alg": "RS256", "typ": "JWT"}, claims, key)

    def _refused(self, exc: ProviderError) -> AuthError:
        """What a refused token request means, told by its OAuth2 error code."""
        said = oauth_error(exc) or _said(exc)
        code = said.split(":", 1)[0]
        if code in ("unauthorized_client", "unsupported_grant_type"):
            what = (
                f"Docebo refused the grant: enable {GRANTS[self.grant]} for the API client under "
                f"{CREDENTIALS} > Show Advanced Settings > Grant Types"
            )
        elif code == "invalid_grant" and self.grant == JWT_BEARER:
            what = (
                "Docebo refused the signed assertion: check that the API client holds this "
                "private key's public key and that `username` names an active user"
            )
        elif code == "invalid_grant":
            what = (
                "Docebo refused the API user's username or password: check them by signing in "
                "to Docebo as that user"
            )
        else:
            what = (
                "Docebo refused the API client's credentials: check the client id and secret "
                f"under {CREDENTIALS} and that the client is active"
            )
        return AuthError(what + (f" ({said})" if said else ""), status=exc.status)

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        found: dict[str, Any] = self._send("GET", path, params=params).json()
        return found

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.token.send(lambda headers: self._request(method, path, headers, **kwargs))

    def _request(
        self, method: str, path: str, headers: dict[str, str], **kwargs: Any
    ) -> requests.Response:
        """One request with the token, its refusals said in Docebo's words (a refused token
        request has said its own)."""
        try:
            return self.http.request(method, self.host + path, headers=headers, **kwargs)
        except AuthError as exc:
            said = _said(exc)
            raise AuthError(
                "Docebo refused the access token it had just issued: check that the API user "
                f"is active and the API client enabled under {CREDENTIALS}"
                + (f" ({said})" if said else ""),
                status=exc.status,
            ) from exc
        except PermissionDenied as exc:
            raise PermissionDenied(
                "Docebo refused the request: the API user may not do this "
                f"({_said(exc) or exc.message})",
                status=exc.status,
            ) from exc
        except ProviderError as exc:
            if not (said := _said(exc)):
                raise
            raise type(exc)(f"Docebo said: {said}", status=exc.status) from exc

    def items(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Each record of a list, page by page until Docebo says there are no more."""
        page = 1
        while True:
            data = self.get(path, {**(params or {}), "page": page, "page_size": PAGE_SIZE})
            found = data.get("data") or {}
            yield from found.get("items") or []
            if not found.get("has_more_data"):
                return
            page += 1

    def courses(self) -> Iterator[dict[str, Any]]:
        return self.items("/learn/v1/courses")

    def enrollments(self) -> Iterator[dict[str, Any]]:
        """Every user's course enrolments (all levels: the poll keeps the learners')."""
        return self.items("/learn/v1/enrollments", {"type[]": COURSE_TYPES})

    def enrol(self, course_id: str, user_id: str) -> None:
        """Enrol a user in a course as a student, through the single enrolment of Docebo's
        API spec (that level 3 is the student's is not documented there). Docebo lists the
        users it could not enrol in the answer's `errors`; its words for one enrolled already
        are not documented either, so an error that says "already" (there, or a 400 or 409)
        is taken for it, and the enrolment there is left as it is."""
        try:
            response = self._send(
                "POST", f"/learn/v1/enrollments/{course_id}/{user_id}", json={"level": STUDENT}
            )
        except ProviderError as exc:
            if exc.status in (400, 409) and "already" in exc.message.lower():
                return
            raise
        errors = (response.json().get("data") or {}).get("errors") or []
        refused = [str(e) for e in errors if "already" not in str(e).lower()]
        if refused:
            raise ProviderError(f"Docebo did not enrol the user: {'; '.join(refused)}")

    def test(self) -> ConnectionReport:
        self.token.header()  # the token request is not the platform's latency
        started = time.monotonic()
        me = self.get("/manage/v1/user/session").get("data") or {}
        latency = (time.monotonic() - started) * 1000
        missing: list[str] = []
        courses: list[str] = []
        try:
            first = self.get("/learn/v1/courses", {"page": 1, "page_size": PAGE_SIZE})
            listed = (first.get("data") or {}).get("items") or []
            courses = [str(c.get("code") or c.get("id_course")) for c in listed]
        except PermissionDenied:
            missing.append("list the courses")
        try:
            self.get("/learn/v1/enrollments", {"page": 1, "page_size": 1})
        except PermissionDenied:
            missing.append("list every user's enrolments")
        return ConnectionReport(
            site_name=f"Docebo, as {me.get('username', '?')}",
            release="",
            latency_ms=round(latency, 1),
            missing_permissions=missing,
            courses=courses,
            remedy="make the API user a Superadmin, or a Power User who may view the courses "
            "and enrolments of every branch to read",
        )


def _said(exc: ProviderError) -> str:
    """What a Docebo error body says: its `message`, else its `errors` (texts, or objects
    with a `message`), else its `error`."""
    try:
        body = json.loads(exc.body)
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    errors = body.get("errors")
    listed = errors if isinstance(errors, list) else []
    texts = [e.get("message") if isinstance(e, dict) else e for e in listed]
    for said in (body.get("message"), "; ".join(str(t) for t in texts if t), body.get("error")):
        if isinstance(said, str) and said:
            return said
    return ""
