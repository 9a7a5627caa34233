"""Rosters from the LMS (LTI NRPS): an instructor's launch names the course's membership; the
scheduler reads it page by page and registers each active learner, so HR sees them enrolled
before they open anything; reading it again registers no one twice."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from mapping.identity import EmployeeRecord, LmsAccount, upsert_employees
from mapping.lti_rosters import read_due
from mapping.models import LMSCourseEnrollment
from mapping.secrets import SecretBox
from statements.timestamps import now
from tests.lti.platform import INSTRUCTOR, LEARNER, Platform
from tests.lti.test_launch import log_in, register
from tests.mapping.feed import drain
from tests.mapping.providers.fake_lms import Reply, serving

NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
MEMBERSHIPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


def test_an_instructor_s_launch_has_the_roster_read_into_enrollments(
    admin, app, db_session, settings
):
    box = SecretBox.from_settings(settings)
    browser = app.test_client()
    with serving() as lms:
        platform = Platform(lms)
        integration = register(admin, platform)
        integration_id = uuid.UUID(integration["id"])
        jane, oz = upsert_employees(db_session, admin.company.id, [
            EmployeeRecord("E10442", "Jane Doe", accounts=[LmsAccount(integration_id, "user-57", home_page=platform.issuer)]),
            EmployeeRecord("E10443", "Özlem Yılmaz", accounts=[LmsAccount(integration_id, "user-58", home_page=platform.issuer)]),
        ], now())  # fmt: skip
        lms.answer("/token", lambda form: {"access_token": "nrps-t0ken", "token_type": "Bearer", "expires_in": 3600, "scope": form["scope"][0]})  # fmt: skip

        def memberships(form):
            if form.get("page") == ["2"]:
                return {"id": f"{platform.issuer}/memberships", "members": [
                    {"status": "Active", "user_id": "user-58", "name": "Özlem Yılmaz", "roles": [LEARNER]},
                    {"status": "Inactive", "user_id": "user-59", "roles": [LEARNER]},
                ]}  # fmt: skip
            return Reply(
                {"id": f"{platform.issuer}/memberships", "context": {"id": "course-7"}, "members": [
                    {"status": "Active", "user_id": "user-57", "name": "Jane Doe", "email": "jane.doe@acme.example", "roles": [LEARNER]},
                    {"status": "Active", "user_id": "teacher-1", "roles": [INSTRUCTOR]},
                ]},
                {"Link": f'<{platform.issuer}/memberships?page=2>; rel="next"'},
            )  # fmt: skip

        lms.answer("/memberships", memberships)
        state, nonce = log_in(browser, platform)
        claims = platform.claims(nonce, roles=[INSTRUCTOR], **{NRPS: {"context_memberships_url": f"{platform.issuer}/memberships", "service_versions": ["2.0"]}})  # fmt: skip
        page = browser.post("/lti/launch", data={"id_token": platform.sign(claims), "state": state})
        assert "The course's roster is being read from the LMS." in page.text
        [roster] = read_due(db_session, box, private_networks=True, now=now())
        first = roster.message
        asked = [h for a, h in zip(lms.asked, lms.headers, strict=True) if a == "GET /memberships"]
        token_scopes = [r["scope"] for r in lms.requests if "scope" in r]
        again = read_due(
            db_session, box, private_networks=True, now=now() + timedelta(days=1, minutes=1)
        )
    assert first == "2 active learners, 2 newly registered"
    assert [h["Accept"] for h in asked] == [MEMBERSHIPS, MEMBERSHIPS]
    assert {h["Authorization"] for h in asked} == {"Bearer nrps-t0ken"}
    assert token_scopes == [
        ["https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"]
    ]
    assert again[0].message == "2 active learners, 0 newly registered"
    drain(db_session)
    enrolled = {e.employee_id: (e.course_activity_id, e.enrollment_status.value) for e in db_session.scalars(select(LMSCourseEnrollment))}  # fmt: skip
    course = f"{platform.issuer}/lti/contexts/course-7"
    assert enrolled == {jane.id: (course, "not_started"), oz.id: (course, "not_started")}
