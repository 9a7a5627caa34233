"""Deep linking: an instructor places one of the company's courses in their LMS course; the
tool answers the platform with a signed LtiDeepLinkingResponse, once, and a learner's launch
of the placed link counts towards that course."""

from __future__ import annotations

import re
import uuid
from html import unescape

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy import select

from mapping.identity import EmployeeRecord, LmsAccount, upsert_employees
from mapping.models import LMSCourseEnrollment
from statements.timestamps import now
from tests.lti.platform import DROP, INSTRUCTOR, LTI, Platform
from tests.lti.test_launch import TOOL, log_in, register
from tests.mapping.feed import drain
from tests.mapping.providers.fake_lms import serving

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
COURSE = "https://moodle.acme.example/course/view.php?id=12"


@pytest.fixture
def placing(admin, app, db_session):
    """A registered platform, an employee who has the account `user-57` on it, and a course
    of the company they are assigned."""
    with serving() as lms:
        platform = Platform(lms)
        integration = register(admin, platform)
        [jane] = upsert_employees(db_session, admin.company.id, [EmployeeRecord("E10442", "Jane Doe", accounts=[LmsAccount(uuid.UUID(integration["id"]), "user-57", home_page=platform.issuer)])], now())  # fmt: skip
        assigned = admin.post("lms-enrollments/", {"employee_id": str(jane.id), "lms_integration_id": integration["id"], "course_activity_id": COURSE, "course_name": "Information Security Awareness"})  # fmt: skip
        assert assigned.status_code == 201, assigned.json
        yield platform, jane, app.test_client()


def request_claims(platform: Platform, nonce: str, **settings):
    wanted = {
        "deep_link_return_url": f"{platform.issuer}/deep-link-return",
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe", "window"],
        "accept_multiple": True,
        "data": "opaque-platform-data-42",
    } | settings
    return platform.claims(
        nonce, message_type="LtiDeepLinkingRequest", roles=[INSTRUCTOR], resource_link=DROP,
        **{DL + "deep_linking_settings": wanted},
    )  # fmt: skip


def test_an_instructor_places_a_course_and_the_platform_gets_a_signed_answer(placing):
    platform, _, browser = placing
    state, nonce = log_in(browser, platform)
    chooser = browser.post("/lti/launch", data={"id_token": platform.sign(request_claims(platform, nonce)), "state": state})  # fmt: skip
    assert chooser.status_code == 200, chooser.json
    assert f"<input type='checkbox' name='course' value='{COURSE}'> Information Security Awareness" in unescape(chooser.text)  # fmt: skip
    answer = browser.post("/lti/deep-link", data={"state": state, "course": COURSE})
    assert answer.status_code == 200
    action = re.search(r"action='([^']+)'", answer.text).group(1)
    token = unescape(re.search(r"name='JWT' value='([^']+)'", answer.text).group(1))
    keys = KeySet.import_key_set(browser.get("/lti/jwks").json)
    claims = jwt.decode(token, keys, algorithms=["RS256"]).claims
    assert action == f"{platform.issuer}/deep-link-return"
    assert {k: claims[k] for k in ("iss", "aud")} == {
        "iss": platform.client_id,
        "aud": platform.issuer,
    }
    assert claims["exp"] - claims["iat"] == 300 and claims["nonce"]
    assert (claims[LTI + "message_type"], claims[LTI + "version"], claims[LTI + "deployment_id"]) == ("LtiDeepLinkingResponse", "1.3.0", platform.deployment)  # fmt: skip
    assert claims[DL + "data"] == "opaque-platform-data-42"
    assert claims[DL + "content_items"] == [
        {
            "type": "ltiResourceLink",
            "title": "Information Security Awareness",
            "url": f"{TOOL}/lti/launch",
            "custom": {"hr_course": COURSE},
            "lineItem": {
                "scoreMaximum": 100,
                "label": "Information Security Awareness",
                "resourceId": COURSE,
            },
        }
    ]
    again = browser.post("/lti/deep-link", data={"state": state, "course": COURSE})
    assert (again.status_code, again.json["detail"]) == (400, "this deep linking request was answered already")  # fmt: skip


def test_only_an_offered_course_is_placed(placing):
    platform, _, browser = placing
    state, nonce = log_in(browser, platform)
    browser.post("/lti/launch", data={"id_token": platform.sign(request_claims(platform, nonce)), "state": state})  # fmt: skip
    refused = browser.post("/lti/deep-link", data={"state": state, "course": "https://elsewhere.example/course/1"})  # fmt: skip
    assert (refused.status_code, refused.json["detail"]) == (400, "choose at least one course to place")  # fmt: skip
    made_up = browser.post("/lti/deep-link", data={"state": "made-up", "course": COURSE})
    assert (made_up.status_code, made_up.json["detail"]) == (400, "no deep linking request of this tool has this state")  # fmt: skip


@pytest.mark.parametrize(
    ("changed", "reason"),
    [
        ({"deep_link_return_url": ""}, "a deep linking request must carry deep_link_return_url"),
        ({"accept_types": ["file"]}, "the deep linking request must accept ltiResourceLink items"),
    ],
)
def test_a_deep_linking_request_the_tool_cannot_answer_is_refused(placing, changed, reason):
    platform, _, browser = placing
    state, nonce = log_in(browser, platform)
    response = browser.post("/lti/launch", data={"id_token": platform.sign(request_claims(platform, nonce, **changed)), "state": state})  # fmt: skip
    assert (response.status_code, response.json["detail"]) == (400, reason)


def test_a_learner_s_launch_of_a_placed_link_counts_towards_its_course(placing, db_session):
    platform, jane, browser = placing
    state, nonce = log_in(browser, platform)
    claims = platform.claims(nonce, custom={"hr_course": COURSE}, resource_link={"id": "link-9", "title": "Information Security Awareness"})  # fmt: skip
    launched = browser.post("/lti/launch", data={"id_token": platform.sign(claims), "state": state})
    assert launched.status_code == 200, launched.json
    assert "<dt>Status</dt><dd>in progress</dd>" in launched.text
    drain(db_session)
    [enrollment] = db_session.scalars(select(LMSCourseEnrollment).where(LMSCourseEnrollment.employee_id == jane.id)).all()  # fmt: skip
    assert (enrollment.course_activity_id, enrollment.enrollment_status.value) == (
        COURSE,
        "in_progress",
    )
