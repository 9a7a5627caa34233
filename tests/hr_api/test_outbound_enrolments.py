"""Enrolling employees in LMS courses from the HR side (mapping.providers.outbound): an HR
admin assigns a course of a Moodle or Canvas integration whose sync_direction sends, the
scheduler enrols the employee through the LMS's API (a fake LMS on 127.0.0.1), once however
often it is assigned, and the enrollment shows how it went."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from mapping.identity import EmployeeRecord, LmsAccount, upsert_employees
from mapping.providers.outbound import ATTEMPTS, deliver_due
from statements.timestamps import now
from tests.hr_api.test_integrations import API, create
from tests.mapping.providers.fake_lms import FakeLms, Fault, serving
from tests.mapping.providers.fixtures import load

ENROL = "enrol_manual_enrol_users"
TOKEN = {"token": "s3cr3t"}
ACCESS = {"exception": "webservice_access_exception", "errorcode": "accessexception", "message": "Access control exception"}  # fmt: skip


def moodle_sending(admin, lms: FakeLms, direction: str = "bidirectional") -> dict:
    return create(admin, **API, lms_code="OUT", api_endpoint_url=lms.url, sync_direction=direction, authentication_config=TOKEN)  # fmt: skip


def employee(admin, db_session, integration: dict, account: str | None = "57"):
    accounts = [LmsAccount(uuid.UUID(integration["id"]), account)] if account else []
    record = EmployeeRecord("E10442", "Jane Doe", work_email="jane.doe@acme.example", accounts=accounts)  # fmt: skip
    [made] = upsert_employees(db_session, admin.company.id, [record], now())
    return made


def assign(admin, integration: dict, worker, course: str) -> dict:
    response = admin.post("lms-enrollments/", {"employee_id": str(worker.id), "lms_integration_id": integration["id"], "course_activity_id": course})  # fmt: skip
    assert response.status_code == 201, response.json
    return response.json


def deliver(db_session, at=None):
    return deliver_due(db_session, lambda stored: TOKEN, private_networks=True, now=at or now())


def shown(admin, enrollment: dict) -> dict | None:
    return admin.get(f"lms-enrollments/{enrollment['id']}/").json["lms_enrollment"]


def test_an_assignment_enrols_the_employee_in_moodle_once(admin, db_session):
    with serving() as lms:
        lms.answer(ENROL, None)  # Moodle answers null when it has enrolled
        moodle = moodle_sending(admin, lms)
        jane = employee(admin, db_session, moodle)
        enrollment = assign(admin, moodle, jane, f"{lms.url}/course/view.php?id=12")
        assert enrollment["lms_enrollment"]["status"] == "pending"
        [sent] = deliver(db_session)
        again = assign(admin, moodle, jane, f"{lms.url}/course/view.php?id=12")
        assert deliver(db_session) == []
    assert [r["wsfunction"] for r in lms.requests] == [[ENROL]]
    assert {k: v for k, v in lms.requests[0].items() if k.startswith("enrolments")} == {
        "enrolments[0][roleid]": ["5"],
        "enrolments[0][userid]": ["57"],
        "enrolments[0][courseid]": ["12"],
    }
    assert (sent.status.value, sent.attempts) == ("done", 1)
    assert again["id"] == enrollment["id"]
    after = shown(admin, enrollment)
    assert (after["status"], after["message"], after["attempts"]) == (
        "done",
        "enrolled in the LMS",
        1,
    )


def test_a_failing_lms_is_tried_again_later_and_a_refusal_fails_with_its_words(admin, db_session):
    with serving() as lms:
        lms.answer(ENROL, None)
        moodle = moodle_sending(admin, lms)
        jane = employee(admin, db_session, moodle)
        first = assign(admin, moodle, jane, f"{lms.url}/course/view.php?id=12")
        # Every retry within the request fails too (max_retry_attempts 3).
        lms.faults = [Fault(503, {}, "down for maintenance")] * 4
        deliver(db_session)
        waiting = shown(admin, first)
        assert deliver(db_session) == []  # not due yet
        [later] = deliver(db_session, now() + timedelta(minutes=3))
        assert later.status.value == "done"
        lms.answer(ENROL, ACCESS)
        second = assign(admin, moodle, jane, f"{lms.url}/course/view.php?id=15")
        deliver(db_session)
        refused = shown(admin, second)
    assert (waiting["status"], waiting["attempts"]) == ("pending", 1)
    assert waiting["message"] == "will try again: the LMS failed (503): down for maintenance"
    assert refused["status"] == "failed"
    assert refused["message"] == (
        "the token lacks enrol_manual_enrol_users: add it to the Moodle external service, and "
        "give the token's user the capabilities it needs"
    )


def test_failures_stop_after_the_last_attempt(admin, db_session):
    with serving() as lms:
        moodle = moodle_sending(admin, lms)
        jane = employee(admin, db_session, moodle)
        enrollment = assign(admin, moodle, jane, f"{lms.url}/course/view.php?id=12")
        at = now()
        for _ in range(ATTEMPTS):
            lms.faults = [Fault(503, {}, "down")] * 4
            deliver(db_session, at)
            at += timedelta(hours=1)
        assert deliver(db_session, at + timedelta(days=1)) == []
    failed = shown(admin, enrollment)
    assert (failed["status"], failed["attempts"]) == ("failed", ATTEMPTS)
    assert len(lms.requests) == ATTEMPTS * 4


def test_an_employee_without_an_lms_account_waits_for_one(admin, db_session):
    with serving() as lms:
        lms.answer(ENROL, None)
        moodle = moodle_sending(admin, lms, "outbound_only")
        jane = employee(admin, db_session, moodle, account=None)
        enrollment = assign(admin, moodle, jane, f"{lms.url}/course/view.php?id=12")
        deliver(db_session)
        waiting = shown(admin, enrollment)
        employee(admin, db_session, moodle, account="57")  # the identity map learns it
        deliver(db_session, now() + timedelta(minutes=16))
    assert (waiting["status"], waiting["attempts"]) == ("pending", 0)
    assert waiting["message"].startswith("waiting for the employee's user id on Main Moodle")
    assert shown(admin, enrollment)["status"] == "done"
    assert lms.requests[0]["enrolments[0][userid]"] == ["57"]


@pytest.mark.parametrize(
    ("direction", "course", "expected"),
    [
        ("inbound_only", "/course/view.php?id=12", None),
        ("bidirectional", "/mod/quiz/view.php?id=102", "failed"),
    ],
)
def test_nothing_is_sent_inbound_only_and_an_activity_that_is_no_course_fails(
    admin, db_session, direction, course, expected
):
    with serving() as lms:
        moodle = moodle_sending(admin, lms, direction)
        jane = employee(admin, db_session, moodle)
        enrollment = assign(admin, moodle, jane, lms.url + course)
        deliver(db_session)
    found = enrollment["lms_enrollment"]
    assert (found and found["status"]) == expected
    assert lms.requests == []


def test_canvas_enrols_an_active_student_without_notifying(admin, db_session):
    with serving() as lms:
        lms.answer("/api/v1/courses/370663/enrollments", {"id": 98765, "user_id": 4211, "type": "StudentEnrollment", "enrollment_state": "active"})  # fmt: skip
        canvas = create(admin, **API, lms_type="canvas", lms_code="CNV", api_endpoint_url=lms.url, sync_direction="bidirectional", authentication_config={"access_token": "t0ken"})  # fmt: skip
        jane = employee(admin, db_session, canvas, account="4211")
        enrollment = assign(admin, canvas, jane, f"{lms.url}/courses/370663")
        deliver_due(db_session, lambda stored: {"access_token": "t0ken"}, private_networks=True, now=now())  # fmt: skip
    assert lms.bodies == ["enrollment%5Buser_id%5D=4211&enrollment%5Btype%5D=StudentEnrollment&enrollment%5Benrollment_state%5D=active&enrollment%5Bnotify%5D=false"]  # fmt: skip
    assert lms.headers[0]["Authorization"] == "Bearer t0ken"
    assert shown(admin, enrollment)["status"] == "done"


def test_a_sending_moodle_s_connection_test_names_the_enrol_function_its_service_lacks(admin):
    with serving() as lms:
        lms.answer("core_webservice_get_site_info", load("moodle", "site_info"))
        lms.answer("core_course_get_courses_by_field", load("moodle", "courses"))
        moodle = moodle_sending(admin, lms)
        result = admin.post(f"lms-integrations/{moodle['id']}/test-connection/").json
    assert result["status"] == "incomplete"
    assert result["missing_permissions"][-1] == ENROL


def test_an_enrolment_whose_credentials_cannot_be_opened_fails_saying_so(admin, db_session):
    with serving() as lms:
        moodle = moodle_sending(admin, lms)
        jane = employee(admin, db_session, moodle)
        enrollment = assign(admin, moodle, jane, f"{lms.url}/course/view.php?id=12")

        def unreadable(stored):
            raise ValueError("an integration secret cannot be decrypted with the configured keys")

        deliver_due(db_session, unreadable, private_networks=True, now=now())
    failed = shown(admin, enrollment)
    assert (failed["status"], failed["message"]) == (
        "failed",
        "an integration secret cannot be decrypted with the configured keys: set the "
        "integration's authentication_config again",
    )
    assert lms.requests == []
