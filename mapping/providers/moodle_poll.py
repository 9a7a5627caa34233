"""A poll of a Moodle site: for each course, each learner's enrolment, course completion,
activity completion and grades, as statements (mapping.providers.statements). Moodle's web
services take no "changed since", so every poll reads every enrolment; the statements'
ids make a state read twice one statement.

What becomes a statement:
- an enrolment: registered on the course; a course access: launched (once);
- the course completed (at its latest criterion's completion time);
- an activity completed, or passed or failed where its completion needs a grade (its
  completion state 1, 2, 3), on `<site>/mod/<module>/view.php?id=<cmid>`;
- a grade, of the course or of an activity: scored, out of its maximum.
Teachers, managers and other non-learners are read for none of them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mapping.providers.moodle import MoodleClient
from mapping.providers.statements import (
    ASSESSMENT_TYPE,
    MODULE_TYPE,
    Enrolment,
    Read,
    at,
    course_object,
    score,
)

PROVIDER = "moodle"
LEARNER_ROLES = frozenset({"student"})
_OUTCOMES = {1: "completed", 2: "passed", 3: "failed"}  # activity completion states
_GRADED = frozenset({"quiz", "assign", "lesson", "scorm", "h5pactivity", "workshop"})


def poll(client: MoodleClient, site: str, now: datetime, grades: bool = True) -> Iterator[Read]:
    """Every learner's enrolment of every course the token can see."""
    info = client.site_info()
    release = str(info.get("release", "")).split(" ")[0]
    platform = f"Moodle {release}".strip()
    site = site.rstrip("/")
    for course in client.courses():
        modules = client.modules(course["id"])
        for user in client.enrolled_users(course["id"]):
            if not _is_learner(user):
                continue
            yield _enrolment(client, _Context(site, platform, now), course, modules, user, grades)


@dataclass(frozen=True, slots=True)
class _Context:
    site: str
    platform: str
    now: datetime


def _is_learner(user: dict[str, Any]) -> bool:
    roles = {role.get("shortname") for role in user.get("roles") or []}
    return not roles or bool(roles & LEARNER_ROLES)


def _enrolment(
    client: MoodleClient,
    where: _Context,
    course: dict[str, Any],
    modules: dict[int, dict[str, Any]],
    user: dict[str, Any],
    grades: bool,
) -> Read:
    course_id, user_id = course["id"], user["id"]
    course_activity = _course(where.site, course)
    enrolment = Enrolment(
        PROVIDER, where.site, where.platform, course_activity, course_id, user_id,
        str(user.get("fullname", "")),
    )  # fmt: skip
    add = enrolment.add
    add("registered", course_activity, at(None, where.now), ())
    if user.get("lastcourseaccess"):
        add("launched", course_activity, at(user["lastcourseaccess"], where.now), ())
    records = 1
    completion = client.course_completion(course_id, user_id)
    if completion is not None:
        records += 1
        if completion.get("completed"):
            times = [c.get("timecompleted") or 0 for c in completion.get("completions", [])]
            finished = max(times, default=0)
            add(
                "completed",
                course_activity,
                at(finished, where.now),
                (finished,),
                result={"completion": True},
            )
    for status in client.activities_completion(course_id, user_id):
        records += 1
        state = int(status.get("state", 0))
        if state not in _OUTCOMES:
            continue
        module = _module(where.site, status, modules)
        when = status.get("timecompleted") or 0
        result: dict[str, Any] = {"completion": True}
        if state in (2, 3):
            result["success"] = state == 2
        add(
            _OUTCOMES[state],
            module,
            at(when, where.now),
            (status["cmid"], state, when),
            result=result,
        )
    if grades:
        for item in client.grade_items(course_id, user_id):
            records += 1
            raw = item.get("graderaw")
            if raw is None or item.get("grademax") is None:
                continue
            target = course_activity if item.get("itemtype") == "course" else None
            if target is None and item.get("cmid"):
                graded_module = {"cmid": item["cmid"], "modname": item.get("itemmodule")}
                target = _module(where.site, graded_module, modules)
            if target is None:
                continue
            graded = item.get("gradedategraded") or 0
            result = {
                "score": score(
                    float(raw), float(item.get("grademin") or 0), float(item["grademax"])
                )
            }
            key = (target["id"], f"{raw}/{item['grademax']}@{graded}")
            add("scored", target, at(graded, where.now), key, result=result)
    return Read(records, enrolment.statements)


def _course(site: str, course: dict[str, Any]) -> dict[str, Any]:
    return course_object(
        f"{site}/course/view.php?id={course['id']}",
        course.get("fullname") or course.get("shortname") or course["id"],
        short_id=course.get("shortname"),
        external_id=course.get("idnumber"),
    )


def _module(
    site: str, status: dict[str, Any], modules: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    cmid = int(status["cmid"])
    module = modules.get(cmid, {})
    kind = str(module.get("modname") or status.get("modname") or "resource")
    definition: dict[str, Any] = {"type": ASSESSMENT_TYPE if kind in _GRADED else MODULE_TYPE}
    if module.get("name"):
        definition["name"] = {"en": str(module["name"])}
    return {
        "objectType": "Activity",
        "id": f"{site}/mod/{kind}/view.php?id={cmid}",
        "definition": definition,
    }
