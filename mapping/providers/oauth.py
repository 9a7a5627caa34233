"""OAuth2 access tokens for the LMSs that issue them to a server (Blackboard, Cornerstone,
Docebo): fetched through the LMS's own token request, kept until a minute before they expire,
and fetched again once when the LMS refuses one before then (revoked, or its clock ahead)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from mapping.providers.errors import AuthError, ProviderError

T = TypeVar("T")
EARLY_S = 60.0  # a token is renewed this long before the LMS says it expires
DEFAULT_LIFETIME_S = 3600.0


class AccessToken:
    """One LMS's current access token; `fetch` asks the LMS for a new one and answers its
    token response (`access_token`, `expires_in`)."""

    def __init__(self, fetch: Callable[[], dict[str, Any]]) -> None:
        self.fetch = fetch
        self.value = ""
        self.expires = 0.0  # time.monotonic()
        self.fetched = 0  # tokens fetched, for tests and figures

    def header(self) -> dict[str, str]:
        if not self.value or time.monotonic() >= self.expires:
            answer = self.fetch()
            token = answer.get("access_token") if isinstance(answer, dict) else None
            if not isinstance(token, str) or not token:
                raise ProviderError("the LMS's token response holds no access_token")
            lifetime = float(answer.get("expires_in") or DEFAULT_LIFETIME_S)
            self.value, self.expires = token, time.monotonic() + max(lifetime - EARLY_S, 0.0)
            self.fetched += 1
        return {"Authorization": f"Bearer {self.value}"}

    def send(self, request: Callable[[dict[str, str]], T]) -> T:
        """`request(headers)` with the token; with a new one once if the LMS refuses it."""
        headers = self.header()  # a refused token request is not asked again
        try:
            return request(headers)
        except AuthError:
            self.value = ""
            return request(self.header())


def oauth_error(exc: ProviderError) -> str:
    """What an OAuth2 error body (`error`, `error_description`) says, where it is one."""
    try:
        body = json.loads(exc.body)
    except ValueError:
        return ""
    if not isinstance(body, dict) or not isinstance(body.get("error"), str):
        return ""
    return ": ".join(str(part) for part in (body["error"], body.get("error_description")) if part)
