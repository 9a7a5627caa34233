"""An LMS course's link to the tool: an HR admin registers the platform, the platform's
browser logs in (OIDC), launches, and the launch becomes a statement folded into the
learner's enrollment. Every check of the launch refuses an id_token that is valid but for the
one thing that check looks at, so a tool that skipped that check would accept it: each
refusal here proves its check is made."""

from __future__ import annotations

import time
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc.jwk import RSAKey
from sqlalchemy import func, select

from mapping.identity import EmployeeRecord, LmsAccount, upsert_employees
from mapping.lti import invited, rotate
from mapping.models import LMSCourseEnrollment, LtiLogin
from mapping.secrets import SecretBox
from statements.models import StatementRow
from statements.timestamps import now
from tests.lti.platform import DROP, INSTRUCTOR, Platform
from tests.mapping.feed import drain
from tests.mapping.providers.fake_lms import serving

TOOL = "http://127.0.0.1:8000"  # the settings' base URL


def register(admin, platform: Platform, **changes) -> dict:
    body = {
        "lms_name": "Acme Moodle (LTI)",
        "lms_type": "moodle",
        "lms_code": f"LTI{uuid.uuid4().hex[:6]}",
        "integration_method": "lti",
        "authentication_type": "lti_key",
        "authentication_config": platform.registration(),
        "data_format": "xapi",
        "sync_frequency": "real_time",
        "sync_direction": "inbound_only",
    } | changes
    response = admin.post("lms-integrations/", body)
    assert response.status_code == 201, response.json
    return response.json


def log_in(browser, platform: Platform, **asked) -> tuple[str, str]:
    """The login's state and nonce, as the platform's authorisation endpoint receives them."""
    query = {
        "iss": platform.issuer,
        "login_hint": "57",
        "target_link_uri": f"{TOOL}/lti/launch",
        "lti_message_hint": "link-1",
    } | asked
    response = browser.get("/lti/login", query_string=query)
    assert response.status_code == 302, response.json
    sent = parse_qs(urlsplit(response.headers["Location"]).query)
    return sent["state"][0], sent["nonce"][0]


def stored(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(StatementRow))


@pytest.fixture
def site(admin, app):
    """A registered platform, its fake LMS serving its JWKS, and a browser."""
    with serving() as lms:
        platform = Platform(lms)
        integration = register(admin, platform)
        yield platform, integration, app.test_client()


def test_the_login_sends_the_browser_to_the_platform_with_a_fresh_state_and_nonce(site):
    platform, _, browser = site
    response = browser.get(
        "/lti/login",
        query_string={
            "iss": platform.issuer,
            "login_hint": "57",
            "target_link_uri": f"{TOOL}/lti/launch",
            "lti_message_hint": "link-1",
            "client_id": platform.client_id,
        },  # fmt: skip
    )
    location = urlsplit(response.headers["Location"])
    sent = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert (response.status_code, f"{location.scheme}://{location.netloc}{location.path}") == (302, f"{platform.issuer}/auth")  # fmt: skip
    assert {k: v for k, v in sent.items() if k not in ("state", "nonce")} == {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": f"{TOOL}/lti/launch",
        "login_hint": "57",
        "lti_message_hint": "link-1",
    }
    assert len(sent["state"]) >= 32 and sent["state"] != sent["nonce"]
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"lti1p3-state-{sent['state']}=1;")
    assert "Secure" in cookie and "SameSite=None" in cookie and "HttpOnly" in cookie
    again = log_in(browser, platform)
    assert again[0] != sent["state"] and again[1] != sent["nonce"]


@pytest.mark.parametrize(
    ("asked", "said"),
    [
        (
            {"iss": "https://unknown.example"},
            "no LTI platform with issuer https://unknown.example is registered",
        ),
        (
            {"client_id": "other"},
            "no LTI platform with issuer {iss} and client id other is registered",
        ),
        ({"lti_deployment_id": "9:nope"}, "the deployment 9:nope is not registered"),
        ({"login_hint": ""}, "an LTI login needs iss, login_hint and target_link_uri"),
    ],
)
def test_a_login_the_tool_cannot_take_says_what_to_fix(site, asked, said):
    platform, _, browser = site
    query = {
        "iss": platform.issuer,
        "login_hint": "57",
        "target_link_uri": f"{TOOL}/lti/launch",
    } | asked
    response = browser.get("/lti/login", query_string=query)
    assert response.status_code == 400
    assert response.json["detail"].startswith(said.format(iss=platform.issuer))


def test_a_learner_s_launch_is_recorded_and_folded_into_their_enrollment(site, admin, db_session):
    platform, integration, browser = site
    [jane] = upsert_employees(db_session, admin.company.id, [EmployeeRecord("E10442", "Jane Doe", accounts=[LmsAccount(uuid.UUID(integration["id"]), "user-57", home_page=platform.issuer)])], now())  # fmt: skip
    state, nonce = log_in(browser, platform)
    response = browser.post("/lti/launch", data={"id_token": platform.sign(platform.claims(nonce)), "state": state})  # fmt: skip
    assert response.status_code == 200, response.json
    assert "<h1>Forklift safety</h1>" in response.text
    # Folded in the launch: the learner sees where they stand.
    assert (
        "<dt>Status</dt><dd>in progress</dd><dt>Progress</dt><dd>0.00%</dd><dt>Due</dt><dd>no due date</dd>"
        in response.text
    )
    [row] = db_session.scalars(select(StatementRow)).all()
    assert (row.integration_id, row.verb_key.endswith("launched")) == (uuid.UUID(integration["id"]), True)  # fmt: skip
    drain(db_session)
    [enrollment] = db_session.scalars(select(LMSCourseEnrollment).where(LMSCourseEnrollment.employee_id == jane.id)).all()  # fmt: skip
    assert (enrollment.course_name, enrollment.course_activity_id) == ("Forklift safety", f"{platform.issuer}/lti/contexts/course-7")  # fmt: skip
    assert db_session.get(LtiLogin, state).used_at is not None


def test_an_instructor_s_launch_shows_the_course_s_roster_and_records_nothing(site, db_session):
    platform, _, browser = site
    state, nonce = log_in(browser, platform)
    response = browser.post("/lti/launch", data={"id_token": platform.sign(platform.claims(nonce, roles=[INSTRUCTOR])), "state": state})  # fmt: skip
    assert response.status_code == 200
    assert "No learner has launched this course yet." in response.text
    assert stored(db_session) == 0


def _refused(browser, db_session, data: dict, reason: str) -> None:
    response = browser.post("/lti/launch", data=data)
    assert (response.status_code, response.json["detail"]) == (400, reason)
    assert stored(db_session) == 0


CLAIM_CHECKS = [
    ({"iss": "https://other.example"}, "the id_token's iss is not the platform's issuer {iss}"),
    ({"aud": "someone-else"}, "the id_token's aud does not hold the client id tool-client-1"),
    (
        {"aud": ["tool-client-1", "someone-else"]},
        "the id_token has several audiences and azp is not the client id",
    ),
    ({"exp": int(time.time()) - 120}, "the id_token has expired"),
    ({"iat": int(time.time()) + 600}, "the id_token was issued in the future (iat)"),
    ({"exp": DROP}, "the id_token must carry exp and iat"),
    ({"nonce": "not-the-login-s"}, "the id_token's nonce is not the one this login issued"),
    (
        {"deployment_id": "9:unknown"},
        "the deployment '9:unknown' is not registered: add it to the integration's deployment_ids",
    ),
    ({"version": "1.1"}, "the launch's LTI version must be 1.3.0"),
    ({"sub": DROP}, "the id_token names no user (sub)"),
    ({"roles": DROP}, "the launch carries no roles claim"),
    ({"resource_link": {"title": "no id"}}, "a resource link launch must carry resource_link.id"),
    (
        {"message_type": "LtiSubmissionReviewRequest"},
        "the tool does not take 'LtiSubmissionReviewRequest' messages",
    ),
]


@pytest.mark.parametrize(("changes", "reason"), CLAIM_CHECKS)
def test_every_claim_check_refuses_the_one_claim_it_looks_at(site, db_session, changes, reason):
    platform, _, browser = site
    state, nonce = log_in(browser, platform)
    token = platform.sign(platform.claims(nonce, **changes))
    _refused(
        browser, db_session, {"id_token": token, "state": state}, reason.format(iss=platform.issuer)
    )
    assert db_session.get(LtiLogin, state).used_at is None


def test_several_audiences_are_taken_with_the_client_id_as_authorised_party(site, db_session):
    platform, _, browser = site
    state, nonce = log_in(browser, platform)
    token = platform.sign(platform.claims(nonce, aud=["tool-client-1", "someone-else"], azp="tool-client-1"))  # fmt: skip
    response = browser.post("/lti/launch", data={"id_token": token, "state": state})
    assert response.status_code == 200
    # A learner the identity map does not know yet.
    assert "Your HR records will show it once HR links your account" in response.text


def test_the_signature_checks_refuse_what_the_platform_did_not_sign(site, db_session):
    platform, _, browser = site
    other = RSAKey.generate_key(2048, private=True, auto_kid=True)
    cases = [
        (lambda claims: "a.b", "the id_token is not a compact JWS (three dot-separated parts)"),
        (platform.sign_hs256, "the id_token must be signed with RS256, not 'HS256'"),
        (
            lambda claims: "eyJhbGciOiJub25lIn0." + platform.sign(claims).split(".")[1] + ".",
            "the id_token must be signed with RS256, not 'none'",
        ),  # fmt: skip
        (
            lambda claims: platform.sign(claims, key=other, kid=other.kid),
            f"the platform's key set ({platform.issuer}/jwks) has no key {other.kid}",
        ),  # fmt: skip
        (
            lambda claims: platform.sign(claims, key=other),
            "the id_token's signature does not verify with the platform's key",
        ),  # fmt: skip
    ]
    for make, reason in cases:
        state, nonce = log_in(browser, platform)
        _refused(
            browser, db_session, {"id_token": make(platform.claims(nonce)), "state": state}, reason
        )


def test_an_id_token_is_good_for_one_launch_in_one_browser(site, app, db_session):
    platform, _, browser = site
    state, nonce = log_in(browser, platform)
    token = platform.sign(platform.claims(nonce))
    _refused(browser, db_session, {"id_token": token}, "the launch must post id_token and state")
    _refused(browser, db_session, {"id_token": token, "state": "made-up"}, "the state is not one this tool issued: launch again from the LMS")  # fmt: skip
    # Another browser, with the state and token but not the cookie.
    _refused(app.test_client(), db_session, {"id_token": token, "state": state}, "the browser did not send back the cookie the login set (another browser, or third-party cookies blocked): open the link in a new window")  # fmt: skip
    assert browser.post("/lti/launch", data={"id_token": token, "state": state}).status_code == 200
    count = stored(db_session)
    # Replayed: with its own state, and under a new login's.
    replay = browser.post("/lti/launch", data={"id_token": token, "state": state})
    assert (replay.status_code, replay.json["detail"]) == (400, "this login was launched already: launch again from the LMS")  # fmt: skip
    fresh, _ = log_in(browser, platform)
    replay = browser.post("/lti/launch", data={"id_token": token, "state": fresh})
    assert (replay.status_code, replay.json["detail"]) == (400, "the id_token's nonce is not the one this login issued")  # fmt: skip
    assert stored(db_session) == count == 1


def test_a_platform_that_rotated_its_key_is_fetched_again_once(site, db_session):
    platform, _, browser = site
    state, nonce = log_in(browser, platform)
    assert browser.post("/lti/launch", data={"id_token": platform.sign(platform.claims(nonce)), "state": state}).status_code == 200  # fmt: skip
    fetched = [h for h in platform.lms.asked if h == "GET /jwks"]
    platform.key = RSAKey.generate_key(2048, private=True, auto_kid=True)
    state, nonce = log_in(browser, platform)
    launched = browser.post("/lti/launch", data={"id_token": platform.sign(platform.claims(nonce, resource_link={"id": "link-2"})), "state": state})  # fmt: skip
    assert launched.status_code == 200, launched.json
    assert (len(fetched), platform.lms.asked.count("GET /jwks")) == (1, 2)


def test_the_tool_publishes_its_keys_and_keeps_the_previous_one_through_a_rotation(
    app, db_session, settings
):
    browser = app.test_client()
    first = browser.get("/lti/jwks").json["keys"]
    assert [(k["kty"], k["alg"], k["use"]) for k in first] == [("RSA", "RS256", "sig")]
    assert "d" not in first[0]
    made = rotate(db_session, SecretBox.from_settings(settings), now())
    rotate(db_session, SecretBox.from_settings(settings), now())
    db_session.commit()
    published = [k["kid"] for k in browser.get("/lti/jwks").json["keys"]]
    assert len(published) == 2 and made.kid in published and first[0]["kid"] not in published


def test_a_registration_says_what_it_lacks_and_one_client_id_names_one_integration(admin, site):
    platform, _, _ = site
    lacking = {k: v for k, v in platform.registration().items() if k != "deployment_ids"}
    response = admin.post("lms-integrations/", {"lms_name": "X", "lms_type": "canvas", "lms_code": "LTIX", "integration_method": "lti", "authentication_type": "lti_key", "authentication_config": lacking, "data_format": "xapi", "sync_frequency": "real_time", "sync_direction": "inbound_only"})  # fmt: skip
    assert response.status_code == 400
    assert [e["path"] for e in response.json["errors"]] == ["authentication_config.deployment_ids"]
    twice = admin.post("lms-integrations/", {"lms_name": "Y", "lms_type": "canvas", "lms_code": "LTIY", "integration_method": "lti", "authentication_type": "lti_key", "authentication_config": platform.registration(), "data_format": "xapi", "sync_frequency": "real_time", "sync_direction": "inbound_only"})  # fmt: skip
    assert twice.status_code == 409


def test_a_learner_the_identity_map_knows_by_e_mail_is_matched_by_it(site, admin, db_session):
    platform, _, browser = site
    [jane] = upsert_employees(db_session, admin.company.id, [EmployeeRecord("E10442", "Jane Doe", work_email="jane.doe@acme.example")], now())  # fmt: skip
    state, nonce = log_in(browser, platform)
    assert browser.post("/lti/launch", data={"id_token": platform.sign(platform.claims(nonce)), "state": state}).status_code == 200  # fmt: skip
    [row] = db_session.scalars(select(StatementRow)).all()
    drain(db_session)
    [enrollment] = db_session.scalars(select(LMSCourseEnrollment)).all()
    assert (enrollment.employee_id, '"mbox":"mailto:jane.doe@acme.example"' in row.payload) == (jane.id, True)  # fmt: skip


@pytest.mark.parametrize("lms_type", ["moodle", "canvas", "blackboard"])
def test_the_tool_s_configuration_for_the_lms_admin_has_every_url_filled_in(admin, site, lms_type):
    platform, integration, _ = site
    admin.patch(f"lms-integrations/{integration['id']}/", {"lms_type": lms_type})
    found = admin.get(f"lms-integrations/{integration['id']}/lti-config/").json
    assert found["urls"] == {
        "login_url": f"{TOOL}/lti/login",
        "launch_url": f"{TOOL}/lti/launch",
        "jwks_url": f"{TOOL}/lti/jwks",
        "deep_linking_url": f"{TOOL}/lti/launch",
    }
    entered = found["configuration"]
    login = {"moodle": "Initiate login URL", "canvas": "oidc_initiation_url", "blackboard": "Login Initiation URL"}[lms_type]  # fmt: skip
    keys = {"moodle": "Public keyset", "canvas": "public_jwk_url", "blackboard": "Tool JWKS URL"}[lms_type]  # fmt: skip
    assert (entered[login], entered[keys]) == (f"{TOOL}/lti/login", f"{TOOL}/lti/jwks")


def test_only_an_lti_integration_has_a_tool_configuration(admin):
    pushing = admin.post("lms-integrations/", {"lms_name": "Push", "lms_type": "moodle", "lms_code": "PUSHX", "integration_method": "xapi", "authentication_type": "api_key", "authentication_config": {}, "data_format": "xapi", "sync_frequency": "real_time", "sync_direction": "inbound_only"}).json  # fmt: skip
    refused = admin.get(f"lms-integrations/{pushing['id']}/lti-config/")
    assert (refused.status_code, refused.json["detail"]) == (409, "only lti integrations launch the tool; this one's method is xapi")  # fmt: skip


def test_a_deactivated_platform_cannot_log_in(site, admin):
    platform, integration, browser = site
    admin.patch(f"lms-integrations/{integration['id']}/", {"is_active": False})
    response = browser.get("/lti/login", query_string={"iss": platform.issuer, "login_hint": "57", "target_link_uri": f"{TOOL}/lti/launch"})  # fmt: skip
    assert response.status_code == 400
    assert response.json["detail"].startswith(
        f"the integration of issuer {platform.issuer} is not active"
    )


def test_another_company_and_a_narrower_role_see_neither_the_tool_s_configuration_nor_a_registration_url(
    site, make_user, settings
):
    from tests.factories import CompanyFactory

    _, integration, _ = site
    outsider = make_user("all", in_company=CompanyFactory())
    viewer = make_user(("can_view_reports",))
    for user, status in ((outsider, 404), (viewer, 403)):
        assert user.get(f"lms-integrations/{integration['id']}/lti-config/").status_code == status
    assert viewer.get("lms-integrations/lti-registration/").status_code == 403
    # The outsider's own registration URL registers with the outsider's company only.
    url = outsider.get("lms-integrations/lti-registration/").json["registration_url"]
    invitation = parse_qs(urlsplit(url).query)["invitation"][0]
    assert invited(settings.secret_key, invitation)[0] == outsider.company.id
    assert invited("another installation's key", invitation) is None
