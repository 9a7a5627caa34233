"""Validators the HR API's schemas share, for what the specification's field types leave
open: which URLs are URLs, how large free text and JSON settings may be, which dates make
sense."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from marshmallow import ValidationError

# The specification's TextFields have no max_length; a page of text is plenty.
TEXT_MAX = 10_000
JSON_MAX_BYTES = 64 * 1024
# How far in the past a due date may lie: backfilling last year's training is ordinary, a
# date decades ago is a typo.
DUE_DATE_PAST_DAYS = 366


def web_url(value: str) -> None:
    """Empty, or an http or https URL with a host (never javascript:, data: or file:)."""
    if not value:
        return
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError("must be an http or https URL such as https://lms.example.com")
    if parts.username or parts.password:
        raise ValidationError(
            "must not hold a user or password: credentials go in authentication_config, "
            "which is encrypted and never shown"
        )


def bounded_json(value: Any) -> None:
    """JSON settings of at most JSON_MAX_BYTES."""
    size = len(json.dumps(value, default=str))
    if size > JSON_MAX_BYTES:
        raise ValidationError(f"is {size} bytes of JSON; at most {JSON_MAX_BYTES} are kept")


def not_expired(value: date | None) -> None:
    """An expiry date that has not passed: an expired assignment would grant nothing."""
    if value is not None and value < date.today():
        raise ValidationError("is in the past: an assignment that has expired grants nothing")


def recent_due_date(value: date | None) -> None:
    """A due date no more than a year ago."""
    if value is not None and value < date.today() - timedelta(days=DUE_DATE_PAST_DAYS):
        raise ValidationError(
            f"is more than {DUE_DATE_PAST_DAYS} days ago; check the year, or leave it out"
        )
