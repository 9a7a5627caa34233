"""Lesson types: by activity type, by Moodle's module URLs, by an integration's override."""

from __future__ import annotations

import pytest

from mapping.choices import LessonType
from mapping.lesson_types import lesson_type

MOODLE = "https://moodle.example.com/mod/{}/view.php?id=7"
MODULE = "http://id.tincanapi.com/activitytype/lms/module"


@pytest.mark.parametrize(
    ("module", "kind"),
    [
        ("assign", LessonType.ASSIGNMENT),
        ("quiz", LessonType.QUIZ),
        ("scorm", LessonType.SIMULATION),
        ("feedback", LessonType.ASSESSMENT),
        ("facetoface", LessonType.DISCUSSION),
        ("forum", LessonType.DISCUSSION),
        ("book", LessonType.READING),
        ("page", LessonType.READING),
    ],
)
def test_moodle_modules_are_typed_by_their_url(module, kind):
    activity = {"id": MOODLE.format(module), "definition": {"type": MODULE}}
    assert lesson_type(activity, {}) is kind


def test_moodles_module_comes_before_its_generic_activity_type():
    """The logstore types quizzes and assignments alike as ADL assessments."""
    assessment = "http://adlnet.gov/expapi/activities/assessment"
    quiz = {"id": MOODLE.format("quiz"), "definition": {"type": assessment}}
    assignment = {"id": MOODLE.format("assign"), "definition": {"type": assessment}}
    assert (lesson_type(quiz, {}), lesson_type(assignment, {})) == (
        LessonType.QUIZ,
        LessonType.ASSIGNMENT,
    )


def test_activity_types_elsewhere():
    video = {"id": "https://lms.example.com/v/1", "definition": {"type": "http://adlnet.gov/expapi/activities/media"}}  # fmt: skip
    task = {"id": "https://lms.example.com/t/1", "definition": {"type": "https://xapi.edlm/profiles/edlm-lms/concepts/activity-types/assignment"}}  # fmt: skip
    assert (lesson_type(video, {}), lesson_type(task, {})) == (
        LessonType.VIDEO,
        LessonType.ASSIGNMENT,
    )


def test_an_integrations_override_comes_first():
    activity = {"id": MOODLE.format("quiz"), "definition": {"type": MODULE}}
    assert lesson_type(activity, {MODULE: LessonType.PROJECT}) is LessonType.PROJECT


def test_an_unknown_activity_is_reading():
    assert lesson_type({"id": "https://example.com/whatever"}, {}) is LessonType.READING
