"""What statements mean for HR records: verbs to enrollment effects, and where the course and
the lesson of a statement are (ADL and cmi5 vocabularies by default, overridable per
integration)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

Json = Mapping[str, Any]

ADL = "http://adlnet.gov/expapi/verbs/"
ADL_W3ID = "https://w3id.org/xapi/adl/verbs/"
CMI5_PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"
CMI5_REASON = "https://w3id.org/xapi/cmi5/result/extensions/reason"
CMI5_SESSION = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
CMI5_MASTERY = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
COURSE_TYPES = frozenset(
    {
        "http://adlnet.gov/expapi/activities/course",
        "https://w3id.org/xapi/cmi5/activitytype/course",
    }
)
# Activity types that group lessons without being the enrolled course (cmi5 blocks, modules).
GROUPING_TYPES = frozenset(
    {
        "https://w3id.org/xapi/cmi5/activitytype/block",
        "http://adlnet.gov/expapi/activities/module",
    }
)


class Effect(StrEnum):
    """What a verb does to an enrollment (and to the lesson it is about)."""

    ENROLL = "enroll"  # assigned or registered: the enrollment exists, not started
    START = "start"  # the learner is at it: in progress
    COMPLETE = "complete"  # completed
    PASS = "pass"  # completed, successfully
    FAIL = "fail"  # failed, unless passed
    WAIVE = "waive"  # completed without doing it; the reason is kept
    SESSION_END = "session_end"  # terminated or abandoned: time spent, nothing else


# The default table; an integration overrides entries with transformation_rules["verbs"].
VERB_EFFECTS: dict[str, Effect] = {
    ADL + "registered": Effect.ENROLL,
    "https://w3id.org/xapi/tla/verbs/assigned": Effect.ENROLL,
    "http://activitystrea.ms/schema/1.0/assign": Effect.ENROLL,
    ADL + "launched": Effect.START,
    ADL + "initialized": Effect.START,
    ADL + "attempted": Effect.START,
    ADL + "experienced": Effect.START,
    ADL + "progressed": Effect.START,
    ADL + "resumed": Effect.START,
    ADL + "answered": Effect.START,
    ADL + "completed": Effect.COMPLETE,
    ADL + "passed": Effect.PASS,
    ADL_W3ID + "satisfied": Effect.COMPLETE,
    ADL + "failed": Effect.FAIL,
    ADL_W3ID + "waived": Effect.WAIVE,
    ADL + "terminated": Effect.SESSION_END,
    ADL + "exited": Effect.SESSION_END,
    ADL + "suspended": Effect.SESSION_END,
    ADL_W3ID + "abandoned": Effect.SESSION_END,
}
# The verb the HR API records assignments with.
ASSIGNED_VERB = "https://w3id.org/xapi/tla/verbs/assigned"


@dataclass(frozen=True, slots=True)
class Placement:
    """The course a statement counts towards, and the lesson within it."""

    course: Json
    lesson: Json | None
    explicit: bool  # the statement itself says which activity is the course


@dataclass(frozen=True, slots=True)
class ReadingRules:
    """An integration's reading rules, from its field_mappings and transformation_rules."""

    verbs: dict[str, Effect]
    course_pattern: re.Pattern[str] | None
    course_types: frozenset[str]

    @classmethod
    def for_integration(
        cls, field_mappings: Json | None, transformation_rules: Json | None
    ) -> ReadingRules:
        fields = field_mappings or {}
        rules = transformation_rules or {}
        verbs = dict(VERB_EFFECTS)
        for verb, effect in (rules.get("verbs") or {}).items():
            verbs[verb] = Effect(effect)
        pattern = fields.get("course_id_pattern")
        return cls(
            verbs=verbs,
            course_pattern=re.compile(pattern) if pattern else None,
            course_types=COURSE_TYPES | frozenset(fields.get("course_activity_types", ())),
        )

    def effect(self, verb_id: str) -> Effect | None:
        return self.verbs.get(verb_id)

    def placement(self, statement: Json) -> Placement | None:
        """Where a statement belongs: its course and, when it is about a part of the course,
        that lesson; None when its object is not an Activity.

        In order: the object when it is a course (by type or by the integration's id
        pattern); else a course among the context's parent and grouping activities, the
        object then being the lesson. Those placements are explicit. Without one, the first
        parent is taken as the course (the object is its lesson), or else the object itself;
        such a placement gives way to the course its registration is known to belong to (a
        cmi5 AU's statements name only the AU; the course is known by registration).
        """
        obj = statement["object"]
        if obj.get("objectType", "Activity") != "Activity":
            return None
        if self._is_course(obj):
            return Placement(obj, None, explicit=True)
        context = statement.get("context", {}).get("contextActivities", {})
        candidates = [*_as_list(context.get("parent")), *_as_list(context.get("grouping"))]
        for activity in candidates:
            if self._is_course(activity):
                return Placement(activity, obj, explicit=True)
        parents = [a for a in _as_list(context.get("parent")) if _type(a) not in GROUPING_TYPES]
        if parents:
            return Placement(parents[0], obj, explicit=False)
        return Placement(obj, None, explicit=False)

    def _is_course(self, activity: Json) -> bool:
        if _type(activity) in self.course_types:
            return True
        return bool(self.course_pattern and self.course_pattern.fullmatch(activity["id"]))


def _type(activity: Json) -> str | None:
    definition = activity.get("definition") or {}
    value = definition.get("type")
    return value if isinstance(value, str) else None


def _as_list(value: Any) -> list[Json]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def display_name(activity: Json, fallback: str) -> str:
    """A human name for an activity: its English name, any name, or `fallback`."""
    names = (activity.get("definition") or {}).get("name") or {}
    for tag in ("en-US", "en-GB", "en"):
        if tag in names:
            return str(names[tag])
    return str(next(iter(names.values()), fallback))
