"""What kind of lesson an activity is, in the specification's lesson types: by where an LMS
puts it (Moodle's `/mod/<module>/` URLs name the module, where Moodle's activity types are
generic: its quizzes and its assignments are both ADL assessments; iSpring's quizzes are
`/quizzes/<id>` of its presentation, typed as modules), else by its activity
type (ADL, cmi5, EDLM, TinCan registry), else reading. An integration's
`transformation_rules.lesson_types` (activity type to lesson type) comes first."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mapping.choices import LessonType
from mapping.vocabulary import activity_type

Json = Mapping[str, Any]
BY_ACTIVITY_TYPE = {
    "http://adlnet.gov/expapi/activities/assessment": LessonType.ASSESSMENT,
    "http://adlnet.gov/expapi/activities/cmi.interaction": LessonType.QUIZ,
    "http://adlnet.gov/expapi/activities/question": LessonType.QUIZ,
    "http://adlnet.gov/expapi/activities/media": LessonType.VIDEO,
    "https://w3id.org/xapi/video/activity-type/video": LessonType.VIDEO,
    "http://adlnet.gov/expapi/activities/simulation": LessonType.SIMULATION,
    "http://adlnet.gov/expapi/activities/interaction": LessonType.SIMULATION,
    "http://adlnet.gov/expapi/activities/meeting": LessonType.DISCUSSION,
    "http://id.tincanapi.com/activitytype/discussion": LessonType.DISCUSSION,
    "http://id.tincanapi.com/activitytype/school-assignment": LessonType.ASSIGNMENT,
    "https://xapi.edlm/profiles/edlm-lms/concepts/activity-types/assignment": LessonType.ASSIGNMENT,
    "http://id.tincanapi.com/activitytype/survey": LessonType.ASSESSMENT,
    "http://adlnet.gov/expapi/activities/performance": LessonType.ASSIGNMENT,
    "http://adlnet.gov/expapi/activities/project": LessonType.PROJECT,
    # Storyline reports its quizzes as objectives, with their score.
    "http://adlnet.gov/expapi/activities/objective": LessonType.ASSESSMENT,
}
# Moodle's modules. The specification has no type for a survey or a classroom session: a
# feedback form is something the learner answers (assessment), a face-to-face session or an
# attendance register something done with others (discussion), a SCORM or H5P package
# something interactive (simulation).
MOODLE_MODULES = {
    "assign": LessonType.ASSIGNMENT,
    "quiz": LessonType.QUIZ,
    "scorm": LessonType.SIMULATION,
    "h5pactivity": LessonType.SIMULATION,
    "hvp": LessonType.SIMULATION,
    "lti": LessonType.SIMULATION,
    "feedback": LessonType.ASSESSMENT,
    "questionnaire": LessonType.ASSESSMENT,
    "survey": LessonType.ASSESSMENT,
    "facetoface": LessonType.DISCUSSION,
    "attendance": LessonType.DISCUSSION,
    "forum": LessonType.DISCUSSION,
    "chat": LessonType.DISCUSSION,
    "workshop": LessonType.PROJECT,
}
_MOODLE_MODULE = re.compile(r"/mod/([a-z0-9_]+)/")
# iSpring names a course's quizzes `<course>/quizzes/<id>`, typed as generic modules.
_ISPRING_QUIZ = re.compile(r"/quizzes/[^/]+$")


def lesson_type(activity: Json, overrides: Mapping[str, LessonType]) -> LessonType:
    """The lesson type of a lesson activity."""
    declared = activity_type(activity) or ""
    if declared in overrides:
        return overrides[declared]
    module = _MOODLE_MODULE.search(str(activity.get("id", "")))
    if module and module.group(1) in MOODLE_MODULES:
        return MOODLE_MODULES[module.group(1)]
    if _ISPRING_QUIZ.search(str(activity.get("id", ""))):
        return LessonType.QUIZ
    return BY_ACTIVITY_TYPE.get(declared, LessonType.READING)
