"""A poll of a Blackboard Learn site: for each course, its gradebook columns and every grade
in them, then each student membership with the student's grades, as statements.

What becomes a statement:
- a membership: registered (at its creation); access to the course: launched (once);
- the course's overall grade (the column Learn marks `externalGrade`): scored out of the
  column's points possible; and, where the integration's `transformation_rules` set a
  `passing_score`, passed (with completion) or failed against it: Learn's public API has no
  course completion of its own, so a course is completed only by passing it;
- a graded column (an assignment, a test): scored, and completed once Learn has graded it;
- an exempt grade: waived; a membership made unavailable: suspended until available again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from mapping.providers.blackboard import API, BlackboardClient
from mapping.providers.statements import (
    ASSESSMENT_TYPE,
    Enrolment,
    Read,
    course_object,
    score,
    second_after,
)
from mapping.vocabulary import ADL_W3ID, TLA

PROVIDER = "blackboard"
Grades = list[tuple[dict[str, Any], dict[str, Any]]]  # (column, grade)


def poll(
    client: BlackboardClient, host: str, now: datetime, pass_mark: Decimal | None
) -> Iterator[Read]:
    host = host.rstrip("/")
    for course in client.courses():
        course_id = str(course["id"])
        graded: dict[str, Grades] = {}
        for column in client.columns(course_id):
            for grade in client.grades(course_id, str(column["id"])):
                graded.setdefault(str(grade["userId"]), []).append((column, grade))
        for member in client.members(course_id):
            grades = graded.get(str(member["userId"]), [])
            yield _membership(host, now, course, member, grades, pass_mark)


def _membership(
    host: str,
    now: datetime,
    course: dict[str, Any],
    member: dict[str, Any],
    grades: Grades,
    pass_mark: Decimal | None,
) -> Read:
    course_id, user_id = str(course["id"]), str(member["userId"])
    person = member.get("user") or {}
    name = person.get("name") or {}
    course_activity = course_object(
        str(course.get("externalAccessUrl") or f"{host}/ultra/courses/{course_id}/outline"),
        course.get("name") or course_id,
        short_id=course.get("courseId"),
        external_id=course.get("externalId"),
    )
    enrolment = Enrolment(
        PROVIDER, host, "Blackboard Learn", course_activity, course_id, user_id,
        " ".join(filter(None, (name.get("given"), name.get("family")))),
        ids={"lms_enrollment_id": member.get("id", "")},
    )  # fmt: skip

    def add(
        verb: str, obj: dict[str, Any], when: str | None, key: tuple[object, ...], **more: Any
    ) -> None:
        # Learn's grades carry no time: a grade is timed when first read.
        enrolment.add(verb, obj, when or now.isoformat(), key, **more)

    add("registered", course_activity, member.get("created"), (member.get("id"),))
    if member.get("lastAccessed"):
        add("launched", course_activity, member["lastAccessed"], ())
    for column, grade in grades:
        possible = float((column.get("score") or {}).get("possible") or 0)
        overall = bool(column.get("externalGrade"))
        target = course_activity if overall else _column(host, course_id, column)
        if grade.get("exempt"):
            add(ADL_W3ID + "waived", target, None, (target["id"],))
            continue
        raw = grade.get("score")
        if raw is None:
            continue
        key = (target["id"], f"{raw}/{possible}")
        result: dict[str, Any] = {"score": score(float(raw), 0.0, possible)}
        add("scored", target, None, key, result=result)
        if overall and pass_mark is not None:
            passed = Decimal(str(raw)) >= pass_mark
            result = {**result, "success": passed, "completion": passed}
            add("passed" if passed else "failed", target, None, key, result=result)
        elif not overall and grade.get("status") == "Graded":
            add("completed", target, None, key, result={"completion": True})
    available = (member.get("availability") or {}).get("available")
    if available == "No" and (changed := member.get("modified")):
        add(TLA + "suspended", course_activity, second_after(changed), (changed,))
    return Read(1 + len(grades), enrolment.statements)


def _column(host: str, course_id: str, column: dict[str, Any]) -> dict[str, Any]:
    """A gradebook column as an activity, on its own resource in Learn's API (Learn gives a
    column no page of its own)."""
    return {
        "objectType": "Activity",
        "id": f"{host}{API}/v2/courses/{course_id}/gradebook/columns/{column['id']}",
        "definition": {
            "type": ASSESSMENT_TYPE,
            "name": {"en": str(column.get("displayName") or column.get("name") or "")},
        },
    }
