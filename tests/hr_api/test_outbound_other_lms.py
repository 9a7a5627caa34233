"""Enrolling employees from the HR side in Blackboard, TalentLMS and Docebo courses (the
Moodle and Canvas cases are in test_outbound_enrolments): an HR admin assigns a course by
the activity id the LMS's polls give it, the scheduler enrols the employee through the
LMS's API (a fake LMS on 127.0.0.1), and the enrollment shows it done. Cornerstone, whose
API only reads, fails the enrolment with what to do instead."""

from __future__ import annotations

import base64
import json

from mapping.providers.outbound import deliver_due
from statements.timestamps import now
from tests.hr_api.test_integrations import API, create
from tests.hr_api.test_outbound_enrolments import assign, employee, shown
from tests.mapping.providers.fake_lms import FakeLms, Reply, serving
from tests.mapping.providers.fixtures import load


def sending(admin, lms: FakeLms, lms_type: str, config: dict) -> dict:
    return create(admin, **API, lms_type=lms_type, lms_code=lms_type.upper(), api_endpoint_url=lms.url, sync_direction="bidirectional", authentication_config=config)  # fmt: skip


def deliver(db_session, config: dict) -> None:
    deliver_due(db_session, lambda stored: config, private_networks=True, now=now())


def test_blackboard_enrols_an_available_student(admin, db_session):
    key = {"client_id": "d128e50d-c91e-47d3-a97e-9d0c8a77fb5e", "client_secret": "s3cret"}
    path = "/learn/api/public/v1/courses/_355_1/users/_2211_1"
    with serving() as lms:
        lms.answer("/learn/api/public/v1/oauth2/token", load("blackboard", "token"))
        lms.answer(path, Reply({"userId": "_2211_1", "courseId": "_355_1", "courseRoleId": "Student"}, status=201))  # fmt: skip
        learn = sending(admin, lms, "blackboard", key)
        jane = employee(admin, db_session, learn, account="_2211_1")
        enrollment = assign(admin, learn, jane, f"{lms.url}/ultra/courses/_355_1/outline")
        deliver(db_session, key)
    assert lms.asked == ["POST /learn/api/public/v1/oauth2/token", f"PUT {path}"]
    assert json.loads(lms.bodies[1]) == {"courseRoleId": "Student", "availability": {"available": "Yes"}}  # fmt: skip
    assert lms.headers[1]["Authorization"] == "Bearer vEnn9kcdL3u6YkRrm5tBWHCoPmrOaTEJ"
    assert shown(admin, enrollment)["status"] == "done"


def test_talentlms_enrols_a_learner(admin, db_session):
    key = {"api_key": "k3y"}
    with serving() as lms:
        lms.answer("/api/v1/addusertocourse", [{"user_id": "57", "course_id": "14", "role": "learner"}])  # fmt: skip
        talent = sending(admin, lms, "talentlms", key)
        jane = employee(admin, db_session, talent, account="57")
        enrollment = assign(admin, talent, jane, f"{lms.url}/learner/courseinfo/id:14")
        deliver(db_session, key)
    assert lms.asked == ["POST /api/v1/addusertocourse"]
    assert lms.bodies == ["user_id=57&course_id=14&role=learner"]
    assert lms.headers[0]["Authorization"] == "Basic " + base64.b64encode(b"k3y:").decode()
    assert shown(admin, enrollment)["status"] == "done"


def test_docebo_enrols_a_student(admin, db_session):
    grant = {"client_id": "hr-sync", "client_secret": "s3cret", "username": "hr.sync", "password": "pa55word"}  # fmt: skip
    token = load("docebo", "token")
    with serving() as lms:
        lms.answer("/oauth2/token", token)
        lms.answer("/learn/v1/enrollments/318/12876", {"data": {"enrolled": [12876], "errors": []}})  # fmt: skip
        docebo = sending(admin, lms, "docebo", grant)
        jane = employee(admin, db_session, docebo, account="12876")
        enrollment = assign(admin, docebo, jane, f"{lms.url}/learn/course/318")
        deliver(db_session, grant)
    assert lms.asked == ["POST /oauth2/token", "POST /learn/v1/enrollments/318/12876"]
    assert json.loads(lms.bodies[1]) == {"level": 3}
    assert lms.headers[1]["Authorization"] == f"Bearer {token['access_token']}"
    assert shown(admin, enrollment)["status"] == "done"


def test_a_cornerstone_enrolment_fails_with_what_to_do_instead(admin, db_session):
    grant = {"client_id": "hr-sync", "client_secret": "s3cret", "scope": "reporting:read"}
    with serving() as lms:
        csod = sending(admin, lms, "cornerstone", grant)
        jane = employee(admin, db_session, csod, account="10442")
        enrollment = assign(admin, csod, jane, f"{lms.url}/DeepLink/ProcessRedirect.aspx?module=lodetails&lo=4b2c")  # fmt: skip
        deliver(db_session, grant)
    assert lms.asked == []
    after = shown(admin, enrollment)
    assert (after["status"], after["message"]) == (
        "failed",
        "cornerstone's API does not enrol learners: enrol them in the LMS itself",
    )
