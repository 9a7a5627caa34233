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


def test_a_declared_activity_type_comes_before_the_url():
    video = {"id": MOODLE.format("assign"), "definition": {"type": "http://adlnet.gov/expapi/activities/media"}}  # fmt: skip
    assert lesson_type(video, {}) is LessonType.VIDEO


def test_an_integrations_override_comes_first():
    activity = {"id": MOODLE.format("quiz"), "definition": {"type": MODULE}}
    assert lesson_type(activity, {MODULE: LessonType.PROJECT}) is LessonType.PROJECT


def test_an_unknown_activity_is_reading():
    assert lesson_type({"id": "https://example.com/whatever"}, {}) is LessonType.READING
