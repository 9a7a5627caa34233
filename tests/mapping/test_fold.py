"""The fold rules, one verb and one figure at a time (mapping.fold is pure: no database)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from mapping.choices import EnrollmentSource, EnrollmentStatus, LessonType, ProgressStatus
from mapping.fold import COMPLIANCE, DUE_DATE, HR_STATUS, MANDATORY, Event, FoldSettings, fold
from mapping.vocabulary import (
    ADL,
    ADL_W3ID,
    CMI5_MASTERY,
    CMI5_PROGRESS,
    CMI5_REASON,
    CMI5_SESSION,
    VERB_EFFECTS,
    Effect,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
COURSE = {"id": "https://lms.example.com/course/1", "definition": {"name": {"en-US": "Course One"}}}
LESSON = {
    "id": "https://lms.example.com/course/1/lesson/a",
    "definition": {"name": {"en-US": "Lesson A"}},
}


def event(
    verb: str,
    minutes: float = 0,
    *,
    lesson: dict[str, Any] | None = None,
    result: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
    by_hr: bool = False,
    part: bool = False,
) -> Event:
    verb_id = verb if verb.startswith("http") else ADL + verb
    at = T0 + timedelta(minutes=minutes)
    return Event(
        statement_id=uuid.uuid5(uuid.NAMESPACE_URL, f"{verb_id}/{minutes}/{lesson}"),
        timestamp=at, stored=at + timedelta(seconds=1), verb_id=verb_id,
        effect=VERB_EFFECTS.get(verb_id), lesson=lesson, result=result or {},
        context=context or {}, course=COURSE, by_hr=by_hr, part=part,
    )  # fmt: skip


def folded(*events: Event, settings: FoldSettings | None = None):
    return fold(events, settings or FoldSettings())


def test_registered_creates_a_not_started_enrollment():
    facts = folded(event("registered"))
    assert facts.status == EnrollmentStatus.NOT_STARTED
    assert facts.enrollment_date == date(2026, 1, 5)
    assert facts.start_date is None
    assert facts.enrollment_source == EnrollmentSource.SYSTEM_ASSIGNMENT


@pytest.mark.parametrize(
    "verb", ["launched", "initialized", "attempted", "experienced", "progressed"]
)
def test_starting_verbs_put_the_enrollment_in_progress(verb):
    facts = folded(event("registered"), event(verb, 10), event(verb, 20))
    assert facts.status == EnrollmentStatus.IN_PROGRESS
    assert facts.start_date == date(2026, 1, 5)


def test_start_date_is_the_first_starting_event():
    facts = folded(event("experienced", 60 * 24 * 3), event("launched", 60 * 24))
    assert facts.start_date == date(2026, 1, 6)


@pytest.mark.parametrize("verb", [ADL + "completed", ADL + "passed", ADL_W3ID + "satisfied"])
def test_completing_verbs_complete_the_enrollment(verb):
    facts = folded(
        event("launched"), event(verb, 30), settings=FoldSettings(credits=Decimal("2.50"))
    )
    assert facts.status == EnrollmentStatus.COMPLETED
    assert facts.completion_date == date(2026, 1, 5)
    assert facts.progress_percentage == Decimal("100")
    assert facts.credits_earned == Decimal("2.50")


def test_credits_are_earned_only_on_completion():
    assert (
        folded(event("launched"), settings=FoldSettings(credits=Decimal("3"))).credits_earned == 0
    )


def test_failed_sets_failed():
    assert folded(event("launched"), event("failed", 10)).status == EnrollmentStatus.FAILED


def test_a_later_pass_overrides_a_failure():
    facts = folded(event("failed", 10), event("passed", 20))
    assert facts.status == EnrollmentStatus.COMPLETED


def test_a_failure_after_a_pass_does_not_undo_the_completion():
    assert folded(event("passed", 10), event("failed", 20)).status == EnrollmentStatus.COMPLETED


def test_waived_completes_and_keeps_the_reason():
    facts = folded(
        event(ADL_W3ID + "waived", 5, result={"extensions": {CMI5_REASON: "Tested out"}})
    )
    assert facts.status == EnrollmentStatus.COMPLETED
    assert facts.waiver_reason == "Tested out"


def test_order_of_input_does_not_matter():
    events = [
        event("launched"),
        event("progressed", 5, result={"extensions": {CMI5_PROGRESS: 40}}),
        event("failed", 9),
        event("passed", 20, result={"score": {"raw": 8, "max": 10}}),
    ]
    assert fold(events, FoldSettings()) == fold(list(reversed(events)), FoldSettings())


def test_progress_comes_from_the_cmi5_extension_latest_first():
    facts = folded(
        event("progressed", 1, result={"extensions": {CMI5_PROGRESS: 30}}),
        event("progressed", 2, result={"extensions": {CMI5_PROGRESS: 55}}),
    )
    assert facts.progress_percentage == Decimal("55.00")


def test_progress_under_the_http_scheme_older_rise_exports_send():
    older = "http://w3id.org/xapi/cmi5/result/extensions/progress"
    facts = folded(event("progressed", 1, result={"extensions": {older: 60}}))
    assert facts.progress_percentage == Decimal("60.00")


def test_progress_out_of_range_is_clamped_and_recorded():
    facts = folded(event("progressed", 1, result={"extensions": {CMI5_PROGRESS: 140}}))
    assert facts.progress_percentage == Decimal("100.00")
    assert [f.rule for f in facts.findings] == ["progress_out_of_range"]


def test_score_is_the_best_attempt_raw_with_max():
    facts = folded(
        event("failed", 1, result={"score": {"raw": 5, "min": 0, "max": 10}}),
        event("passed", 2, result={"score": {"raw": 9, "min": 0, "max": 10}}),
    )
    assert (facts.score_achieved, facts.max_score) == (Decimal("9.00"), Decimal("10.00"))


def test_scaled_score_is_a_percentage():
    facts = folded(event("passed", 1, result={"score": {"scaled": 0.875}}))
    assert (facts.score_achieved, facts.max_score) == (Decimal("87.50"), Decimal("100"))


def test_a_course_scores_only_from_its_own_result_or_a_one_au_cmi5_course():
    other = {**LESSON, "id": "https://lms.example.com/course/1/lesson/b"}
    cmi5 = {"extensions": {CMI5_SESSION: "s1"}}
    one = event("passed", 1, lesson=LESSON, result={"score": {"raw": 8, "max": 10}}, context=cmi5)
    two = event("passed", 2, lesson=other, result={"score": {"raw": 6, "max": 10}}, context=cmi5)
    assert (folded(one).score_achieved, folded(one).max_score) == (
        Decimal("8.00"),
        Decimal("10.00"),
    )
    assert folded(one, two).score_achieved is None  # which AU would be the course's?
    plain = event("passed", 1, lesson=LESSON, result={"score": {"raw": 8, "max": 10}})
    assert folded(plain).score_achieved is None  # an LMS module is not its course


def test_score_above_max_is_recorded_not_rejected():
    facts = folded(event("passed", 1, result={"score": {"raw": 12, "max": 10}}))
    assert facts.score_achieved == Decimal("12.00")
    assert [f.rule for f in facts.findings] == ["score_above_max"]


def test_passing_score_comes_from_cmi5_mastery_score():
    facts = folded(
        event("launched", context={"extensions": {CMI5_MASTERY: 0.7}}),
        event("passed", 1, result={"score": {"raw": 80, "max": 120}}),
    )
    assert facts.passing_score == Decimal("84.00")


def test_passing_score_falls_back_to_the_integration_setting():
    facts = folded(event("launched"), settings=FoldSettings(passing_score=Decimal("65")))
    assert facts.passing_score == Decimal("65")


def test_time_spent_counts_each_session_once():
    session = {"extensions": {CMI5_SESSION: "s1"}}
    other = {"extensions": {CMI5_SESSION: "s2"}}
    facts = folded(
        event("completed", 10, result={"duration": "PT10M"}, context=session),
        event("terminated", 11, result={"duration": "PT11M"}, context=session),
        event("terminated", 90, result={"duration": "PT30M"}, context=other),
    )
    assert facts.time_spent_minutes == 41


def test_access_count_is_the_number_of_sessions():
    facts = folded(
        event("launched", 0, context={"extensions": {CMI5_SESSION: "a"}}),
        event("initialized", 1, context={"extensions": {CMI5_SESSION: "a"}}),
        event("launched", 60, context={"extensions": {CMI5_SESSION: "b"}}),
    )
    assert facts.total_access_count == 2
    assert facts.last_access_date == T0 + timedelta(minutes=60)


def test_course_longer_than_a_year_is_recorded():
    facts = folded(event("launched"), event("completed", 60 * 24 * 400))
    assert [f.rule for f in facts.findings] == ["course_too_long"]


def test_lesson_rows_track_status_attempts_best_score_and_access():
    facts = folded(
        event("launched", 0, lesson=LESSON, context={"extensions": {CMI5_SESSION: "a"}}),
        event(
            "failed",
            5,
            lesson=LESSON,
            result={"score": {"scaled": 0.4}, "duration": "PT5M"},
            context={"extensions": {CMI5_SESSION: "a"}},
        ),
        event("launched", 60, lesson=LESSON, context={"extensions": {CMI5_SESSION: "b"}}),
        event(
            "passed",
            70,
            lesson=LESSON,
            result={"score": {"scaled": 0.9}, "duration": "PT10M"},
            context={"extensions": {CMI5_SESSION: "b"}},
        ),
    )
    [lesson] = facts.lessons
    assert lesson.status == ProgressStatus.COMPLETED
    assert lesson.attempts == 2
    assert lesson.score == Decimal("90.00")
    assert lesson.time_spent_seconds == 15 * 60
    assert (lesson.first_access, lesson.last_access) == (T0, T0 + timedelta(minutes=70))
    assert lesson.completion_date == T0 + timedelta(minutes=70)
    assert lesson.lesson_type == LessonType.READING
    assert facts.status == EnrollmentStatus.IN_PROGRESS  # lessons do not complete the course


def test_lesson_work_starts_the_course():
    facts = folded(event("registered"), event("experienced", 3, lesson=LESSON))
    assert facts.status == EnrollmentStatus.IN_PROGRESS
    assert facts.start_date == date(2026, 1, 5)


def test_more_than_ten_attempts_are_recorded():
    events = [
        event("launched", i, lesson=LESSON, context={"extensions": {CMI5_SESSION: str(i)}})
        for i in range(11)
    ]
    assert [f.rule for f in folded(*events).findings] == ["too_many_attempts"]


def test_lesson_completed_in_under_a_minute_is_recorded():
    facts = folded(event("completed", 1, lesson=LESSON, result={"duration": "PT20S"}))
    assert [f.rule for f in facts.findings] == ["lesson_too_short"]


def test_hr_assignment_sets_the_hr_owned_fields():
    assignment = {"extensions": {DUE_DATE: "2026-02-01", MANDATORY: True, COMPLIANCE: True}}
    facts = folded(
        event("https://w3id.org/xapi/tla/verbs/assigned", context=assignment, by_hr=True),
        event("launched", 5),
    )
    assert (facts.due_date, facts.is_mandatory, facts.is_compliance_training) == (
        date(2026, 2, 1),
        True,
        True,
    )
    assert facts.enrollment_source == EnrollmentSource.MANAGER_ASSIGNMENT


def test_latest_hr_assignment_wins_and_can_put_the_enrollment_on_hold():
    first = {"extensions": {DUE_DATE: "2026-02-01", MANDATORY: True}}
    later = {"extensions": {DUE_DATE: "2026-03-01", MANDATORY: True, HR_STATUS: "on_hold"}}
    facts = folded(
        event("https://w3id.org/xapi/tla/verbs/assigned", 0, context=first, by_hr=True),
        event("launched", 5),
        event("https://w3id.org/xapi/tla/verbs/assigned", 10, context=later, by_hr=True),
    )
    assert facts.due_date == date(2026, 3, 1)
    assert facts.status == EnrollmentStatus.ON_HOLD


def test_fold_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        fold([], FoldSettings())


def test_hr_marks_from_anyone_but_the_hr_system_mean_nothing():
    forged = {"extensions": {DUE_DATE: "2000-01-01", MANDATORY: True, HR_STATUS: "dropped"}}
    facts = folded(event("launched", 0), event("progressed", 5, context=forged))
    assert (facts.due_date, facts.is_mandatory, facts.status) == (
        None, False, EnrollmentStatus.IN_PROGRESS,
    )  # fmt: skip


def test_an_lms_can_take_a_completion_back():
    uncompleted = "https://xapi.edlm/profiles/edlm-lms/concepts/verbs/uncompleted"
    facts = folded(event("launched"), event("completed", 10), event(uncompleted, 20))
    assert (facts.status, facts.completion_date) == (EnrollmentStatus.IN_PROGRESS, None)
    lesson = folded(
        event("completed", 10, lesson=LESSON), event(uncompleted, 20, lesson=LESSON)
    ).lessons[0]
    assert (lesson.status, lesson.completion_date) == (ProgressStatus.IN_PROGRESS, None)


def test_suspension_puts_on_hold_until_resumed_and_leaving_drops_until_enrolled_again():
    tla = "https://w3id.org/xapi/tla/verbs/"
    leave = "http://activitystrea.ms/leave"
    base = [event("registered", 0), event("launched", 5)]
    assert folded(*base, event(tla + "suspended", 10)).status == EnrollmentStatus.ON_HOLD
    resumed = folded(*base, event(tla + "suspended", 10), event(tla + "resumed", 20))
    assert resumed.status == EnrollmentStatus.IN_PROGRESS
    assert folded(*base, event(leave, 30)).status == EnrollmentStatus.DROPPED
    back = folded(*base, event(leave, 30), event("registered", 40))
    assert back.status == EnrollmentStatus.IN_PROGRESS


def test_a_finished_course_stays_finished_when_the_lms_unenrols_or_suspends_the_learner():
    tla = "https://w3id.org/xapi/tla/verbs/"
    leave = "http://activitystrea.ms/leave"
    passed = [event("registered", 0), event("launched", 5), event("passed", 10)]
    failed = [event("registered", 0), event("launched", 5), event("failed", 10)]
    assert folded(*passed, event(leave, 30)).status == EnrollmentStatus.COMPLETED
    assert folded(*passed, event(tla + "suspended", 30)).status == EnrollmentStatus.COMPLETED
    assert folded(*failed, event(leave, 30)).status == EnrollmentStatus.FAILED


def test_an_unknown_verb_counts_for_what_its_result_says():
    from mapping.integration_rules import IntegrationRules

    rules = IntegrationRules.of(None)
    unknown = "https://example.com/verbs/finished-the-module"
    assert rules.effect(unknown, {"completion": True}) is Effect.COMPLETE
    assert rules.effect(unknown, {"success": True, "completion": True}) is Effect.PASS
    assert rules.effect(unknown, {"success": False}) is Effect.FAIL
    assert rules.effect(unknown, {"score": {"scaled": 0.5}}) is None
    assert rules.effect(ADL + "terminated", {"completion": True}) is Effect.SESSION_END


def test_a_verb_that_leaves_the_outcome_open_counts_for_what_its_result_says():
    """An H5P question answered, a Moodle assignment scored, a quiz completed: the result
    says whether the activity is finished, and whether successfully."""
    from mapping.integration_rules import IntegrationRules

    rules = IntegrationRules.of(None)
    answered, completed = ADL + "answered", ADL + "completed"
    assert rules.effect(answered, {"completion": True, "success": True}) is Effect.PASS
    assert rules.effect(answered, {"completion": True, "success": False}) is Effect.FAIL
    assert rules.effect(answered, {"completion": True}) is Effect.COMPLETE
    # Not finished: a wrong answer along the way, or SCORM Engine's summary of an attempt
    # still going, fails nobody.
    assert rules.effect(answered, {"success": False}) is Effect.START
    assert rules.effect(ADL + "attempted", {"success": False, "completion": False}) is Effect.START
    assert rules.effect(completed, {"success": False}) is Effect.FAIL
    assert rules.effect(completed, {"success": True}) is Effect.PASS
    assert rules.effect(ADL + "experienced", {"completion": True}) is Effect.COMPLETE


def test_a_lesson_seen_is_done_and_a_course_seen_is_in_progress():
    facts = folded(event("experienced", 0), event("experienced", 5, lesson=LESSON))
    assert facts.status == EnrollmentStatus.IN_PROGRESS
    [lesson] = facts.lessons
    assert (lesson.status, lesson.completion_date) == (
        ProgressStatus.COMPLETED,
        T0 + timedelta(minutes=5),
    )


def test_an_activity_known_only_as_the_context_of_questions_is_no_lesson():
    quiz = {"id": "https://lms.example.com/course/1/quiz"}
    facts = folded(event("attempted"), event("answered", 2, lesson=quiz, part=True))
    assert facts.lessons == []
    assert (facts.status, facts.total_access_count) == (EnrollmentStatus.IN_PROGRESS, 1)
    with_quiz = folded(
        event("attempted", 0, lesson=quiz), event("answered", 2, lesson=quiz, part=True),
        event("attempted", 3, lesson=quiz, part=True),
    )  # fmt: skip
    assert [(lesson.activity_id, lesson.attempts) for lesson in with_quiz.lessons] == [
        (quiz["id"], 1)
    ]


def test_a_lesson_seen_but_not_finished_is_in_progress():
    from mapping.integration_rules import IntegrationRules

    effect = IntegrationRules.of(None).effect(ADL + "experienced", {"completion": False})
    assert effect is Effect.START


def test_an_integrations_verb_override_is_not_refined_by_the_result():
    from mapping.integration_rules import IntegrationRules

    rules = IntegrationRules.of_settings({}, {"verbs": {ADL + "completed": "start"}})
    assert rules.effect(ADL + "completed", {"completion": True, "success": True}) is Effect.START


def test_lessons_durations_add_up_whatever_registration_they_share():
    """Moodle derives a registration from its cron run: two quiz attempts under one are two
    attempts' time; and a course statement reporting no time takes none away."""
    cron = {"registration": "0b1b8a5c-1c9e-4b9e-8f4a-3c2d1e0f9a8b"}
    attempts = [event("completed", m, lesson=LESSON, result={"duration": d}, context=cron) for m, d in ((5, "PT20M"), (60, "PT30M"))]  # fmt: skip
    facts = folded(*attempts, event("completed", 90, result={"duration": "PT0S"}))
    assert (facts.lessons[0].time_spent_seconds, facts.time_spent_minutes) == (50 * 60, 50)


def test_an_engine_category_given_as_one_object_still_reads():
    category = {"id": "http://id.tincanapi.com/activity/rustici-software/engine"}
    context = {"registration": "31111111-2222-4333-8444-555555555555", "contextActivities": {"category": category}}  # fmt: skip
    assert event("attempted", context=context).session == context["registration"]


def test_the_courses_own_time_is_its_time_and_a_registration_reports_a_running_total():
    """Storyline reports the session on the course and each slide's time on the slide; Rise
    the time so far at each statement of a registration."""
    session = event("passed", 10, result={"duration": "PT6M"})
    slides = [event("http://activitystrea.ms/schema/1.0/leave", m, lesson=LESSON, result={"duration": "PT3M"}) for m in (3, 6)]  # fmt: skip
    assert folded(*slides, session).time_spent_minutes == 6
    assert folded(*slides).time_spent_minutes == 6
    running = {"registration": "31111111-2222-4333-8444-555555555555"}
    totals = [event("progressed", m, result={"duration": f"PT{m}M"}, context=running) for m in (5, 9, 12)]  # fmt: skip
    assert folded(*totals).time_spent_minutes == 12
