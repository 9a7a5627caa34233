"""Where a statement belongs: the enrollment (integration, employee, course) it counts
towards and the lesson within that course.

A statement names its course in one of three ways: its object is a course (by activity type
or the integration's id pattern); a course is among its parent or grouping context
activities, the object then being a lesson; or neither, and then, for cmi5, its
registration's course decides, as known from the statements of that registration that do
name it (a cmi5 AU's statements name only the AU). Failing all three, the first parent is
taken as the course, or else the object itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mapping.integration_rules import IntegrationRules
from mapping.vocabulary import (
    ATTEMPT_TYPE,
    CMI5_CATEGORY,
    GROUPING_TYPES,
    PART_TYPES,
    activity_type,
)

Json = Mapping[str, Any]
_NOT_LESSONS = GROUPING_TYPES | PART_TYPES


@dataclass(frozen=True, slots=True)
class Placement:
    """The course a statement counts towards, and the lesson within it."""

    course: Json
    lesson: Json | None
    explicit: bool  # the statement itself says which activity is the course


def place(statement: Json, rules: IntegrationRules) -> Placement | None:
    """Where a statement belongs by what it says itself; None when its object is not an
    Activity. A placement that is not explicit may give way to its registration's course."""
    obj = statement["object"]
    if obj.get("objectType", "Activity") != "Activity":
        return None
    if rules.is_course(obj):
        return Placement(obj, None, explicit=True)
    context = statement.get("context", {}).get("contextActivities", {})
    candidates = [*_as_list(context.get("parent")), *_as_list(context.get("grouping"))]
    for activity in candidates:
        if rules.is_course(activity):
            return Placement(activity, _taken(obj, candidates, rules), explicit=True)
    parents = [a for a in _as_list(context.get("parent")) if activity_type(a) not in GROUPING_TYPES]
    if parents:
        return Placement(parents[0], obj, explicit=False)
    return Placement(obj, None, explicit=False)


def _taken(obj: Json, context: Sequence[Json], rules: IntegrationRules) -> Json:
    """The lesson a statement is about: the activity the learner takes. A question, an
    interaction or an attempt is part of one, named among the context activities (a quiz
    and its attempt, an AU and its interactions): the nearest of those that is neither the
    course, nor what groups courses, nor a part itself."""
    if activity_type(obj) not in PART_TYPES:
        return obj
    for activity in context:
        kind = activity_type(activity)
        if not rules.is_course(activity) and kind not in _NOT_LESSONS:
            return activity
    return obj


def attempt_of(statement: Json) -> str | None:
    """The attempt activity a statement names, as its object or in its context."""
    context = statement.get("context", {}).get("contextActivities", {})
    for activity in [
        statement["object"],
        *(a for kind in context.values() for a in _as_list(kind)),
    ]:
        if activity_type(activity) == ATTEMPT_TYPE:
            return str(activity["id"])
    return None


def registration_of(statement: Json) -> uuid.UUID | None:
    """The statement's registration as the attempt of a course that its statements share:
    cmi5 defines it so. Other emitters' registrations say nothing about the course (Moodle
    derives one from its cron run, shared by every user and course in it), so they never
    pull a statement into a course it does not name."""
    context = statement.get("context", {})
    value = context.get("registration")
    if not value:
        return None
    categories = _as_list(context.get("contextActivities", {}).get("category"))
    if not any(isinstance(c, dict) and c.get("id") == CMI5_CATEGORY for c in categories):
        return None
    return uuid.UUID(value)


class Placements:
    """The placements of a batch's statements, each statement's read once however many
    enrollments the batch looks at it for."""

    def __init__(self) -> None:
        self._own: dict[uuid.UUID, Placement | None] = {}

    def own(
        self, statement_id: uuid.UUID, statement: Json, rules: IntegrationRules
    ) -> Placement | None:
        """Where the statement belongs by what it says itself."""
        if statement_id not in self._own:
            self._own[statement_id] = place(statement, rules)
        return self._own[statement_id]

    def of_learner(
        self, statements: Iterable[tuple[uuid.UUID, Json]], rules: IntegrationRules
    ) -> dict[uuid.UUID, Placement]:
        """Where each of one learner's statements belongs, its registration's course known
        from the learner's statements that name it (the smallest course id wins should a
        registration name several)."""
        statements = list(statements)
        courses: dict[uuid.UUID, Json] = {}
        for statement_id, statement in statements:
            registration = registration_of(statement)
            own = self.own(statement_id, statement, rules)
            if registration is None or own is None or not own.explicit:
                continue
            current = courses.get(registration)
            if current is None or own.course["id"] < current["id"]:
                courses[registration] = own.course
        placed: dict[uuid.UUID, Placement] = {}
        for statement_id, statement in statements:
            own = self.own(statement_id, statement, rules)
            if own is None:
                continue
            registration = registration_of(statement)
            course = courses.get(registration) if registration and not own.explicit else None
            if course is None:
                placed[statement_id] = own
            else:
                obj = statement["object"]
                lesson = obj if obj["id"] != course["id"] else None
                placed[statement_id] = Placement(course, lesson, explicit=True)
        return placed


def _as_list(value: Any) -> list[Json]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
