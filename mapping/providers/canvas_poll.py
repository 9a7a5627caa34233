"""A poll of a Canvas account: for each course, each student enrolment with its grades, the
student's module progress, and graded submissions, as statements.

What becomes a statement:
- an enrolment: registered (at its creation); activity in the course: launched (once);
- module progress: progressed, with the share of requirements completed, and completed at
  Canvas's `completed_at` (Canvas's own "completed" enrolment state means the course was
  concluded, not that the learner finished, so it is not read as completion);
- the course's final score (a percentage): scored out of 100;
- a graded submission: scored on its assignment, out of its points possible;
- an inactive enrolment: suspended (on hold) until it is active again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from mapping.providers.canvas import CanvasClient
from mapping.providers.statements import (
    ASSESSMENT_TYPE,
    Enrolment,
    Read,
    course_object,
    score,
    second_after,
)
from mapping.vocabulary import CMI5_PROGRESS, TLA

PROVIDER = "canvas"


def poll(client: CanvasClient, host: str, now: datetime) -> Iterator[Read]:
    host = host.rstrip("/")
    for course in client.courses():
        progress = client.progress(course["id"])
        graded: dict[int, list[dict[str, Any]]] = {}
        for submission in client.submissions(course["id"]):
            graded.setdefault(int(submission["user_id"]), []).append(submission)
        for enrollment in client.enrollments(course["id"]):
            user = int(enrollment["user_id"])
            yield _enrollment(
                host, now, course, enrollment, progress.get(user), graded.get(user, [])
            )


def _enrollment(
    host: str,
    now: datetime,
    course: dict[str, Any],
    enrollment: dict[str, Any],
    progress: dict[str, Any] | None,
    submissions: list[dict[str, Any]],
) -> Read:
    course_id, user_id = course["id"], enrollment["user_id"]
    person = enrollment.get("user") or {}
    course_activity = _course(host, course)
    enrolment = Enrolment(
        PROVIDER, host, "Canvas", course_activity, course_id, user_id,
        str(person.get("name", "")), ids={"lms_enrollment_id": enrollment["id"]},
    )  # fmt: skip

    def add(
        name: str, obj: dict[str, Any], when: str | None, key: tuple[object, ...], **more: Any
    ) -> None:
        # Canvas leaves some times out (an enrolment never updated): then the poll's.
        enrolment.add(name, obj, when or now.isoformat(), key, **more)

    add("registered", course_activity, enrollment.get("created_at"), (enrollment["id"],))
    if enrollment.get("last_activity_at"):
        add("launched", course_activity, enrollment["last_activity_at"], ())
    spent = int(enrollment.get("total_activity_time") or 0)
    duration = {"duration": f"PT{spent}S"} if spent else {}
    if progress and progress.get("requirement_count"):
        done = int(progress.get("requirement_completed_count") or 0)
        percent = min(100, done * 100 // int(progress["requirement_count"]))
        add(
            "progressed",
            course_activity,
            enrollment.get("updated_at"),
            (percent,),
            result={"extensions": {CMI5_PROGRESS: percent}, **duration},
        )
        if progress.get("completed_at"):
            add(
                "completed",
                course_activity,
                progress["completed_at"],
                (progress["completed_at"],),
                result={"completion": True, **duration},
            )
    final = (enrollment.get("grades") or {}).get("final_score")
    if final is not None:
        add(
            "scored",
            course_activity,
            enrollment.get("updated_at"),
            (f"{final}/100",),
            result={"score": score(float(final), 0.0, 100.0)},
        )
    for submission in submissions:
        assignment = submission.get("assignment") or {}
        points = assignment.get("points_possible")
        if submission.get("score") is None or not points:
            continue
        target = {
            "objectType": "Activity",
            "id": f"{host}/courses/{course_id}/assignments/{submission['assignment_id']}",
            "definition": {
                "type": ASSESSMENT_TYPE,
                "name": {"en": str(assignment.get("name", ""))},
            },
        }
        key = (target["id"], f"{submission['score']}/{points}@{submission.get('graded_at')}")
        add(
            "scored",
            target,
            submission.get("graded_at"),
            key,
            result={"score": score(float(submission["score"]), 0.0, float(points))},
        )
    state = enrollment.get("enrollment_state")
    if state == "inactive" and (changed := enrollment.get("updated_at")):
        add(TLA + "suspended", course_activity, second_after(changed), (changed,))
    return Read(1 + len(submissions) + (1 if progress else 0), enrolment.statements)


def _course(host: str, course: dict[str, Any]) -> dict[str, Any]:
    return course_object(
        f"{host}/courses/{course['id']}",
        course.get("name") or course["id"],
        short_id=course.get("course_code"),
        external_id=course.get("sis_course_id"),
    )
