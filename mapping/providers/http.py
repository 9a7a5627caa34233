"""The one HTTP client every LMS client uses: a timeout on every request, transient failures
and throttling retried with exponential backoff and jitter (urllib3's Retry, honouring
Retry-After) up to the integration's `max_retry_attempts`, and what is left mapped onto
mapping.providers.errors."""

from __future__ import annotations

import ipaddress
import random
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from mapping.providers.errors import (
    AuthError,
    NotFound,
    PermissionDenied,
    ProviderError,
    RateLimited,
    TransientError,
)

RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
# Retry-After beyond this is not waited for within a request: the run stops and says when
# the LMS will take requests again.
LONGEST_WAIT_S = 120.0
USER_AGENT = "hr-learning-hub (LMS poller)"


class _Retry(Retry):
    """urllib3's Retry, that will not sleep through a Retry-After longer than LONGEST_WAIT_S."""

    def get_retry_after(self, response: Any) -> float | None:
        wait = super().get_retry_after(response)
        return None if wait is None else min(wait, LONGEST_WAIT_S)


@dataclass(frozen=True, slots=True)
class Politeness:
    """How an integration asks that its LMS be treated."""

    timeout_seconds: float = 30
    max_retry_attempts: int = 3
    backoff_seconds: float = 0.5
    # Whether the LMS may be on a private, loopback or link-local network.
    private_networks: bool = False


class HttpClient:
    """Requests to one LMS."""

    def __init__(
        self,
        politeness: Politeness,
        session: requests.Session | None = None,
        pace: Callable[[], None] | None = None,
    ) -> None:
        self.politeness = politeness
        # Called before each request; returns once the integration's rate limit allows one.
        self.pace = pace
        self.session = session or requests.Session()
        self.requests = 0  # answered requests, retries not counted
        retry = _Retry(
            total=politeness.max_retry_attempts,
            status_forcelist=RETRIED_STATUSES,
            allowed_methods=None,  # the LMSs' reads include POSTs (Moodle's web services)
            backoff_factor=politeness.backoff_seconds,
            backoff_jitter=politeness.backoff_seconds,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers["User-Agent"] = USER_AGENT

    def request(
        self,
        method: str,
        url: str,
        *,
        throttled: Callable[[requests.Response], bool] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """The LMS's answer, once retries are spent; ProviderError unless it is a success.
        `throttled` tells an LMS's own way of saying "slow down" (Canvas answers 403 with
        "Rate Limit Exceeded"): such answers are waited out and retried like a 429."""
        if not self.politeness.private_networks:
            refuse_private(url)
        for attempt in range(self.politeness.max_retry_attempts + 1):
            if self.pace is not None:
                self.pace()
            try:
                response = self.session.request(
                    method, url, timeout=self.politeness.timeout_seconds, **kwargs
                )
            except requests.exceptions.RetryError as exc:
                raise TransientError(f"the LMS kept failing: {exc}") from exc
            except (requests.ConnectionError, requests.Timeout) as exc:
                raise TransientError(f"the LMS could not be reached: {exc}") from exc
            self.requests += 1
            if throttled is None or not throttled(response):
                break
            if attempt == self.politeness.max_retry_attempts:
                raise RateLimited("the LMS kept asking to slow down", status=response.status_code)
            time.sleep(self._backoff(attempt, response))
        check(response)
        return response

    def _backoff(self, attempt: int, response: requests.Response) -> float:
        after = response.headers.get("Retry-After", "")
        if after.isdigit():
            return min(float(after), LONGEST_WAIT_S)
        base = self.politeness.backoff_seconds * 2.0**attempt
        return min(base + random.uniform(0, self.politeness.backoff_seconds), LONGEST_WAIT_S)


def refuse_private(url: str) -> None:
    """Refuse a URL whose host is, or resolves to, an address on a private, loopback,
    link-local or otherwise reserved network."""
    host = urlsplit(url).hostname or ""
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except OSError as exc:
        raise TransientError(f"the LMS's host {host!r} could not be resolved: {exc}") from exc
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global:
            raise PermissionDenied(
                f"the LMS's host {host!r} is on a private or local network ({ip}); set "
                "LRS_PROVIDERS_PRIVATE_NETWORKS=true where the LMS runs on the company's "
                "own network"
            )


def check(response: requests.Response) -> None:
    """Raise the ProviderError a non-success response means."""
    status = response.status_code
    if status < 400:
        return
    body = response.text
    text = body[:300]
    if status == 401:
        raise AuthError(f"the LMS refused the credentials (401): {text}", status=status, body=body)
    if status == 403:
        raise PermissionDenied(
            f"the LMS refused the request (403): {text}", status=status, body=body
        )
    if status == 404:
        raise NotFound(
            f"the LMS has no such resource (404): {response.url}", status=status, body=body
        )
    if status == 429:
        after = response.headers.get("Retry-After")
        raise RateLimited(
            "the LMS asks to slow down (429)",
            retry_after=float(after) if after and after.isdigit() else None,
            status=status,
        )
    if status >= 500:
        raise TransientError(f"the LMS failed ({status}): {text}", status=status, body=body)
    raise ProviderError(
        f"the LMS rejected the request ({status}): {text}", status=status, body=body
    )
