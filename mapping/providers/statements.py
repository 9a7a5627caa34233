"""What a poller makes of what it reads: xAPI statements whose ids are UUIDv5 over
(provider, instance, user, course, verb, the state that changed), so that reading the same
state twice, or two pollers racing, makes the same statement, stored once."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:x-hr-lrs:providers")
ADL = "http://adlnet.gov/expapi/verbs/"
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
MODULE_TYPE = "http://adlnet.gov/expapi/activities/module"
ASSESSMENT_TYPE = "http://adlnet.gov/expapi/activities/assessment"
# Where a polled statement came from, for people reading it later.
EXTENSION = "urn:x-hr-lrs:provider:"


@dataclass(frozen=True, slots=True)
class Read:
    """What one learner's enrolment in one course came to."""

    records: int  # the LMS records read for it
    statements: list[dict[str, Any]]


def statement_id(provider: str, instance: str, *parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join([provider, instance.lower(), *map(str, parts)])))


def registration(provider: str, instance: str, user: object, course: object) -> str:
    """One enrolment's statements share a registration (not cmi5's: it places nothing)."""
    return statement_id(provider, instance, "enrollment", user, course)


def at(epoch: float | int | None, otherwise: datetime) -> str:
    """An LMS's Unix time as an xAPI timestamp; `otherwise` where it gives none."""
    moment = datetime.fromtimestamp(epoch, UTC) if epoch else otherwise
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def score(raw: float, low: float, high: float) -> dict[str, Any]:
    """xAPI's score: raw within min and max, scaled to four places."""
    found: dict[str, Any] = {"raw": raw, "min": low, "max": high}
    if high > low:
        found["scaled"] = round(min(max((raw - low) / (high - low), 0.0), 1.0), 4)
    return found


def verb(name: str) -> dict[str, Any]:
    """An ADL verb by its name, or any verb by its IRI."""
    iri = name if name.startswith("http") else ADL + name
    return {"id": iri, "display": {"en-US": iri.rsplit("/", 1)[-1]}}


def extensions(provider: str, instance: str, **ids: object) -> dict[str, Any]:
    found: Mapping[str, object] = {"provider": provider, "instance": instance, **ids}
    return {EXTENSION + key.replace("_", "-"): str(value) for key, value in found.items()}
