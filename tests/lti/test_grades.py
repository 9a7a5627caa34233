"""Grades back to the LMS (LTI AGS): a learner launches a link with a line item; once their
enrollment in the course is completed, by content sending xAPI here, the scheduler posts the
score to the line item, with a token the platform grants for the tool's signed assertion, and
only once for the same result."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy import select

from mapping.identity import EmployeeRecord, LmsAccount, upsert_employees
from mapping.lti_grades import send_due
from mapping.models import LMSCourseEnrollment, LtiGradeLink
from mapping.outbox import fold_now
from mapping.secrets import SecretBox
from statements import ingest
from statements.credentials import integration_authority
from statements.keys import agent_key
from statements.timestamps import now
from tests.lti.platform import Platform
from tests.lti.test_launch import log_in, register
from tests.mapping.providers.fake_lms import Fault, serving

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]


def completed(db_session, company_id, integration_id, platform: Platform, raw: float) -> None:
    """The course completed with a score, as its content would send it over xAPI."""
    by = integration_authority("http://127.0.0.1:8000", integration_id, "content")
    statement = {
        "actor": {"objectType": "Agent", "account": {"homePage": platform.issuer, "name": "user-57"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"objectType": "Activity", "id": f"{platform.issuer}/lti/contexts/course-7", "definition": {"type": "http://adlnet.gov/expapi/activities/course"}},
        "result": {"completion": True, "score": {"raw": raw, "min": 0, "max": 100}},
    }  # fmt: skip
    ids = ingest.receive(db_session, company_id, [statement], authority=by, authority_key=agent_key(by) or "", integration_id=integration_id, hand_on=False)  # fmt: skip
    fold_now(db_session, company_id, ids)


@pytest.fixture
def site(admin, app, db_session, settings):
    """A registered platform and an employee who has the account `user-57` on it."""
    with serving() as lms:
        platform = Platform(lms)
        integration_id = uuid.UUID(register(admin, platform)["id"])
        account = LmsAccount(integration_id, "user-57", home_page=platform.issuer)
        upsert_employees(db_session, admin.company.id, [EmployeeRecord("E10442", "Jane Doe", accounts=[account])], now())  # fmt: skip
        yield platform, integration_id, app.test_client(), SecretBox.from_settings(settings)


def launch(browser, platform: Platform, endpoint: dict) -> None:
    """A learner's launch of a link whose grades service is `endpoint`."""
    state, nonce = log_in(browser, platform)
    token = platform.sign(platform.claims(nonce, **{AGS: endpoint}))
    launched = browser.post("/lti/launch", data={"id_token": token, "state": state})
    assert launched.status_code == 200, launched.json


def test_a_completion_is_posted_to_the_line_item_once(site, admin, db_session):
    platform, integration_id, browser, box = site
    lms = platform.lms
    assertions = []

    def token(form):
        claims = jwt.decode(form["client_assertion"][0], KeySet.import_key_set(browser.get("/lti/jwks").json), algorithms=["RS256"]).claims  # fmt: skip
        assertions.append((form, claims))
        return {"access_token": "ags-t0ken", "token_type": "Bearer", "expires_in": 3600, "scope": form["scope"][0]}  # fmt: skip

    lms.answer("/token", token)
    lms.answer("/lineitems/1/scores", {})
    launch(browser, platform, {"scope": SCOPES, "lineitem": f"{platform.issuer}/lineitems/1", "lineitems": f"{platform.issuer}/lineitems"})  # fmt: skip
    assert send_due(db_session, box, private_networks=True, now=now()) == []  # not yet done
    completed(db_session, admin.company.id, integration_id, platform, 85)
    [sent] = send_due(db_session, box, private_networks=True, now=now())
    assert send_due(db_session, box, private_networks=True, now=now() + timedelta(hours=1)) == []
    posted = [(a, h) for a, h in zip(lms.asked, lms.headers, strict=True) if a == "POST /lineitems/1/scores"]  # fmt: skip
    body = json.loads(lms.bodies[-1])
    [(form, claims)] = assertions
    assert {k: v[0] for k, v in form.items() if k != "client_assertion"} == {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "scope": "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    }
    assert (claims["iss"], claims["sub"], claims["aud"]) == (platform.client_id, platform.client_id, f"{platform.issuer}/token")  # fmt: skip
    assert claims["exp"] - claims["iat"] == 300 and uuid.UUID(claims["jti"])
    [(_, headers)] = posted
    assert (headers["Authorization"], headers["Content-Type"]) == ("Bearer ags-t0ken", "application/vnd.ims.lis.v1.score+json")  # fmt: skip
    assert {k: body[k] for k in body if k != "timestamp"} == {
        "userId": "user-57",
        "scoreGiven": 85.0,
        "scoreMaximum": 100,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
    }
    assert (sent.message, sent.sent) == ("sent 85 of 100", "completed|85.00|100.00")
    [enrollment] = db_session.scalars(select(LMSCourseEnrollment)).all()
    [shown] = admin.get(f"lms-enrollments/{enrollment.id}/").json["lti_grades"]
    assert (shown["lineitem"], shown["message"], shown["sent_at"] is not None) == (f"{platform.issuer}/lineitems/1", "sent 85 of 100", True)  # fmt: skip


def test_a_platform_that_fails_is_tried_again_and_a_better_score_sent_anew(site, admin, db_session):
    platform, integration_id, browser, box = site
    lms = platform.lms
    lms.answer("/token", {"access_token": "ags-t0ken", "token_type": "Bearer", "expires_in": 3600})  # fmt: skip
    lms.answer("/lineitems/1/scores", {})
    launch(browser, platform, {"scope": SCOPES, "lineitem": f"{platform.issuer}/lineitems/1"})
    completed(db_session, admin.company.id, integration_id, platform, 60)
    lms.faults = [Fault(503, {}, "busy")] * 4  # the token, retried within the request
    [failing] = send_due(db_session, box, private_networks=True, now=now())
    waiting = (failing.message, failing.attempts, failing.sent)
    assert send_due(db_session, box, private_networks=True, now=now()) == []  # not due yet
    [first] = send_due(db_session, box, private_networks=True, now=now() + timedelta(minutes=3))
    first_sent = first.sent
    completed(db_session, admin.company.id, integration_id, platform, 90)
    [better] = send_due(db_session, box, private_networks=True, now=now() + timedelta(minutes=4))
    scores = [json.loads(b)["scoreGiven"] for a, b in zip([a for a in lms.asked if a.startswith("POST")], lms.bodies, strict=True) if a == "POST /lineitems/1/scores"]  # fmt: skip
    assert waiting == ("will try again: the LMS failed (503): busy", 1, "")
    assert (first_sent, better.sent) == ("completed|60.00|100.00", "completed|90.00|100.00")
    assert scores == [60.0, 90.0]
    assert db_session.scalar(select(LtiGradeLink.attempts)) == 0


def test_where_the_link_has_no_line_item_the_tool_makes_one_once(site, admin, db_session):
    platform, integration_id, browser, box = site
    lms = platform.lms
    lms.answer("/token", lambda form: {"access_token": "ags-t0ken", "token_type": "Bearer", "expires_in": 3600, "scope": form["scope"][0]})  # fmt: skip
    made: list[dict] = []

    def container(form):
        if lms.asked[-1].startswith("POST"):
            made.append(json.loads(lms.bodies[-1]))
            return {"id": f"{platform.issuer}/lineitems/77", **made[-1]}
        return [{"id": f"{platform.issuer}/lineitems/{i}", "resourceId": "other"} for i in (1, 2)]

    lms.answer("/lineitems", container)
    lms.answer("/lineitems/77/scores", {})
    launch(browser, platform, {"scope": SCOPES, "lineitems": f"{platform.issuer}/lineitems"})
    completed(db_session, admin.company.id, integration_id, platform, 70)
    [sent] = send_due(db_session, box, private_networks=True, now=now())
    completed(db_session, admin.company.id, integration_id, platform, 95)
    send_due(db_session, box, private_networks=True, now=now())
    scopes = [r["scope"][0] for r in lms.requests if "scope" in r]
    asked = [a for a in lms.asked if "lineitems" in a]
    course = f"{platform.issuer}/lti/contexts/course-7"
    assert made == [{"scoreMaximum": 100, "label": "Forklift safety", "resourceId": course, "resourceLinkId": "link-1"}]  # fmt: skip
    assert (sent.lineitem, sent.message) == (f"{platform.issuer}/lineitems/77", "sent 95 of 100")
    # The container read and added to once; both scores to the line item made.
    assert asked == ["GET /lineitems", "POST /lineitems", "POST /lineitems/77/scores", "POST /lineitems/77/scores"]  # fmt: skip
    assert set(scopes) == {"https://purl.imsglobal.org/spec/lti-ags/scope/score https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"}  # fmt: skip
