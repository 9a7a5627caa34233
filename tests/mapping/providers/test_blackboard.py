"""Blackboard Learn over real HTTP (a fake Learn on 127.0.0.1 answering from fixtures shaped
as Learn's own): the application's client-credentials token, kept and renewed once when
refused, `paging.nextPage`, Learn's error bodies and its 429, and a poll that becomes the
students' records."""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from mapping.choices import EnrollmentStatus, LmsType, ProgressStatus, SyncRunStatus
from mapping.models import LMSCourseEnrollment, LMSLearningProgress
from mapping.providers.blackboard import BlackboardClient
from mapping.providers.errors import AuthError, PermissionDenied
from mapping.providers.http import HttpClient, Politeness
from tests.mapping.feed import drain
from tests.mapping.providers.fake_lms import FakeLms, Fault, Reply, serving
from tests.mapping.providers.fixtures import load
from tests.mapping.providers.sites import api_site, sync

API = "/learn/api/public"
KEY = {"client_id": "d128e50d-c91e-47d3-a97e-9d0c8a77fb5e", "client_secret": "s3cret"}
JSON = {"Content-Type": "application/json"}


def learn_site(lms: FakeLms) -> None:
    lms.answer(f"{API}/v1/oauth2/token", load("blackboard", "token"))
    lms.answer(f"{API}/v1/system/version", load("blackboard", "version"))

    def pages(first: str, second: str):
        return lambda form: load("blackboard", second if form.get("offset") else first)

    lms.answer(f"{API}/v3/courses", pages("courses", "courses_page2"))
    lms.answer(f"{API}/v1/courses/_355_1/users", pages("members_355", "members_355_page2"))
    for name in ("members_356", "columns_355", "columns_356"):
        kind, course = name.split("_")
        path = "users" if kind == "members" else "gradebook/columns"
        version = "v1" if kind == "members" else "v2"
        lms.answer(f"{API}/{version}/courses/_{course}_1/{path}", load("blackboard", name))
    for column in ("7001", "7002"):
        lms.answer(
            f"{API}/v2/courses/_355_1/gradebook/columns/_{column}_1/users",
            load("blackboard", f"grades_355_{column}"),
        )


def client(url: str, retries: int = 1) -> BlackboardClient:
    return BlackboardClient(url, KEY, HttpClient(Politeness(5, retries, 0, private_networks=True)))


def basic(key: dict[str, str]) -> str:
    pair = f"{key['client_id']}:{key['client_secret']}".encode()
    return "Basic " + base64.b64encode(pair).decode()


def test_the_token_is_asked_for_with_the_application_key_and_kept():
    with serving() as lms:
        learn_site(lms)
        learn = client(lms.url)
        report = learn.test()
        asked = [h.get("Authorization") for h in lms.headers]
    assert lms.requests[0] == {"grant_type": ["client_credentials"]}
    # One token for every request of the test.
    assert asked == [basic(KEY)] + ["Bearer vEnn9kcdL3u6YkRrm5tBWHCoPmrOaTEJ"] * (len(asked) - 1)
    assert learn.token.fetched == 1
    assert (report.site_name, report.release, report.missing_permissions) == (
        "Blackboard Learn",
        "3900.101.0",
        [],
    )
    assert report.courses == ["ISA24", "FORK01"]  # both pages


def test_a_refused_token_is_renewed_once():
    with serving() as lms:
        learn_site(lms)
        learn = client(lms.url)
        assert [c["id"] for c in learn.courses()] == ["_355_1", "_356_1"]
        lms.faults = [Fault(401, JSON, '{"status":401,"message":"API request is not authorized."}')]
        version = learn.get(f"{API}/v1/system/version")
    assert version["learn"]["major"] == 3900
    assert learn.token.fetched == 2
    tokens = [h["Authorization"] for h in lms.headers if h["Authorization"].startswith("Basic")]
    assert len(tokens) == 2


def test_bad_credentials_say_where_to_fix_them():
    with serving() as lms:
        lms.faults = [
            Fault(
                401,
                JSON,
                '{"error":"invalid_client","error_description":"Invalid client credentials, or no '
                'access granted to this Learn server."}',
            )
        ]
        with pytest.raises(AuthError) as refused:
            client(lms.url).test()
    assert refused.value.message.startswith(
        "Blackboard refused the application key and secret: check them in the Developer Portal"
    )
    assert refused.value.message.endswith(
        "(invalid_client: Invalid client credentials, or no access granted to this Learn server.)"
    )


def test_a_missing_entitlement_is_reported_and_said_in_blackboard_s_words():
    denied = {"status": 403, "message": "User is not authorized to access this resource."}
    with serving() as lms:
        learn_site(lms)
        lms.answer(f"{API}/v1/courses/_355_1/users", Reply(denied, status=403))
        learn = client(lms.url)
        report = learn.test()
        with pytest.raises(PermissionDenied) as refused:
            next(learn.members("_355_1"))
    assert report.missing_permissions == ["read course memberships"]
    assert (
        refused.value.message == "Blackboard said: User is not authorized to access this resource."
    )


def test_the_quota_s_429_and_a_failure_are_waited_out():
    with serving() as lms:
        learn_site(lms)
        learn = client(lms.url, retries=2)
        learn.token.header()
        lms.faults = [
            Fault(
                429, {"Retry-After": "1", **JSON}, '{"status":429,"message":"Rate limit exceeded"}'
            ),
            Fault(500, JSON, '{"status":500,"message":"Internal error"}'),
        ]
        courses = [c["courseId"] for c in learn.courses()]
    assert courses == ["ISA24", "FORK01"]
    # The token, the first page three times (429, 500, then its answer), the second page.
    assert len(lms.requests) == 5


def test_a_poll_becomes_the_students_records(db_session):
    with serving() as lms:
        learn_site(lms)
        _, learn, (jane, oz) = api_site(
            db_session, LmsType.BLACKBOARD, lms.url,
            ("E10442", "Jane Doe", "_2211_1"), ("E10443", "Özlem Yılmaz", "_2212_1"),
        )  # fmt: skip
        learn.transformation_rules = {"passing_score": 70}
        db_session.flush()
        run = sync(db_session, learn, KEY)
        again = sync(db_session, learn, KEY)
    assert (run.status, run.error, run.records_read) == (SyncRunStatus.SUCCEEDED, "", 6)
    assert (again.statements_stored, again.duplicates_skipped) == (0, run.statements_stored)
    drain(db_session)
    db_session.expire_all()
    records = {e.employee_id: e for e in db_session.scalars(select(LMSCourseEnrollment))}
    assert set(records) == {jane.id, oz.id}
    mine = records[jane.id]
    assert (mine.course_code, mine.enrollment_status, mine.score_achieved, mine.max_score) == (
        "ISA24",
        EnrollmentStatus.COMPLETED,
        Decimal("85.00"),
        Decimal("100.00"),
    )
    assert (mine.enrollment_date.isoformat(), mine.passing_score) == (
        "2024-01-05",
        Decimal("70.00"),
    )
    lessons = {
        p.lesson_name: (p.progress_status, p.score_achieved, p.max_score)
        for p in db_session.scalars(
            select(LMSLearningProgress).where(LMSLearningProgress.enrollment_id == mine.id)
        )
    }
    assert lessons == {
        "Phishing quiz": (ProgressStatus.COMPLETED, Decimal("8.50"), Decimal("10.00"))
    }
    theirs = records[oz.id]
    # Not yet graded, exempt from the quiz, and their membership made unavailable.
    assert (theirs.enrollment_status, theirs.score_achieved) == (EnrollmentStatus.ON_HOLD, None)
    waived = db_session.scalars(
        select(LMSLearningProgress).where(LMSLearningProgress.enrollment_id == theirs.id)
    ).one()
    # Waived counts as done, as cmi5 has it.
    assert (waived.lesson_name, waived.progress_status, waived.score_achieved) == (
        "Phishing quiz",
        ProgressStatus.COMPLETED,
        None,
    )


@pytest.mark.parametrize(
    ("rules", "status"),
    [({}, EnrollmentStatus.IN_PROGRESS), ({"passing_score": 90}, EnrollmentStatus.FAILED)],
)
def test_below_the_pass_mark_fails_and_without_one_a_grade_is_only_a_score(
    db_session, rules, status
):
    with serving() as lms:
        learn_site(lms)
        _, learn, (jane,) = api_site(
            db_session, LmsType.BLACKBOARD, lms.url, ("E10442", "Jane Doe", "_2211_1")
        )
        learn.transformation_rules = rules
        db_session.flush()
        run = sync(db_session, learn, KEY)
    assert run.status is SyncRunStatus.SUCCEEDED
    drain(db_session)
    mine = db_session.scalars(
        select(LMSCourseEnrollment).where(LMSCourseEnrollment.employee_id == jane.id)
    ).one()
    assert (mine.enrollment_status, mine.score_achieved, mine.completion_date) == (
        status,
        Decimal("85.00"),
        None,
    )


def test_enrol_puts_a_student_membership_and_an_existing_one_is_enrolled_already():
    path = f"{API}/v1/courses/_355_1/users/_2211_1"
    created = {"id": "_9001_1", "userId": "_2211_1", "courseId": "_355_1", "courseRoleId": "Student", "availability": {"available": "Yes"}}  # fmt: skip
    answers = iter([
        Reply(created, status=201),
        Reply({"status": 409, "message": "User already enrolled"}, status=409),
        Reply({"status": 403, "message": "User is not authorized to access this resource."}, status=403),
    ])  # fmt: skip
    with serving() as lms:
        learn_site(lms)
        lms.answer(path, lambda form: next(answers))
        learn = client(lms.url)
        learn.enrol("_355_1", "_2211_1")
        learn.enrol("_355_1", "_2211_1")  # enrolled already: nothing to do
        with pytest.raises(PermissionDenied) as refused:
            learn.enrol("_355_1", "_2211_1")
    assert lms.asked == [f"POST {API}/v1/oauth2/token"] + [f"PUT {path}"] * 3
    student = {"courseRoleId": "Student", "availability": {"available": "Yes"}}
    assert [json.loads(body) for body in lms.bodies[1:]] == [student] * 3
    sent = lms.headers[1]
    assert (sent["Authorization"], sent["Content-Type"]) == ("Bearer vEnn9kcdL3u6YkRrm5tBWHCoPmrOaTEJ", "application/json")  # fmt: skip
    assert refused.value.message == (
        "Blackboard said: User is not authorized to access this resource. (give the "
        "application's Learn user the entitlement course.user-enroll.EXECUTE, or "
        "system.enrollment.CREATE with system.user.VIEW)"
    )
