"""Folding a course's statements into an enrollment and its lessons: a pure function.

`fold` takes every statement of one employee about one course and returns the records they
imply. It sorts its input by (timestamp, stored, id) first, and every figure is computed from
the whole set, so the same statements give the same records whatever order or how many times
they arrived: folding is idempotent and order-independent by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import isodate

from mapping.choices import EnrollmentSource, EnrollmentStatus, ProgressStatus
from mapping.facts import EnrollmentFacts, Event, Finding, FoldSettings, LessonFacts
from mapping.lesson_types import lesson_type
from mapping.rules import (
    Broken,
    course_dates,
    lesson_too_short,
    progress_out_of_range,
    score_above_max,
    too_many_attempts,
)
from mapping.vocabulary import (
    ADL,
    CMI5_MASTERY,
    CMI5_PROGRESS,
    CMI5_PROGRESS_HTTP,
    CMI5_REASON,
    CMI5_SESSION,
    Effect,
    display_name,
)

Json = Mapping[str, Any]
HUNDRED = Decimal(100)
# HR-side facts an HR assignment statement carries (context extensions of its own).
DUE_DATE = "urn:x-hr-lrs:assignment:due-date"
MANDATORY = "urn:x-hr-lrs:assignment:mandatory"
COMPLIANCE = "urn:x-hr-lrs:assignment:compliance"
HR_STATUS = "urn:x-hr-lrs:assignment:status"
# Marks an HR-side change of an existing enrollment (a PATCH): it sets HR fields only, never a
# learner fact (access, source, status beyond the HR status).
HR_CHANGE = "urn:x-hr-lrs:assignment:change"
HR_KEYS = (DUE_DATE, MANDATORY, COMPLIANCE, HR_STATUS, HR_CHANGE)
HR_STATUSES = frozenset(
    {EnrollmentStatus.ON_HOLD, EnrollmentStatus.DROPPED, EnrollmentStatus.EXPIRED}
)
_OUTCOMES = frozenset({EnrollmentStatus.COMPLETED, EnrollmentStatus.FAILED})
_SESSION_STARTS = frozenset({ADL + "launched", ADL + "initialized", ADL + "attempted"})
_OUTCOMES_OF_AN_ATTEMPT = frozenset({Effect.COMPLETE, Effect.PASS, Effect.FAIL})
_LEARNING = frozenset({Effect.START, Effect.EXPERIENCE, Effect.COMPLETE, Effect.PASS, Effect.FAIL})


def _found(
    findings: list[Finding],
    broken: Broken | None,
    event: Event,
    lesson_activity_id: str | None = None,
) -> None:
    """Record a broken rule as a finding about the statement that broke it."""
    if broken is not None:
        findings.append(
            Finding(
                broken.rule, broken.message, event.statement_id, event.stored, lesson_activity_id
            )
        )


def fold(events: Iterable[Event], settings: FoldSettings) -> EnrollmentFacts:
    """The enrollment a course's statements add up to (at least one event is required)."""
    ordered = _lessons_taken(sorted(events, key=lambda e: e.order))
    if not ordered:
        raise ValueError("fold needs at least one statement")
    described = _lesson_activities(ordered)
    findings: list[Finding] = []
    first = ordered[0]
    status: EnrollmentStatus | None = None
    source = EnrollmentSource.SELF_ENROLLMENT
    enrolled = False
    start: datetime | None = None
    completion: datetime | None = None
    waiver = ""
    hr = _HrFacts()
    progress = Decimal("0.00")
    best: tuple[Decimal, Decimal | None, Event | None] | None = None
    mastery: Decimal | None = None
    instructor: Json = {}
    lessons: dict[str, LessonFacts] = {}

    standing = _Standing()
    for event in ordered:
        hr.read(event)
        if _is_hr(event, HR_CHANGE):
            continue
        if event.effect is Effect.ENROLL and not enrolled:
            # The first assignment says where the enrollment came from, even when the
            # learner had started before it was recorded.
            source, enrolled = _source(event), True
        if event.context.get("instructor"):
            instructor = event.context["instructor"]
        extensions = event.context.get("extensions", {})
        if isinstance(extensions.get(CMI5_MASTERY), int | float):
            mastery = Decimal(str(extensions[CMI5_MASTERY]))
        if event.lesson is not None:
            _fold_lesson(lessons, event, described, findings, settings)
            if event.effect in _LEARNING:
                status, start = _started(status, start, event)
            continue
        # Having seen the course is being at it.
        effect = Effect.START if event.effect is Effect.EXPERIENCE else event.effect
        standing.read(effect)
        if effect is Effect.ENROLL:
            status = status or EnrollmentStatus.NOT_STARTED
        elif effect is Effect.START:
            status, start = _started(status, start, event)
        elif effect in (Effect.COMPLETE, Effect.PASS, Effect.WAIVE):
            status, start = _started(status, start, event)
            status = EnrollmentStatus.COMPLETED
            completion = completion or event.timestamp
            if effect is Effect.WAIVE:
                waiver = str(event.result.get("extensions", {}).get(CMI5_REASON, "waived"))
        elif effect is Effect.FAIL:
            status, start = _started(status, start, event)
            if status is not EnrollmentStatus.COMPLETED:
                status = EnrollmentStatus.FAILED
        elif effect is Effect.UNCOMPLETE and status is EnrollmentStatus.COMPLETED:
            status, completion = EnrollmentStatus.IN_PROGRESS, None
        if (value := _progress(event, findings)) is not None:
            progress = value
        if (score := _score(event)) is not None and (best is None or score[0] >= best[0]):
            best = (score[0], score[1], event)

    if status is EnrollmentStatus.COMPLETED:
        progress = HUNDRED
    # What the learner achieved stands when the LMS later suspends or unenrols them (Moodle
    # sites unenrol learners who have finished).
    paused_or_left = None if status in _OUTCOMES else standing.status
    status = hr.status or paused_or_left or status or EnrollmentStatus.NOT_STARTED
    finished = [_finish_lesson(lesson, ordered, findings) for lesson in lessons.values()]
    if (
        best is None
        and len(finished) == 1
        and finished[0].score is not None
        and _from_cmi5(ordered)
    ):
        # A course scores only from its own result, but cmi5 scores only its AUs: a one-AU
        # course's AU is the whole course. Elsewhere no lesson's score stands in for one.
        best = (finished[0].score, finished[0].max_score, None)
    score_achieved, max_score = (best[0], best[1]) if best else (None, None)
    if best and best[2]:
        _found(findings, score_above_max(best[0], best[1]), best[2])
    passing = settings.passing_score
    if mastery is not None:
        passing = _money(mastery * (max_score if max_score is not None else HUNDRED))
    _check_dates(start, completion, ordered, findings)
    course = _described(ordered)
    return EnrollmentFacts(
        course_name=display_name(course, course["id"])[:200],
        course=course,
        status=status,
        enrollment_source=source,
        enrollment_date=first.timestamp.date(),
        start_date=start.date() if start else None,
        completion_date=completion.date() if completion else None,
        progress_percentage=progress,
        time_spent_minutes=_course_time(ordered) // 60,
        score_achieved=score_achieved,
        max_score=max_score,
        passing_score=passing,
        last_access_date=next((e.timestamp for e in reversed(ordered) if not _is_hr(e)), None),
        total_access_count=_accesses(ordered),
        credits_earned=settings.credits
        if status is EnrollmentStatus.COMPLETED
        else Decimal("0.00"),
        waiver_reason=waiver,
        instructor_id=_instructor_id(instructor)[:100],
        instructor_name=str(instructor.get("name", ""))[:200],
        due_date=hr.due_date,
        is_mandatory=hr.mandatory,
        is_compliance_training=hr.compliance,
        first_stored=min(e.stored for e in ordered),
        last_stored=max(e.stored for e in ordered),
        statement_ids=[e.statement_id for e in ordered],
        lessons=finished,
        findings=findings,
    )


@dataclass(slots=True)
class _Standing:
    """Whether the LMS has the learner's enrolment paused or ended, as its latest word on
    it says: suspended until resumed, dropped until enrolled again."""

    on_hold: bool = False
    dropped: bool = False

    def read(self, effect: Effect | None) -> None:
        if effect is Effect.DROP:
            self.dropped, self.on_hold = True, False
        elif effect is Effect.SUSPEND:
            self.on_hold = True
        elif effect is Effect.ENROLL:
            self.dropped = self.on_hold = False
        elif effect is not None and effect is not Effect.SESSION_END:
            self.on_hold = False  # resumed, or learning again

    @property
    def status(self) -> EnrollmentStatus | None:
        if self.dropped:
            return EnrollmentStatus.DROPPED
        return EnrollmentStatus.ON_HOLD if self.on_hold else None


@dataclass(slots=True)
class _HrFacts:
    """HR-owned fields, as the latest HR assignment statement set them."""

    due_date: date | None = None
    mandatory: bool = False
    compliance: bool = False
    status: EnrollmentStatus | None = None

    def read(self, event: Event) -> None:
        if not _is_hr(event):
            return
        extensions = event.context.get("extensions", {})
        due = extensions.get(DUE_DATE)
        self.due_date = date.fromisoformat(due) if isinstance(due, str) else None
        self.mandatory = extensions.get(MANDATORY) is True
        self.compliance = extensions.get(COMPLIANCE) is True
        status = extensions.get(HR_STATUS)
        self.status = EnrollmentStatus(status) if status in HR_STATUSES else None


def _described(events: Sequence[Event]) -> Json:
    """The course activity with what its statements say of it: of each property of its
    definition, the latest statement's that gives it (an LMS that renames a course says so
    from then on)."""
    return _merged(events[0].course["id"], (event.course for event in events))


def _lesson_activities(events: Sequence[Event]) -> dict[str, Json]:
    """Each lesson's activity with what the statements say of it, as for the course: a
    question's statement may name its lesson by id alone (H5P's chapters, Rise's quizzes)."""
    by_lesson: dict[str, list[Json]] = {}
    for event in events:
        if event.lesson is not None:
            by_lesson.setdefault(event.lesson["id"], []).append(event.lesson)
    return {lesson: _merged(lesson, activities) for lesson, activities in by_lesson.items()}


def _merged(activity_id: str, activities: Iterable[Json]) -> Json:
    definition: dict[str, Any] = {}
    for activity in reversed(list(activities)):
        for name, value in (activity.get("definition") or {}).items():
            if value:
                definition.setdefault(name, value)
    return {"id": activity_id, "definition": definition}


def _lessons_taken(events: list[Event]) -> list[Event]:
    """The events, those about parts of an activity no statement is about itself taken as
    parts of the course: a lesson is what the learner takes, and an activity known only as
    the context of questions (Captivate names its quiz so) is not one."""
    taken = {e.lesson["id"] for e in events if e.lesson is not None and not e.part}
    return [
        e if e.lesson is None or e.lesson["id"] in taken else replace(e, lesson=None)
        for e in events
    ]


def _sessions(events: Sequence[Event]) -> int:
    """The sessions the events started (a part's statement starts none of its own)."""
    return len({e.session for e in events if e.verb_id in _SESSION_STARTS and not e.part})


def _accesses(events: Sequence[Event]) -> int:
    """The times the learner came to the course: the sessions of the course itself where it
    has them (a quiz attempted within one is no new visit), else its lessons' (cmi5
    launches its AUs, a SCORM wrapper its SCOs)."""
    return _sessions([e for e in events if e.lesson is None]) or _sessions(events)


def _is_hr(event: Event, *keys: str) -> bool:
    """Whether the HR system recorded the statement (one of `keys` marks it, by default any
    of the HR extensions): HR facts, not the learner's doing. The marks count only on
    statements stored under the HR system's authority: from an LMS they mean nothing."""
    extensions = event.context.get("extensions", {})
    return event.by_hr and any(key in extensions for key in keys or HR_KEYS)


def _source(event: Event) -> EnrollmentSource:
    if _is_hr(event, DUE_DATE, MANDATORY):
        return EnrollmentSource.MANAGER_ASSIGNMENT
    return EnrollmentSource.SYSTEM_ASSIGNMENT


def _started(
    status: EnrollmentStatus | None, start: datetime | None, event: Event
) -> tuple[EnrollmentStatus, datetime]:
    if status in (None, EnrollmentStatus.NOT_STARTED):
        status = EnrollmentStatus.IN_PROGRESS
    assert status is not None
    return status, start or event.timestamp


def _progress(event: Event, findings: list[Finding]) -> Decimal | None:
    extensions = event.result.get("extensions", {})
    value = extensions.get(CMI5_PROGRESS, extensions.get(CMI5_PROGRESS_HTTP))
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    lesson_id = event.lesson["id"] if event.lesson else None
    _found(findings, progress_out_of_range(value), event, lesson_id)
    return _money(Decimal(str(min(max(value, 0), 100))))


def _score(event: Event) -> tuple[Decimal, Decimal | None] | None:
    score = event.result.get("score")
    if not score:
        return None
    if "raw" in score:
        high = score.get("max")
        return _money(Decimal(str(score["raw"]))), _money(
            Decimal(str(high))
        ) if high is not None else None
    if "scaled" in score:
        return _money(Decimal(str(score["scaled"])) * HUNDRED), HUNDRED
    return None


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _course_time(events: Sequence[Event]) -> int:
    """Seconds spent on the course: what its own statements report (a content tool's
    session, or its running total, on the course), or what its lessons' add up to, whichever
    is more (Storyline reports both: each slide's time within the session's)."""
    own = [e for e in events if e.lesson is None]
    return max(_time_spent(own), _time_spent([e for e in events if e.lesson is not None]))


def _time_spent(events: Sequence[Event]) -> int:
    """Seconds spent: per span the longest duration reported, summed over spans, so a
    session's completed and terminated statements (each with the session's duration so far)
    are not counted twice. A span is a cmi5 session; for statements about the course itself,
    its registration, in which content tools report running totals (Rise, Captivate and
    SCORM Engine carry the time so far across launches); else the statement alone."""
    longest: dict[str, float] = {}
    for event in events:
        duration = event.result.get("duration")
        if not isinstance(duration, str):
            continue
        try:
            parsed = isodate.parse_duration(duration.replace(",", "."))
        except (isodate.ISO8601Error, ValueError):
            continue
        seconds = ((event.timestamp + parsed) - event.timestamp).total_seconds()
        span = event.session if CMI5_SESSION in event.context.get("extensions", {}) else None
        if span is None and event.lesson is None:
            span = event.context.get("registration")
        span = str(span or event.statement_id)
        longest[span] = max(longest.get(span, 0.0), seconds)
    return int(sum(longest.values()))


def _from_cmi5(events: Sequence[Event]) -> bool:
    return any(CMI5_SESSION in e.context.get("extensions", {}) for e in events)


def _instructor_id(instructor: Json) -> str:
    for key in ("mbox", "openid", "mbox_sha1sum"):
        if key in instructor:
            return str(instructor[key])
    account = instructor.get("account")
    return str(account["name"]) if isinstance(account, dict) else ""


def _check_dates(
    start: datetime | None,
    completion: datetime | None,
    events: Sequence[Event],
    findings: list[Finding],
) -> None:
    if start is None or completion is None:
        return
    completing = next(e for e in events if e.timestamp == completion and e.lesson is None)
    for broken in course_dates(start, completion):
        _found(findings, broken, completing)


def _fold_lesson(
    lessons: dict[str, LessonFacts],
    event: Event,
    described: Mapping[str, Json],
    findings: list[Finding],
    settings: FoldSettings,
) -> None:
    assert event.lesson is not None
    activity = described[event.lesson["id"]]
    lesson = lessons.get(activity["id"])
    if lesson is None:
        lesson = lessons[activity["id"]] = LessonFacts(
            activity_id=activity["id"],
            name=display_name(activity, activity["id"])[:200],
            lesson_type=lesson_type(activity, settings.lesson_types),
            first_stored=event.stored,
            last_stored=event.stored,
        )
    lesson.statement_ids.append(event.statement_id)
    lesson.first_stored = min(lesson.first_stored, event.stored)
    lesson.last_stored = max(lesson.last_stored, event.stored)
    lesson.first_access = lesson.first_access or event.timestamp
    lesson.last_access = event.timestamp
    effect = event.effect
    if effect is Effect.START and lesson.status is ProgressStatus.NOT_STARTED:
        lesson.status = ProgressStatus.IN_PROGRESS
    elif effect in (Effect.EXPERIENCE, Effect.COMPLETE, Effect.PASS, Effect.WAIVE):
        # A lesson seen (a slide, a page) is done: there is nothing more to it.
        lesson.status = ProgressStatus.COMPLETED
        lesson.completion_date = lesson.completion_date or event.timestamp
    elif effect is Effect.FAIL and lesson.status is not ProgressStatus.COMPLETED:
        lesson.status = ProgressStatus.FAILED
    elif effect is Effect.UNCOMPLETE and lesson.status is ProgressStatus.COMPLETED:
        lesson.status, lesson.completion_date = ProgressStatus.IN_PROGRESS, None
    if (value := _progress(event, findings)) is not None:
        lesson.completion_percentage = value
    if (score := _score(event)) is not None and (lesson.score is None or score[0] >= lesson.score):
        lesson.score, lesson.max_score = score
        _found(findings, score_above_max(*score), event, activity["id"])


def _finish_lesson(
    lesson: LessonFacts, events: Sequence[Event], findings: list[Finding]
) -> LessonFacts:
    mine = [e for e in events if e.lesson is not None and e.lesson["id"] == lesson.activity_id]
    lesson.time_spent_seconds = _time_spent(mine)
    # Attempts the LMS names count as such; otherwise each session started is one, or,
    # where the content starts none (a quiz within a course's session), each result scored.
    named = {e.attempt for e in mine if e.attempt}
    scored = [e for e in mine if e.effect in _OUTCOMES_OF_AN_ATTEMPT and e.result.get("score")]
    lesson.attempts = len(named) or _sessions(mine) or len(scored)
    if lesson.status is ProgressStatus.COMPLETED:
        lesson.completion_percentage = HUNDRED
    last = mine[-1]
    _found(findings, too_many_attempts(lesson.attempts), last, lesson.activity_id)
    timed = any(isinstance(e.result.get("duration"), str) for e in mine)
    if lesson.status is ProgressStatus.COMPLETED and timed:
        _found(findings, lesson_too_short(lesson.time_spent_seconds), last, lesson.activity_id)
    return lesson
