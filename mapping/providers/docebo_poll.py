"""A poll of a Docebo platform: every course enrolment of every user, page by page, with its
course from the course list, as statements. Docebo's enrolment list takes no "changed since",
so every poll reads every enrolment.

What becomes a statement:
- an enrolment at the student level (instructors and tutors are not learning): registered
  (at `enrollment_created_at`); launched, once, when it is in progress or completed;
- progress: progressed, only where Docebo gives a percentage
  (`enrollment_completion_percentage`);
- the course completed (at `enrollment_completion_date`) when its status is `completed`,
  with the time spent, `enrollment_time_spent`, taken as seconds (Docebo does not say; the
  clients that read it take it so);
- the course score `enrollment_score`: scored out of 100 when the enrolment is completed or
  the score is not 0 (Docebo gives 0 before there is a score);
- a suspended enrolment: suspended (on hold) until it is active again.

Docebo's times are "YYYY-MM-DD HH:MM:SS" with no zone: they are read as UTC, and
"0000-00-00 00:00:00" as no time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from mapping.providers.docebo import DoceboClient
from mapping.providers.statements import (
    Enrolment,
    Read,
    at,
    course_object,
    score,
    second_after,
)
from mapping.vocabulary import CMI5_PROGRESS, TLA
from statements.timestamps import parse_timestamp

PROVIDER = "docebo"
LEARNER = "student"
STARTED = frozenset({"in_progress", "completed"})


def poll(client: DoceboClient, host: str, now: datetime) -> Iterator[Read]:
    host = host.rstrip("/")
    courses = {str(c["id_course"]): c for c in client.courses()}
    for enrollment in client.enrollments():
        if enrollment.get("enrollment_level", LEARNER) != LEARNER:
            continue
        yield _enrollment(host, now, courses.get(str(enrollment["course_id"]), {}), enrollment)


def utc(value: object) -> str | None:
    """A Docebo time as an xAPI timestamp in UTC; None where it gives none."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = parse_timestamp(value)
    except ValueError:  # "0000-00-00 00:00:00", Docebo's no time
        return None
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _number(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _enrollment(
    host: str, now: datetime, course: dict[str, Any], enrollment: dict[str, Any]
) -> Read:
    course_id, user_id = enrollment["course_id"], enrollment["user_id"]
    # The course's page without its slug, which follows the course's name: the activity id
    # must not change when the course is renamed.
    course_activity = course_object(
        f"{host}/learn/course/{course_id}",
        course.get("name") or enrollment.get("course_name") or course_id,
        short_id=course.get("code") or enrollment.get("course_code"),
        external_id=course.get("uidCourse") or enrollment.get("course_uid"),
    )
    enrolment = Enrolment(
        PROVIDER, host, "Docebo", course_activity, course_id, user_id,
        str(enrollment.get("username", "")),
    )  # fmt: skip

    def add(
        name: str, obj: dict[str, Any], when: str | None, key: tuple[object, ...], **more: Any
    ) -> None:
        # Docebo leaves some times out (an enrolment never completed on a date): the poll's.
        enrolment.add(name, obj, when or at(None, now), key, **more)

    status = enrollment.get("enrollment_status")
    updated = utc(enrollment.get("enrollment_date_last_updated"))
    created = enrollment.get("enrollment_created_at")
    add("registered", course_activity, utc(created), (created,))
    if status in STARTED:
        add("launched", course_activity, updated, ())
    spent = int(_number(enrollment.get("enrollment_time_spent")) or 0)
    duration = {"duration": f"PT{spent}S"} if spent else {}
    percent = _number(enrollment.get("enrollment_completion_percentage"))
    if percent:  # 0 is no progress: it must not start an enrolment not yet begun
        add(
            "progressed",
            course_activity,
            updated,
            (int(percent),),
            result={"extensions": {CMI5_PROGRESS: int(percent)}, **duration},
        )
    finished = enrollment.get("enrollment_completion_date")
    if status == "completed":
        add(
            "completed",
            course_activity,
            utc(finished),
            (finished,),
            result={"completion": True, **duration},
        )
    points = _number(enrollment.get("enrollment_score"))
    if points is not None and (points or status == "completed"):
        add(
            "scored",
            course_activity,
            utc(finished) if status == "completed" else updated,
            (f"{points}/100",),
            result={"score": score(points, 0.0, 100.0)},
        )
    if status == "suspended" and updated:
        add(TLA + "suspended", course_activity, second_after(updated), (updated,))
    return Read(1, enrolment.statements)
