"""Docebo over real HTTP (a fake Docebo on 127.0.0.1 answering from fixtures shaped as
Docebo's own): the password grant and the JWT-bearer grant, the token kept and renewed once
when refused, `page`/`has_more_data` paging, its 429 and failures waited out, its OAuth2
refusals said in words an admin can act on, and a poll that becomes the learners' records."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select

from mapping.choices import EnrollmentStatus, LmsType, SyncRunStatus
from mapping.models import LMSCourseEnrollment
from mapping.providers.docebo import JWT_BEARER, DoceboClient
from mapping.providers.docebo_poll import utc
from mapping.providers.errors import AuthError, PermissionDenied, ProviderError
from mapping.providers.http import HttpClient, Politeness
from tests.mapping.feed import drain
from tests.mapping.providers.fake_lms import FakeLms, Fault, Reply, serving
from tests.mapping.providers.fixtures import load
from tests.mapping.providers.sites import api_site, sync

PASSWORD = {
    "client_id": "hr-sync",
    "client_secret": "s3cret",
    "username": "hr.sync",
    "password": "pa55word",
}
JSON = {"Content-Type": "application/json"}
TOKEN = load("docebo", "token")["access_token"]


def docebo_platform(lms: FakeLms) -> None:
    lms.answer("/oauth2/token", load("docebo", "token"))
    lms.answer("/manage/v1/user/session", load("docebo", "session"))
    lms.answer("/learn/v1/courses", load("docebo", "courses"))
    lms.answer(
        "/learn/v1/enrollments",
        lambda form: load(
            "docebo", "enrollments_page2" if form.get("page") == ["2"] else "enrollments"
        ),
    )


def client(url: str, config=PASSWORD, retries: int = 1) -> DoceboClient:
    return DoceboClient(url, config, HttpClient(Politeness(5, retries, 0, private_networks=True)))


def test_the_password_grant_asks_for_an_api_token_and_sends_it_as_bearer():
    with serving() as lms:
        docebo_platform(lms)
        report = client(lms.url).test()
        asked = [h.get("Authorization") for h in lms.headers[1:]]
    assert lms.requests[0] == {
        "client_id": ["hr-sync"],
        "client_secret": ["s3cret"],
        "grant_type": ["password"],
        "scope": ["api"],
        "username": ["hr.sync"],
        "password": ["pa55word"],
    }
    assert asked == [f"Bearer {TOKEN}"] * 3  # the session, the courses, the enrolments
    assert (report.site_name, report.courses, report.missing_permissions) == (
        "Docebo, as hr.sync",
        ["ISA24", "GDPR101"],
        [],
    )


def test_the_jwt_bearer_grant_presents_an_assertion_signed_with_the_private_key():
    key = RSAKey.generate_key(2048)
    config = {
        "client_id": "hr-sync",
        "client_secret": "s3cret",
        "private_key": key.as_pem(private=True).decode(),
        "username": "hr.sync",
    }
    with serving() as lms:
        docebo_platform(lms)
        before = int(time.time())
        courses = [c["code"] for c in client(lms.url, config).courses()]
        form = lms.requests[0]
    assertion = form.pop("assertion")
    assert form == {
        "client_id": ["hr-sync"],
        "client_secret": ["s3cret"],
        "grant_type": [JWT_BEARER],
        "scope": ["api"],
    }
    public = RSAKey.import_key(key.as_pem(private=False))
    token = jwt.decode(assertion[0], public, algorithms=["RS256"])
    claims = token.claims
    assert (token.header["alg"], claims["iss"], claims["sub"], claims["aud"]) == (
        "RS256",
        "hr-sync",
        "hr.sync",
        urlsplit(lms.url).netloc,
    )
    assert before <= claims["iat"] <= before + 5 and claims["exp"] == claims["iat"] + 300
    assert courses == ["ISA24", "GDPR101"]


def test_the_token_is_kept_and_fetched_again_once_when_refused():
    issued = iter(["first-token", "second-token"])
    with serving() as lms:
        docebo_platform(lms)
        lms.answer("/oauth2/token", lambda form: {"access_token": next(issued), "expires_in": 3600})
        docebo = client(lms.url)
        list(docebo.courses())
        list(docebo.courses())
        lms.faults = [
            Fault(
                401, JSON, '{"name":"Unauthorized","message":"Invalid token","code":0,"status":401}'
            )
        ]
        codes = [c["code"] for c in docebo.courses()]
        asked = [h.get("Authorization") for h in lms.headers]
    token_requests = [form for form in lms.requests if "grant_type" in form]
    assert (len(token_requests), docebo.token.fetched) == (2, 2)
    # Two reads with the first token, one refused, then the read again with the second.
    assert asked[1:] == ["Bearer first-token"] * 3 + [None, "Bearer second-token"]
    assert codes == ["ISA24", "GDPR101"]


def test_enrolments_are_read_page_by_page_until_docebo_has_no_more():
    with serving() as lms:
        docebo_platform(lms)
        users = [(e["user_id"], e["course_id"]) for e in client(lms.url).enrollments()]
        pages = [(form["page"], form["page_size"], form["type[]"]) for form in lms.requests[1:]]
    assert users == [(12876, 318), (12876, 322), (1, 318), (12877, 318)]
    course_types = ["elearning", "classroom", "webinar"]
    assert pages == [(["1"], ["200"], course_types), (["2"], ["200"], course_types)]


def test_a_429_is_waited_out_for_as_long_as_docebo_asks_and_a_failure_retried(monkeypatch):
    waits: list[float] = []
    with serving() as lms:
        docebo_platform(lms)
        docebo = client(lms.url, retries=2)
        docebo.token.header()
        lms.faults = [
            Fault(429, {"Retry-After": "7", **JSON}, '{"message":"Too Many Requests"}'),
            Fault(500, JSON, '{"message":"Internal Server Error"}'),
        ]
        monkeypatch.setattr(time, "sleep", waits.append)
        codes = [c["code"] for c in docebo.courses()]
    assert codes == ["ISA24", "GDPR101"]
    # The token, then the courses three times: the 429, the 500, the answer.
    assert (len(lms.requests), waits) == (4, [7.0])


def test_refused_credentials_say_where_to_fix_them():
    with serving() as lms:
        lms.faults = [
            Fault(
                400,
                JSON,
                '{"error":"invalid_client","error_description":"The client credentials are invalid"}',
            )
        ]
        with pytest.raises(AuthError) as refused:
            client(lms.url, retries=3).test()
        requests = len(lms.requests)
    assert refused.value.message == (
        "Docebo refused the API client's credentials: check the client id and secret under "
        "Admin Menu > API and SSO > Manage > API Credentials and that the client is active "
        "(invalid_client: The client credentials are invalid)"
    )
    assert requests == 1  # a refusal is not retried


def test_a_refused_password_is_told_from_a_refused_client():
    with serving() as lms:
        lms.faults = [
            Fault(
                400,
                JSON,
                '{"error":"invalid_grant","error_description":"Invalid username and password combination"}',
            )
        ]
        with pytest.raises(AuthError) as refused:
            list(client(lms.url).courses())
    assert refused.value.message.startswith("Docebo refused the API user's username or password")


def test_a_missing_permission_is_reported_with_its_remedy_and_said_in_docebo_s_words():
    denied = {"message": "You are not allowed to perform this action", "errors": []}
    with serving() as lms:
        docebo_platform(lms)
        lms.answer("/learn/v1/enrollments", Reply(denied, status=403))
        docebo = client(lms.url)
        report = docebo.test()
        with pytest.raises(PermissionDenied) as refused:
            next(docebo.enrollments())
    assert (report.courses, report.missing_permissions) == (
        ["ISA24", "GDPR101"],
        ["list every user's enrolments"],
    )
    assert report.remedy.startswith("make the API user a Superadmin")
    assert refused.value.message == (
        "Docebo refused the request: the API user may not do this "
        "(You are not allowed to perform this action)"
    )


def test_docebo_times_read_as_utc():
    assert [
        utc("2024-06-03 13:09:44"),
        utc("0000-00-00 00:00:00"),
        utc(None),
        utc(""),
    ] == ["2024-06-03T13:09:44Z", None, None, None]


def test_a_poll_becomes_the_learners_records(db_session):
    with serving() as lms:
        docebo_platform(lms)
        _, docebo, (jane, zoe, _) = api_site(
            db_session, LmsType.DOCEBO, lms.url,
            ("E10442", "Jane Doe", "12876"), ("E10443", "Zoë Brontë", "12877"),
            ("E10001", "Ada Admin", "1"),
        )  # fmt: skip
        run = sync(db_session, docebo, PASSWORD)
        again = sync(db_session, docebo, PASSWORD)
    assert (run.status, run.error, run.records_read) == (SyncRunStatus.SUCCEEDED, "", 3)
    assert (again.statements_stored, again.duplicates_skipped) == (0, run.statements_stored)
    drain(db_session)
    db_session.expire_all()
    records = {
        (e.employee_id, e.course_code): e for e in db_session.scalars(select(LMSCourseEnrollment))
    }
    # The instructor is no learner.
    assert set(records) == {(jane.id, "ISA24"), (jane.id, "GDPR101"), (zoe.id, "ISA24")}
    done = records[jane.id, "ISA24"]
    assert (done.course_name, done.enrollment_status, done.completion_date.isoformat()) == (
        "Information Security Awareness 2024",
        EnrollmentStatus.COMPLETED,
        "2024-06-03",
    )
    assert (done.score_achieved, done.max_score, done.time_spent_minutes) == (
        Decimal("85.00"),
        Decimal("100.00"),
        5412 // 60,
    )
    assert done.course_activity_id == f"{lms.url}/learn/course/318"
    going = records[jane.id, "GDPR101"]
    # No score yet (null), 40% through.
    assert (going.course_name, going.enrollment_status, going.progress_percentage) == (
        "Conformité RGPD : les bases",
        EnrollmentStatus.IN_PROGRESS,
        Decimal("40.00"),
    )
    assert (going.score_achieved, going.completion_date, going.time_spent_minutes) == (
        None,
        None,
        725 // 60,
    )
    suspended = records[zoe.id, "ISA24"]
    assert (suspended.enrollment_status, suspended.score_achieved) == (
        EnrollmentStatus.ON_HOLD,
        None,
    )


def test_enrol_posts_a_student_and_an_enrolled_user_is_enrolled_already():
    # Docebo lists what it could not do in `data.errors`; its words for a user enrolled
    # already are not documented: these are assumed.
    answers = iter([
        {"data": {"enrolled": [12876], "errors": []}, "version": "1.0.0"},
        {"data": {"enrolled": [], "errors": ["User 12876 is already enrolled in course 318"]}, "version": "1.0.0"},
        {"data": {"enrolled": [], "errors": ["Course 999 does not exist"]}, "version": "1.0.0"},
    ])  # fmt: skip
    with serving() as lms:
        docebo_platform(lms)
        lms.answer("/learn/v1/enrollments/318/12876", lambda form: next(answers))
        lms.answer("/learn/v1/enrollments/999/12876", lambda form: next(answers))
        docebo = client(lms.url)
        docebo.enrol("318", "12876")
        docebo.enrol("318", "12876")  # enrolled already: nothing to do
        with pytest.raises(ProviderError) as refused:
            docebo.enrol("999", "12876")
    assert lms.asked == ["POST /oauth2/token"] + [
        "POST /learn/v1/enrollments/318/12876",
        "POST /learn/v1/enrollments/318/12876",
        "POST /learn/v1/enrollments/999/12876",
    ]
    assert [json.loads(body) for body in lms.bodies[1:]] == [{"level": 3}] * 3
    sent = lms.headers[1]
    assert (sent["Authorization"], sent["Content-Type"]) == (f"Bearer {TOKEN}", "application/json")
    assert refused.value.message == "Docebo did not enrol the user: Course 999 does not exist"
