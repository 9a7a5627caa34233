"""TalentLMS over real HTTP (a fake TalentLMS on 127.0.0.1 answering from fixtures shaped as
its own): the API key as Basic user, `key:value` path arguments, string values, and a poll
that becomes the learners' records."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest
from sqlalchemy import select

from mapping.choices import (
    EnrollmentStatus,
    LessonType,
    LmsType,
    ProgressStatus,
    SyncRunStatus,
)
from mapping.models import LMSCourseEnrollment, LMSLearningProgress
from mapping.providers.errors import AuthError, ProviderError
from mapping.providers.http import HttpClient, Politeness
from mapping.providers.talentlms import TalentLmsClient
from mapping.providers.talentlms_poll import seconds
from tests.mapping.feed import drain
from tests.mapping.providers.fake_lms import FakeLms, Fault, Reply, serving
from tests.mapping.providers.fixtures import load
from tests.mapping.providers.sites import api_site, sync


def talent_domain(lms: FakeLms) -> None:
    lms.answer(
        "/api/v1/ratelimit",
        {
            "limit": "2000",
            "remaining": "1987",
            "reset": "1717423200",
            "formatted_reset": "03/06/2024, 14:00:00",
        },
    )
    lms.answer("/api/v1/courses", load("talentlms", "courses"))
    lms.answer("/api/v1/courses/id:14", load("talentlms", "course_14"))
    for user in ("57", "58"):
        lms.answer(
            f"/api/v1/getuserstatusincourse/course_id:14,user_id:{user}",
            load("talentlms", f"status_14_{user}"),
        )


def client(url: str) -> TalentLmsClient:
    return TalentLmsClient(url, "k3y", HttpClient(Politeness(5, 1, 0, private_networks=True)))


def test_the_api_key_is_the_basic_user_and_the_quota_is_read_unmetered():
    with serving() as lms:
        talent_domain(lms)
        report = client(lms.url).test()
        assert lms.headers[0]["Authorization"] == "Basic " + base64.b64encode(b"k3y:").decode()
    assert report.site_name == "TalentLMS (1987 of 2000 requests left this hour)"
    assert report.courses == ["ISA24"]


def test_a_bad_key_and_an_error_body_say_what_happened():
    with serving() as lms:
        lms.faults = [
            Fault(401, {"Content-Type": "text/html"}, "You need a valid user and password")
        ]
        with pytest.raises(AuthError) as refused:
            client(lms.url).test()
        lms.faults = [
            Fault(
                400,
                {"Content-Type": "application/json"},
                '{"error":{"type":"invalid_request_error","message":"The requested user does not exist"}}',
            )
        ]
        with pytest.raises(ProviderError) as missing:
            client(lms.url).status("14", "999")
    assert refused.value.message.startswith("TalentLMS refused the API key")
    assert missing.value.message == "TalentLMS said: The requested user does not exist"


def test_talentlms_times_read_as_seconds():
    assert (seconds("1h 30m 12s"), seconds("12m 5s"), seconds(""), seconds(None)) == (
        5412,
        725,
        0,
        0,
    )


def test_a_poll_becomes_the_learners_records(db_session):
    with serving() as lms:
        talent_domain(lms)
        _, talent, (jane, oz) = api_site(
            db_session, LmsType.TALENTLMS, lms.url,
            ("E10442", "Jane Doe", "57"), ("E10443", "Özlem Yılmaz", "58"),
        )  # fmt: skip
        run = sync(db_session, talent, {"api_key": "k3y"})
        again = sync(db_session, talent, {"api_key": "k3y"})
    assert (run.status, run.error) == (SyncRunStatus.SUCCEEDED, "")
    assert (again.statements_stored, again.duplicates_skipped) == (0, run.statements_stored)
    drain(db_session)
    db_session.expire_all()
    records = {e.employee_id: e for e in db_session.scalars(select(LMSCourseEnrollment))}
    assert set(records) == {jane.id, oz.id}  # the instructor is no learner
    mine = records[jane.id]
    assert (mine.course_code, mine.enrollment_status, mine.completion_date.isoformat()) == ("ISA24", EnrollmentStatus.COMPLETED, "2024-06-03")  # fmt: skip
    assert (mine.time_spent_minutes, mine.score_achieved) == (
        5412 // 60,
        None,
    )  # no course grade in TalentLMS
    lessons = {p.lesson_name: (p.lesson_type, p.progress_status, p.score_achieved, p.max_score)
               for p in db_session.scalars(select(LMSLearningProgress).where(LMSLearningProgress.enrollment_id == mine.id))}  # fmt: skip
    assert lessons == {
        "Introduction": (LessonType.READING, ProgressStatus.COMPLETED, None, None),
        "Phishing quiz": (
            LessonType.ASSESSMENT,
            ProgressStatus.COMPLETED,
            Decimal("85.00"),
            Decimal("100.00"),
        ),
    }
    theirs = records[oz.id]
    assert (theirs.enrollment_status, theirs.progress_percentage) == (
        EnrollmentStatus.IN_PROGRESS,
        Decimal("40.00"),
    )


def test_enrol_posts_a_learner_and_an_enrolled_user_is_enrolled_already():
    # TalentLMS does not document its words for a user enrolled already: these are assumed.
    answers = iter([
        [{"user_id": "57", "course_id": "14", "role": "learner"}],
        Reply({"error": {"type": "invalid_request_error", "message": "The requested user is already enrolled in this course"}}, status=400),
        Reply({"error": {"type": "invalid_request_error", "message": "The requested course does not exist"}}, status=400),
    ])  # fmt: skip
    with serving() as lms:
        lms.answer("/api/v1/addusertocourse", lambda form: next(answers))
        talent = client(lms.url)
        talent.enrol("14", "57")
        talent.enrol("14", "57")  # enrolled already: nothing to do
        with pytest.raises(ProviderError) as refused:
            talent.enrol("14", "57")
    assert lms.asked == ["POST /api/v1/addusertocourse"] * 3
    assert lms.bodies == ["user_id=57&course_id=14&role=learner"] * 3
    sent = lms.headers[0]
    assert (sent["Authorization"], sent["Content-Type"]) == ("Basic " + base64.b64encode(b"k3y:").decode(), "application/x-www-form-urlencoded")  # fmt: skip
    assert refused.value.message == "TalentLMS said: The requested course does not exist"
