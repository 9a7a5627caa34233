"""Cornerstone over real HTTP (a fake portal on 127.0.0.1 answering from fixtures shaped as
its Reporting API's own): the client-credentials token, OData paging through
`@odata.nextLink`, Cornerstone's error envelope and throttle, and polls that become the
learners' records, read again only where the warehouse touched them, with a transcript row
removed voiding what it made."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from mapping.choices import EnrollmentStatus, LmsType, SyncRunStatus
from mapping.models import LMSCourseEnrollment
from mapping.providers.cornerstone import TRANSCRIPT, CornerstoneClient
from mapping.providers.errors import AuthError, PermissionDenied, RateLimited
from mapping.providers.http import HttpClient, Politeness
from statements.models import StatementRow
from tests.mapping.feed import drain
from tests.mapping.providers.fake_lms import FakeLms, Fault, Reply, serving
from tests.mapping.providers.fixtures import load
from tests.mapping.providers.sites import api_site, sync

VIEWS = "/services/api/x/odata/api/views"
GRANT = {"client_id": "xapi-bridge", "client_secret": "s3cret", "scope": "reporting:read"}
JSON = {"Content-Type": "application/json"}
THROTTLED = json.dumps(
    {
        "status": "429",
        "timeStamp": "2018-05-15T18:06:55+0000",
        "error": {
            "errorId": "77ed61e0-7052-4fad-b265-c52679ab2cac",
            "message": "CSOD Too many requests.",
            "code": "429",
            "description": None,
            "details": None,
        },
    }
)


def portal(lms: FakeLms, transcripts: tuple[str, ...] = ("transcripts", "transcripts_page2")):
    """The fake portal, its transcript view answering `transcripts` page after page."""
    lms.answer("/services/api/oauth2/token", load("cornerstone", "token"))
    lms.answer(f"{VIEWS}/vw_rpt_training", load("cornerstone", "trainings"))
    lms.answer(f"{VIEWS}/vw_rpt_user", load("cornerstone", "users"))

    def transcript(form):
        page = int(form.get("$skiptoken", ["0"])[0])
        body = load("cornerstone", transcripts[page])
        if page + 1 < len(transcripts):
            # Opaque, as Cornerstone gives it.
            body["@odata.nextLink"] = f"{lms.url}{VIEWS}/vw_rpt_transcript?$skiptoken={page + 1}"
        return body

    lms.answer(f"{VIEWS}/vw_rpt_transcript", transcript)


def client(url: str, retries: int = 1) -> CornerstoneClient:
    return CornerstoneClient(
        url, GRANT, HttpClient(Politeness(5, retries, 0, private_networks=True))
    )


def test_the_token_is_asked_for_with_the_application_s_grant_and_pages_are_followed():
    with serving() as lms:
        portal(lms)
        csod = client(lms.url)
        report = csod.test()
        rows = list(csod.transcripts(None))
        headers = lms.headers
    assert json.loads(lms.bodies[0]) == {
        "clientId": "xapi-bridge",
        "clientSecret": "s3cret",
        "grantType": "client_credentials",
        "scope": "reporting:read",
    }
    assert {h["Authorization"] for h in headers[1:]} == {
        "Bearer " + load("cornerstone", "token")["access_token"]
    }
    assert {h["Prefer"] for h in headers[1:]} == {"odata.maxpagesize=1000"}
    assert (report.courses, report.missing_permissions) == (
        ["Information Security Awareness 2024", "Sicherheit im Lager: Gabelstapler"],
        [],
    )
    assert [(r["reg_num"], r["transc_user_id"]) for r in rows] == [
        (1, 2164),
        (1, 2165),
        (1, 2164),
        (1, 2164),
    ]


def test_a_missing_scope_is_reported_and_bad_credentials_say_where_to_fix_them():
    denied = {"status": "403", "error": {"message": "Access to vw_rpt_transcript is not granted."}}
    with serving() as lms:
        portal(lms)
        lms.answer(f"{VIEWS}/vw_rpt_transcript", Reply(denied, status=403))
        report = client(lms.url).test()
        lms.faults = [Fault(401, JSON, '{"error":"invalid_client"}')]
        with pytest.raises(AuthError) as refused:
            client(lms.url).test()
    assert report.missing_permissions == ["read the Reporting API view vw_rpt_transcript"]
    assert refused.value.message.startswith(
        "Cornerstone refused the API application's client id and secret"
    )
    assert refused.value.message.endswith("(invalid_client)")


def test_the_throttle_is_waited_out_and_a_refused_token_renewed_once():
    with serving() as lms:
        portal(lms)
        csod = client(lms.url, retries=2)
        csod.token.header()
        lms.faults = [Fault(429, {"Retry-After": "1", **JSON}, THROTTLED)]
        titles = [t["lo_title"] for t in csod.trainings()]
        lms.faults = [Fault(401, JSON, '{"status":"401","error":{"message":"Token expired"}}')]
        users = [u["user_id"] for u in csod.users()]
        lms.faults = [Fault(429, JSON, THROTTLED)] * 3
        with pytest.raises(RateLimited):
            list(csod.users())
    assert (len(titles), users, csod.token.fetched) == (2, [2164, 2165], 2)
    # Token, 429 + answer, 401 + new token + answer, three 429s.
    assert len(lms.requests) == 1 + 2 + 3 + 3


def test_polls_become_the_records_and_a_removed_registration_is_voided(db_session):
    with serving() as lms:
        portal(lms)
        _, csod, (jane, oz) = api_site(
            db_session, LmsType.CORNERSTONE, lms.url,
            ("E10442", "Jane Doe", "2164"), ("E10443", "Özlem Yılmaz", "2165"),
        )  # fmt: skip
        first = sync(db_session, csod, GRANT)
        drain(db_session)
        db_session.expire_all()
        records = {
            (e.employee_id, e.course_name): e
            for e in db_session.scalars(select(LMSCourseEnrollment))
        }
        assert set(records) == {
            (jane.id, "Information Security Awareness 2024"),
            (jane.id, "Sicherheit im Lager: Gabelstapler"),
            (oz.id, "Information Security Awareness 2024"),
        }
        mine = records[(jane.id, "Information Security Awareness 2024")]
        assert (mine.enrollment_status, mine.completion_date.isoformat(), mine.score_achieved, mine.time_spent_minutes) == (EnrollmentStatus.COMPLETED, "2024-06-03", Decimal("85.00"), 90)  # fmt: skip
        theirs = records[(oz.id, "Information Security Awareness 2024")]
        assert (theirs.enrollment_status, theirs.progress_percentage) == (EnrollmentStatus.IN_PROGRESS, Decimal("40.00"))  # fmt: skip

        # The forklift course is removed from Jane's transcript and assigned to her again.
        lms.requests.clear()
        portal(lms, ("transcripts_reassigned",))
        second = sync(db_session, csod, GRANT)
        asked = [
            r for r in lms.requests if "$select" in r and r["$select"][0].startswith("reg_num")
        ]
    assert (first.status, first.records_read, second.status) == (SyncRunStatus.SUCCEEDED, 4, SyncRunStatus.SUCCEEDED)  # fmt: skip
    # The row repeated across pages is stored once: its five statements are skipped.
    assert (first.duplicates_skipped, first.watermark["changed_since"]) == (5, None)
    # Only what the warehouse touched since the first poll began, less five minutes.
    since = first.started_at - timedelta(minutes=5)
    assert second.watermark["changed_since"] == since.isoformat()
    moment = since.isoformat(timespec="seconds").replace("+00:00", "Z")
    assert asked == [
        {
            "$select": [TRANSCRIPT],
            "$filter": [f"_last_touched_dt_utc gt cast('{moment}', Edm.DateTimeOffset)"],
        }
    ]
    drain(db_session)
    db_session.expire_all()
    forklift = db_session.scalars(
        select(LMSCourseEnrollment).where(
            LMSCourseEnrollment.employee_id == jane.id,
            LMSCourseEnrollment.course_name == "Sicherheit im Lager: Gabelstapler",
        )
    ).one()
    assert (forklift.enrollment_status, forklift.completion_date, forklift.enrollment_date.isoformat()) == (EnrollmentStatus.NOT_STARTED, None, "2024-06-10")  # fmt: skip
    voided = db_session.scalars(select(StatementRow).where(StatementRow.voided.is_(True))).all()
    assert len(voided) == 3  # registered, launched and completed of the first registration


def test_a_portal_on_a_private_network_is_refused_as_such_not_as_bad_credentials():
    with serving() as lms:
        portal(lms)
        csod = CornerstoneClient(lms.url, GRANT, HttpClient(Politeness(5, 1, 0)))
        with pytest.raises(PermissionDenied) as refused:
            csod.test()
    assert refused.value.message.startswith("the LMS's host '127.0.0.1' is on a private")
    assert lms.requests == []
