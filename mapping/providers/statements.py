"""What a poller makes of what it reads: xAPI statements whose ids are UUIDv5 over
(provider, instance, user, course, verb, the state that changed), so that reading the same
state twice, or two pollers racing, makes the same statement, stored once."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from mapping.vocabulary import LMS_EXTERNAL_ID, LMS_SHORT_ID

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
    # Registrations the LMS has removed: what was stored of them is voided.
    withdrawn: list[str] = field(default_factory=list)


def statement_id(provider: str, instance: str, *parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join([provider, instance.lower(), *map(str, parts)])))


def registration(
    provider: str, instance: str, user: object, course: object, *attempt: object
) -> str:
    """One enrolment's statements share a registration (not cmi5's: it places nothing); a
    new attempt at a course where the LMS numbers them (a reset), a registration of its own."""
    return statement_id(provider, instance, "enrollment", user, course, *attempt)


def at(epoch: float | int | None, otherwise: datetime) -> str:
    """An LMS's Unix time as an xAPI timestamp; `otherwise` where it gives none."""
    moment = datetime.fromtimestamp(epoch, UTC) if epoch else otherwise
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def second_after(iso: str) -> str:
    """A second after an ISO 8601 time: when an enrolment read as suspended is timed, so that
    the suspension is its last word over progress and grades read with the same time."""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")) + timedelta(seconds=1)
    return moment.isoformat()


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


def voiding(target: str, actor: dict[str, Any], when: str) -> dict[str, Any]:
    """The statement voiding `target` (stored of an enrolment the LMS removed), by its actor:
    one id per target, so that voiding twice stores it once."""
    return {
        "id": str(uuid.uuid5(NAMESPACE, f"voided|{target}")),
        "actor": actor,
        "verb": verb(ADL + "voided"),
        "object": {"objectType": "StatementRef", "id": target},
        "timestamp": when,
    }


def course_object(
    activity_id: str, name: object, short_id: object = None, external_id: object = None
) -> dict[str, Any]:
    """A course as a poll names it: the LMS's codes where it has them, for the HR course
    code (mapping.integration_rules.course_code)."""
    definition: dict[str, Any] = {"type": COURSE_TYPE, "name": {"en": str(name)}}
    codes = {LMS_SHORT_ID: short_id, LMS_EXTERNAL_ID: external_id}
    if found := {key: str(value) for key, value in codes.items() if value}:
        definition["extensions"] = found
    return {"objectType": "Activity", "id": activity_id, "definition": definition}


@dataclass
class Enrolment:
    """The statements a poll makes of one learner's enrolment in one course: one actor, one
    registration, ids over the state read, and the course as the parent of what sits in it."""

    provider: str
    instance: str
    platform: str
    course: dict[str, Any]  # the course activity
    course_id: object
    user_id: object
    name: str  # the learner's, as the LMS gives it
    ids: Mapping[str, object] = field(default_factory=dict)  # more LMS ids for the context
    # The LMS's number of this attempt at the course, where it numbers them.
    attempt: tuple[object, ...] = ()
    statements: list[dict[str, Any]] = field(default_factory=list)

    @property
    def registration(self) -> str:
        return registration(
            self.provider, self.instance, self.user_id, self.course_id, *self.attempt
        )

    def add(
        self,
        name: str,
        obj: dict[str, Any],
        when: str,
        key: tuple[object, ...] = (),
        **more: Any,
    ) -> None:
        """A statement of `name` (an ADL verb's name or any verb's IRI) about `obj`, whose id
        `key` (the state read) tells apart from the others of that verb."""
        ids = {"lms_user_id": self.user_id, "lms_course_id": self.course_id, **self.ids}
        context: dict[str, Any] = {
            "platform": self.platform,
            "registration": self.registration,
            "extensions": extensions(self.provider, self.instance, **ids),
        }
        if obj["id"] != self.course["id"]:
            context["contextActivities"] = {"parent": [{"id": self.course["id"]}]}
        self.statements.append(
            {
                "id": statement_id(
                    self.provider,
                    self.instance,
                    self.user_id,
                    self.course_id,
                    *self.attempt,
                    name,
                    *key,
                ),  # fmt: skip
                "actor": {
                    "objectType": "Agent",
                    "name": self.name,
                    "account": {"homePage": self.instance, "name": str(self.user_id)},
                },
                "verb": verb(name),
                "object": obj,
                "timestamp": when,
                "context": context,
                **more,
            }
        )


def extensions(provider: str, instance: str, **ids: object) -> dict[str, Any]:
    found: Mapping[str, object] = {"provider": provider, "instance": instance, **ids}
    return {EXTENSION + key.replace("_", "-"): str(value) for key, value in found.items()}
