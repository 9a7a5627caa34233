"""Where a statement belongs: the enrollment (integration, employee, course) it counts
towards and the lesson within that course.

A statement names its course in one of four ways: its object is a course (by activity type
or the integration's id pattern); a course is among its parent or grouping context
activities, the object then being a lesson; its object's id names the course (H5P's
sub-content, Rise's lessons: mapping.activity_ids); or none of these, and then, for cmi5,
its registration's course decides, as known from the statements of that registration that do
name it (a cmi5 AU's statements name only the AU). Failing all, a context activity whose id
the object's extends is the course (iSpring's, Captivate's and Storyline's slides and
questions extend their course's id, which they give untyped), else the first parent, else
the object itself.

A question, an interaction or a feedback item is part of the lesson it sits in (a quiz, an
AU, a SCO, a chapter), or of the course itself: its statement shows the learner at work and
no more; its result is the question's, not the lesson's.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from mapping.activity_ids import SUB_CONTENT, course_named_in, rise_lesson_of
from mapping.integration_rules import IntegrationRules
from mapping.vocabulary import (
    ATTEMPT_TYPE,
    CMI5_CATEGORY,
    CMI5_SESSION,
    GROUPING_TYPES,
    INTERACTION_TYPES,
    PART_TYPES,
    activity_type,
)

Json = Mapping[str, Any]
_NOT_LESSONS = GROUPING_TYPES | PART_TYPES
# H5P names the library of a statement's object in its category: an H5P.Column is a chapter
# of an Interactive Book (or a page of columns), the one sub-content that is a lesson.
_H5P_CHAPTER = "http://h5p.org/libraries/H5P.Column-"


@dataclass(frozen=True, slots=True)
class Placement:
    """The course a statement counts towards, and the lesson within it."""

    course: Json
    lesson: Json | None
    explicit: bool  # the statement itself says which activity is the course
    # The statement is about a part of the lesson (or of the course): a question.
    part: bool = False


def place(statement: Json, rules: IntegrationRules) -> Placement | None:
    """Where a statement belongs by what it says itself; None when its object is not an
    Activity. A placement that is not explicit may give way to its registration's course."""
    obj = statement["object"]
    if obj.get("objectType", "Activity") != "Activity":
        return None
    if rules.is_course(obj):
        return Placement(obj, None, explicit=True)
    context = statement.get("context", {}).get("contextActivities", {})
    parents = [a for a in _as_list(context.get("parent")) if a.get("id") != obj["id"]]
    candidates = [*parents, *(a for a in _as_list(context.get("grouping")) if a not in parents)]
    for activity in candidates:
        if rules.is_course(activity):
            return _within(activity, obj, candidates, rules, explicit=True)
    if (course_id := course_named_in(obj["id"])) is not None:
        return _by_id(obj, {"id": course_id}, parents, context)
    containers = [a for a in candidates if activity_type(a) not in GROUPING_TYPES]
    outer = [a for a in containers if _extends(obj["id"], a["id"])]
    # A site's root is the course only where nothing narrower is.
    outer = [a for a in outer if not _is_origin(a["id"])] or outer
    if outer:
        return _within(min(outer, key=lambda a: len(a["id"])), obj, containers, rules)
    containers = [a for a in parents if activity_type(a) not in GROUPING_TYPES]
    if containers:
        return _within(containers[0], obj, containers, rules)
    return Placement(obj, None, explicit=False)


def _within(
    course: Json,
    obj: Json,
    context: Sequence[Json],
    rules: IntegrationRules,
    *,
    explicit: bool = False,
) -> Placement:
    """The statement about `obj` in `course`: the lesson is the activity the learner takes.
    A question, an interaction or an attempt is part of one, named among the context
    activities (a quiz and its attempt, an AU and its interactions): the nearest of those
    that is neither the course, nor what groups courses, nor a part itself; with none, the
    question is part of the course itself."""
    kind = activity_type(obj)
    if kind not in PART_TYPES:
        return Placement(course, obj, explicit)
    for activity in context:
        if (
            activity["id"] != course["id"]
            and not rules.is_course(activity)
            and activity_type(activity) not in _NOT_LESSONS
        ):
            return Placement(course, activity, explicit, part=kind in INTERACTION_TYPES)
    return Placement(course, None, explicit, part=kind in INTERACTION_TYPES)


def _extends(activity_id: str, container_id: str) -> bool:
    """Whether an id is built on another's: the other's id and more, after a separator
    (`<course>/<slide>`, `<course>-urn:scormdriver:<question>`), so that course 1 is no
    prefix of course 12."""
    return (
        len(activity_id) > len(container_id)
        and activity_id.startswith(container_id)
        and (container_id.endswith(("/", ":")) or not activity_id[len(container_id)].isalnum())
    )


def _is_origin(activity_id: str) -> bool:
    """Whether an id is a bare site root, `https://lms.example.com` (Captivate's default
    course id is one too)."""
    parts = urlsplit(activity_id)
    return bool(parts.scheme and parts.netloc) and parts.path in ("", "/") and not parts.query


def _by_id(obj: Json, course: Json, parents: Sequence[Json], context: Json) -> Placement:
    """The statement whose object's id names its course (mapping.activity_ids). In H5P
    content the lessons are its chapters, and everything else is part of the chapter it sits
    in or of the content itself; in Rise a question is part of its quiz lesson."""
    if obj["id"] == course["id"]:
        return Placement(course, None, explicit=True)
    if (lesson := rise_lesson_of(obj["id"])) is not None:
        return Placement(course, {"id": lesson}, explicit=True, part=True)
    if SUB_CONTENT not in obj["id"]:
        return Placement(course, obj, explicit=True)
    categories = _as_list(context.get("category"))
    if any(str(c.get("id", "")).startswith(_H5P_CHAPTER) for c in categories):
        return Placement(course, obj, explicit=True)
    chapter = next((p for p in parents if SUB_CONTENT in str(p.get("id", ""))), None)
    return Placement(course, {"id": chapter["id"]} if chapter else None, explicit=True, part=True)


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
    cmi5 defines it so, for the statements of its AUs, marked by cmi5's category or, on the
    other statements an AU may send (an iSpring quiz's), by cmi5's session id. Other
    emitters' registrations say nothing about the course (Moodle derives one from its cron
    run, shared by every user and course in it), so they never pull a statement into a
    course it does not name."""
    context = statement.get("context", {})
    value = context.get("registration")
    if not value:
        return None
    categories = _as_list(context.get("contextActivities", {}).get("category"))
    cmi5 = any(isinstance(c, dict) and c.get("id") == CMI5_CATEGORY for c in categories)
    if not cmi5 and CMI5_SESSION not in (context.get("extensions") or {}):
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
                placed[statement_id] = _in_registration(statement["object"], own, course)
        return placed


def _in_registration(obj: Json, own: Placement, course: Json) -> Placement:
    """A statement placed in its registration's course: its object is an AU, or, where the
    statement is about a part of one (a question in an AU), that part's lesson or the AU."""
    if not own.part:
        return Placement(course, obj if obj["id"] != course["id"] else None, explicit=True)
    around = [a for a in (own.lesson, own.course) if a is not None and a["id"] != course["id"]]
    return Placement(course, around[0] if around else None, explicit=True, part=True)


def _as_list(value: Any) -> list[Json]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
