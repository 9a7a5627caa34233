"""Canvas over real HTTP (a fake Canvas on 127.0.0.1 answering from fixtures shaped as
Canvas's own): its bearer token, Link-header paging, its three 401s and its 403 throttle,
and a poll that becomes the students' records."""

from __future__ import annotations

import time
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
from mapping.providers.canvas import CanvasClient
from mapping.providers.errors import AuthError, PermissionDenied
from mapping.providers.http import HttpClient, Politeness
from tests.mapping.feed import drain
from tests.mapping.providers.fake_lms import FakeLms, Fault, Reply, serving
from tests.mapping.providers.fixtures import load
from tests.mapping.providers.sites import api_site, sync

COURSE = "/api/v1/courses/370663"


def canvas_account(lms: FakeLms) -> None:
    lms.answer(
        "/api/v1/users/self",
        {"id": 1, "name": "HR Sync", "sortable_name": "Sync, HR", "short_name": "HR Sync"},
    )
    lms.answer("/api/v1/accounts/self/courses", load("canvas", "courses"))

    def enrollments(form):
        if form.get("page") == ["2"]:
            return load("canvas", "enrollments_370663_page2")
        # The next page's link, opaque, as Canvas gives it.
        link = f'<{lms.url}{COURSE}/enrollments?page=2&per_page=1>; rel="next"'
        return Reply(load("canvas", "enrollments_370663"), {"Link": link})

    lms.answer(f"{COURSE}/enrollments", enrollments)
    lms.answer(f"{COURSE}/bulk_user_progress", load("canvas", "bulk_user_progress_370663"))
    lms.answer(f"{COURSE}/students/submissions", load("canvas", "submissions_370663"))


def client(url: str, retries: int = 2) -> CanvasClient:
    return CanvasClient(url, "t0ken", HttpClient(Politeness(5, retries, 0, private_networks=True)))


def test_a_connection_test_reads_who_the_token_is_and_its_courses():
    with serving() as lms:
        canvas_account(lms)
        report = client(lms.url).test()
        assert lms.headers[0]["Authorization"] == "Bearer t0ken"
    assert (report.site_name, report.courses, report.missing_permissions) == (
        "Canvas, as HR Sync",
        ["ISA24"],
        [],
    )


@pytest.mark.parametrize(
    ("message", "error", "said"),
    [
        ("Invalid access token.", AuthError, "Canvas refused the access token: issue a new one"),
        (
            "Insufficient scopes on access token.",
            PermissionDenied,
            "Canvas refused the request: the token may not do this",
        ),
        (
            "user not authorized to perform that action",
            PermissionDenied,
            "Canvas refused the request: the token may not do this",
        ),
    ],
)
def test_canvas_s_three_401s_are_told_apart(message, error, said):
    with serving() as lms:
        lms.faults = [
            Fault(
                401,
                {"WWW-Authenticate": 'Bearer realm="canvas-lms"'},
                f'{{"errors":[{{"message":"{message}"}}]}}',
            )
        ]
        with pytest.raises(error) as raised:
            client(lms.url).test()
    assert raised.value.message.startswith(said)


def test_the_403_throttle_is_waited_out(monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)
    with serving() as lms:
        canvas_account(lms)
        lms.faults = [
            Fault(
                403,
                {"Content-Type": "text/plain", "X-Rate-Limit-Remaining": "0.0"},
                "403 Forbidden (Rate Limit Exceeded)\n",
            )
        ]
        assert client(lms.url).get("/users/self").json()["name"] == "HR Sync"
    assert len(waits) == 1 and len(lms.requests) == 2


def test_pages_are_followed_by_their_link():
    with serving() as lms:
        canvas_account(lms)
        users = [e["user_id"] for e in client(lms.url).enrollments(370663)]
        assert lms.requests[0]["per_page"] == ["100"] and lms.requests[1]["page"] == ["2"]
    assert users == [4211, 4212]


def test_a_poll_becomes_the_students_records(db_session):
    with serving() as lms:
        canvas_account(lms)
        _, canvas, (jane, zoe) = api_site(
            db_session, LmsType.CANVAS, lms.url,
            ("E10442", "Jane Doe", "4211"), ("E10443", "Zoë Brontë", "4212"),
        )  # fmt: skip
        run = sync(db_session, canvas, {"access_token": "t0ken"})
        again = sync(db_session, canvas, {"access_token": "t0ken"})
    assert (run.status, again.statements_stored, again.duplicates_skipped) == (SyncRunStatus.SUCCEEDED, 0, run.statements_stored)  # fmt: skip
    drain(db_session)
    db_session.expire_all()
    records = {e.employee_id: e for e in db_session.scalars(select(LMSCourseEnrollment))}
    mine = records[jane.id]
    assert (mine.course_code, mine.course_name) == ("ISA24", "Information Security Awareness 2024")
    assert (mine.enrollment_status, mine.completion_date.isoformat()) == (
        EnrollmentStatus.COMPLETED,
        "2024-06-03",
    )
    assert (mine.score_achieved, mine.max_score, mine.progress_percentage) == (Decimal("85.00"), Decimal("100.00"), Decimal("100.00"))  # fmt: skip
    assert mine.time_spent_minutes == 5412 // 60
    [quiz] = db_session.scalars(
        select(LMSLearningProgress).where(LMSLearningProgress.enrollment_id == mine.id)
    ).all()
    assert (quiz.lesson_name, quiz.lesson_type, quiz.score_achieved, quiz.max_score) == (
        "Phishing quiz", LessonType.ASSESSMENT, Decimal("8.50"), Decimal("10.00"),
    )  # fmt: skip
    assert (
        quiz.progress_status == ProgressStatus.IN_PROGRESS
    )  # graded; Canvas says nothing of finishing it
    theirs = records[zoe.id]
    # An inactive enrolment is on hold; 3 of 10 requirements done.
    assert (theirs.enrollment_status, theirs.progress_percentage) == (
        EnrollmentStatus.ON_HOLD,
        Decimal("30.00"),
    )
