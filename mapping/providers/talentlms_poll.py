"""A poll of a TalentLMS domain: for each course, each learner on its roster and their status
in it, unit by unit, as statements. TalentLMS's v1 lists are unpaged and take no "changed
since", so every poll reads every enrolment.

What becomes a statement:
- an enrolment: registered (at `enrolled_on_timestamp`);
- progress: progressed with `completion_percentage`, and the course completed (at
  `completed_on_timestamp`) when its status is `completed`, with its total time;
- a unit completed, on its `unit/view/id:<unit>` URL; a test unit's score: scored, a
  percentage (TalentLMS exposes no pass mark, so none is passed or failed)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from mapping.providers.statements import (
    ASSESSMENT_TYPE,
    MODULE_TYPE,
    Enrolment,
    Read,
    at,
    course_object,
    score,
)
from mapping.providers.talentlms import TalentLmsClient
from mapping.vocabulary import CMI5_PROGRESS

PROVIDER = "talentlms"
_PART = re.compile(r"(\d+)\s*([hms])")


def poll(client: TalentLmsClient, domain: str, now: datetime) -> Iterator[Read]:
    domain = domain.rstrip("/")
    for listed in client.courses():
        course = {**listed, **client.course(str(listed["id"]))}
        units = {str(u["id"]): u for u in course.get("units") or []}
        for user in course.get("users") or []:
            if user.get("role", "learner") != "learner":
                continue
            status = client.status(str(course["id"]), str(user["id"]))
            yield _enrolment(domain, now, course, units, user, status)


def seconds(total: str | None) -> int:
    """TalentLMS's `1h 30m 12s` in seconds."""
    scale = {"h": 3600, "m": 60, "s": 1}
    return sum(int(n) * scale[unit] for n, unit in _PART.findall(total or ""))


def _number(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _enrolment(
    domain: str,
    now: datetime,
    course: dict[str, Any],
    units: dict[str, dict[str, Any]],
    user: dict[str, Any],
    status: dict[str, Any],
) -> Read:
    course_id, user_id = course["id"], user["id"]
    course_activity = course_object(
        f"{domain}/learner/courseinfo/id:{course_id}",
        course.get("name") or course_id,
        short_id=course.get("code"),
    )
    enrolment = Enrolment(
        PROVIDER, domain, "TalentLMS", course_activity, course_id, user_id,
        str(user.get("name", "")),
    )  # fmt: skip
    add = enrolment.add

    enrolled = status.get("enrolled_on_timestamp") or user.get("enrolled_on_timestamp")
    add("registered", course_activity, at(_number(enrolled), now), (enrolled,))
    spent = seconds(status.get("total_time"))
    duration = {"duration": f"PT{spent}S"} if spent else {}
    percent = _number(status.get("completion_percentage"))
    if percent:
        add(
            "progressed",
            course_activity,
            at(None, now),
            (int(percent),),
            result={"extensions": {CMI5_PROGRESS: int(percent)}, **duration},
        )
    finished = _number(status.get("completed_on_timestamp"))
    if status.get("completion_status") == "completed":
        add(
            "completed",
            course_activity,
            at(finished, now),
            (finished,),
            result={"completion": True, **duration},
        )
    for unit in status.get("units") or []:
        described = units.get(str(unit["id"]), {})
        test = (unit.get("type") or described.get("type")) == "Test"
        obj = {
            "objectType": "Activity",
            "id": str(described.get("url") or f"{domain}/unit/view/id:{unit['id']}"),
            "definition": {
                "type": ASSESSMENT_TYPE if test else MODULE_TYPE,
                "name": {"en": str(unit.get("name", ""))},
            },
        }
        done = _number(unit.get("completed_on_timestamp"))
        if str(unit.get("completion_status", "")).lower() == "completed":
            add("completed", obj, at(done, now), (obj["id"], done), result={"completion": True})
        points = _number(unit.get("score"))
        if test and points is not None:
            add(
                "scored",
                obj,
                at(done, now),
                (obj["id"], points, done),
                result={"score": score(points, 0.0, 100.0)},
            )
    return Read(2 + len(status.get("units") or []), enrolment.statements)
