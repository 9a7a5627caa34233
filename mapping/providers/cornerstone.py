"""Cornerstone OnDemand's Reporting API: OData v4 views over its real-time data warehouse
(users, learning objects, transcripts), read with an OAuth2 client-credentials token for
the scopes an API application was granted, `Prefer: odata.maxpagesize`, `@odata.nextLink`
followed as given, and errors in Cornerstone's envelope (`{"status", "error": {"message"}}`).

An administrator registers the application under Admin > Tools > Edge > API Explorer
(OAuth 2.0 applications), grants it the Reporting API's read scopes and gives its client id,
secret and those scopes (see README.md). The warehouse throttles at 400 requests a minute and
24,000 an hour per view."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from mapping.providers.errors import (
    AuthError,
    PermissionDenied,
    ProviderError,
    body_says,
)
from mapping.providers.http import HttpClient
from mapping.providers.oauth import AccessToken, oauth_error
from mapping.providers.report import ConnectionReport

VIEWS = "/services/api/x/odata/api/views"
PAGE = 1000  # rows per page (Cornerstone's default; 10,000 at most)
TRANSCRIPT = (
    "reg_num,transc_user_id,transc_object_id,user_lo_status_group_id,user_lo_reg_dt,"
    "user_lo_start_dt,user_lo_comp_dt,user_lo_pct_complete,user_lo_score,user_lo_pass,"
    "user_lo_minutes_participated,is_removed,archived,_last_touched_dt_utc"
)


class CornerstoneClient:
    """One Cornerstone portal, through one API application."""

    def __init__(self, host: str, config: Mapping[str, Any], http: HttpClient) -> None:
        self.host = host.rstrip("/")
        self.http = http
        self.grant = {
            "clientId": str(config.get("client_id", "")),
            "clientSecret": str(config.get("client_secret", "")),
            "grantType": "client_credentials",
            "scope": str(config.get("scope", "")),
        }
        self.token = AccessToken(self._new_token)

    def _new_token(self) -> dict[str, Any]:
        try:
            response = self.http.request(
                "POST", f"{self.host}/services/api/oauth2/token", json=self.grant
            )
        except (AuthError, PermissionDenied) as exc:
            if exc.status is None:  # refused before it reached Cornerstone (a private network)
                raise
            said = oauth_error(exc) or body_says(exc, "error", "message")
            raise AuthError(
                "Cornerstone refused the API application's client id and secret: check them "
                "and the scopes granted to it under Edge > API Explorer"
                + (f" ({said})" if said else ""),
                status=exc.status,
            ) from exc
        found: dict[str, Any] = response.json()
        return found

    def page(self, url: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        headers = {"Accept": "application/json", "Prefer": f"odata.maxpagesize={PAGE}"}
        try:
            response = self.token.send(
                lambda auth: self.http.request(
                    "GET", url, params=params, headers={**headers, **auth}
                )
            )
        except ProviderError as exc:
            if not (said := body_says(exc, "error", "message")):
                raise
            raise type(exc)(f"Cornerstone said: {said}", status=exc.status) from exc
        found: dict[str, Any] = response.json()
        return found

    def rows(self, view: str, select: str, where: str | None = None) -> Iterator[dict[str, Any]]:
        """Each row of a view, page by page. The warehouse may repeat a row on two pages
        while it syncs: a row's statements have the same ids either time."""
        url: str | None = f"{self.host}{VIEWS}/{view}"
        params: dict[str, Any] | None = {"$select": select}
        if where and params is not None:
            params["$filter"] = where
        while url:
            answer = self.page(url, params)
            yield from answer.get("value") or []
            url, params = answer.get("@odata.nextLink"), None

    def trainings(self) -> Iterator[dict[str, Any]]:
        return self.rows("vw_rpt_training", "object_id,lo_title,lo_object_type")

    def users(self) -> Iterator[dict[str, Any]]:
        return self.rows("vw_rpt_user", "user_id,user_name_first,user_name_last")

    def transcripts(self, since: datetime | None) -> Iterator[dict[str, Any]]:
        """Every transcript row, or those touched since `since`."""
        where = None
        if since is not None:
            moment = since.isoformat(timespec="seconds").replace("+00:00", "Z")
            where = f"_last_touched_dt_utc gt cast('{moment}', Edm.DateTimeOffset)"
        return self.rows("vw_rpt_transcript", TRANSCRIPT, where)

    def test(self) -> ConnectionReport:
        started = time.monotonic()
        first = self.page(f"{self.host}{VIEWS}/vw_rpt_training", {"$select": "object_id,lo_title"})
        latency = (time.monotonic() - started) * 1000
        missing: list[str] = []
        for view, select in (
            ("vw_rpt_user", "user_id"),
            ("vw_rpt_transcript", "reg_num"),
        ):
            try:
                self.page(f"{self.host}{VIEWS}/{view}", {"$select": select})
            except PermissionDenied:
                missing.append(f"read the Reporting API view {view}")
        return ConnectionReport(
            site_name=f"Cornerstone ({self.host.split('//')[-1]})",
            release="Reporting API (OData v4)",
            latency_ms=round(latency, 1),
            missing_permissions=missing,
            courses=[str(t.get("lo_title", "")) for t in first.get("value") or []],
            remedy="grant the API application the Reporting API's read scopes and give them "
            "in the integration's scope",
        )
