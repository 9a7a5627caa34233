"""The xAPI vocabulary the mapping reads: verbs and their effect on an enrollment, the
activity types of courses and of what groups lessons, and cmi5's extensions (ADL and cmi5 by
default; an integration overrides verbs through its rules, mapping.integration_rules)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

Json = Mapping[str, Any]

ADL = "http://adlnet.gov/expapi/verbs/"
ADL_W3ID = "https://w3id.org/xapi/adl/verbs/"
TINCAN = "http://id.tincanapi.com/verb/"
AS = "http://activitystrea.ms/"
AS_SCHEMA = "http://activitystrea.ms/schema/1.0/"
TLA = "https://w3id.org/xapi/tla/verbs/"
EDLM = "https://xapi.edlm/profiles/edlm-lms/concepts/verbs/"
CMI5_PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"
# The same extension with the scheme Rise 360's exports of 2021 and earlier put on it.
CMI5_PROGRESS_HTTP = "http://w3id.org/xapi/cmi5/result/extensions/progress"
CMI5_REASON = "https://w3id.org/xapi/cmi5/result/extensions/reason"
CMI5_SESSION = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
CMI5_MASTERY = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
# The category SCORM Engine marks the statements it converts from SCORM runtime data with.
SCORM_ENGINE = "http://id.tincanapi.com/activity/rustici-software/engine"
COURSE_TYPES = frozenset(
    {
        "http://adlnet.gov/expapi/activities/course",
        "https://w3id.org/xapi/cmi5/activitytype/course",
        # Moodle's xAPI logstore (the TinCan registry's LMS course).
        "http://id.tincanapi.com/activitytype/lms/course",
    }
)
# The course's short code and external id, as Moodle's xAPI plugin puts them in a course's
# definition.
LMS_SHORT_ID = "https://w3id.org/learning-analytics/learning-management-system/short-id"
LMS_EXTERNAL_ID = "https://w3id.org/learning-analytics/learning-management-system/external-id"
# Activity types that group lessons without being the enrolled course (cmi5 blocks, modules,
# an LMS site and the platform it runs).
GROUPING_TYPES = frozenset(
    {
        "https://w3id.org/xapi/cmi5/activitytype/block",
        "http://adlnet.gov/expapi/activities/module",
        "http://id.tincanapi.com/activitytype/lms",
        "http://id.tincanapi.com/activitytype/source",
    }
)
ATTEMPT_TYPE = "http://adlnet.gov/expapi/activities/attempt"
# Questions and interactions: their results are theirs, not the lesson's they sit in.
INTERACTION_TYPES = frozenset(
    {
        "http://adlnet.gov/expapi/activities/cmi.interaction",
        "http://adlnet.gov/expapi/activities/question",
        "http://adlnet.gov/expapi/activities/interaction",
    }
)
# Activity types that are parts of the activity a learner takes, never lessons themselves.
PART_TYPES = INTERACTION_TYPES | {ATTEMPT_TYPE}


class Effect(StrEnum):
    """What a verb does to an enrollment (and to the lesson it is about)."""

    ENROLL = "enroll"  # assigned or registered: the enrollment exists, not started
    START = "start"  # the learner is at it: in progress
    # Seen it: a lesson (a slide, a page) that is only to be seen is done; a course is in
    # progress.
    EXPERIENCE = "experience"
    COMPLETE = "complete"  # completed
    PASS = "pass"  # completed, successfully
    FAIL = "fail"  # failed, unless passed
    WAIVE = "waive"  # completed without doing it; the reason is kept
    SESSION_END = "session_end"  # terminated or abandoned: time spent, nothing else
    UNCOMPLETE = "uncomplete"  # the LMS took a completion back: in progress again
    SUSPEND = "suspend"  # the LMS suspended the learner's enrolment: on hold
    RESUME = "resume"  # the suspension ended
    DROP = "drop"  # the learner left, or was taken off, the course: dropped


# The default table; an integration overrides entries with transformation_rules["verbs"].
VERB_EFFECTS: dict[str, Effect] = {
    ADL + "registered": Effect.ENROLL,
    "https://w3id.org/xapi/tla/verbs/assigned": Effect.ENROLL,
    "http://activitystrea.ms/schema/1.0/assign": Effect.ENROLL,
    ADL + "launched": Effect.START,
    ADL + "initialized": Effect.START,
    ADL + "attempted": Effect.START,
    ADL + "experienced": Effect.EXPERIENCE,
    ADL + "progressed": Effect.START,
    ADL + "resumed": Effect.START,
    ADL + "answered": Effect.START,
    ADL + "interacted": Effect.START,
    ADL + "responded": Effect.START,
    ADL + "scored": Effect.START,
    ADL + "completed": Effect.COMPLETE,
    ADL + "passed": Effect.PASS,
    ADL_W3ID + "satisfied": Effect.COMPLETE,
    ADL + "failed": Effect.FAIL,
    ADL_W3ID + "waived": Effect.WAIVE,
    ADL + "terminated": Effect.SESSION_END,
    ADL + "exited": Effect.SESSION_END,
    ADL + "suspended": Effect.SESSION_END,
    ADL_W3ID + "abandoned": Effect.SESSION_END,
    # What LMSs and content tools send beyond ADL and cmi5 (Moodle's xAPI logstore, SCORM
    # wrappers, authoring tools): the TinCan registry, Activity Streams, TLA, EDLM.
    TINCAN + "viewed": Effect.START,
    TINCAN + "completed": Effect.COMPLETE,
    ADL + "attended": Effect.COMPLETE,
    AS + "start": Effect.START,
    AS_SCHEMA + "start": Effect.START,
    AS + "submit": Effect.START,
    AS_SCHEMA + "submit": Effect.START,
    AS + "leave": Effect.DROP,
    AS_SCHEMA + "leave": Effect.DROP,
    TLA + "scored": Effect.START,
    TLA + "suspended": Effect.SUSPEND,
    TLA + "resumed": Effect.RESUME,
    EDLM + "enrolled": Effect.ENROLL,
    EDLM + "uncompleted": Effect.UNCOMPLETE,
}
# The verb the HR API records assignments with.
ASSIGNED_VERB = "https://w3id.org/xapi/tla/verbs/assigned"


def display_name(activity: Json, fallback: str) -> str:
    """A human name for an activity: its English name, any name, or `fallback`."""
    names = (activity.get("definition") or {}).get("name") or {}
    for tag in ("en-US", "en-GB", "en"):
        if tag in names:
            return str(names[tag])
    return str(next(iter(names.values()), fallback))


def activity_type(activity: Json) -> str | None:
    """An activity's definition type, if it declares one."""
    definition = activity.get("definition") or {}
    value = definition.get("type")
    return value if isinstance(value, str) else None
