"""Dynamic registration: an HR admin gets a registration URL, the LMS opens it with its
OpenID configuration and a registration token, the tool registers itself with the LMS and
keeps it as an inactive lti integration until the admin activates it; then it launches."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from mapping.models import LMSIntegrationConfig, LtiPlatform
from tests.lti.platform import Platform
from tests.lti.test_launch import TOOL, log_in
from tests.mapping.providers.fake_lms import serving

SCOPES = {
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
}


def openid(platform: Platform) -> dict:
    base = platform.issuer
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/auth",
        "token_endpoint": f"{base}/token",
        "jwks_uri": f"{base}/jwks",
        "registration_endpoint": f"{base}/register",
        "https://purl.imsglobal.org/spec/lti-platform-configuration": {"product_family_code": "moodle", "version": "4.5"},
    }  # fmt: skip


def test_an_lms_registers_the_tool_and_launches_once_an_admin_activates_it(admin, app, db_session):
    invitation = admin.get("lms-integrations/lti-registration/").json
    path = urlsplit(invitation["registration_url"])
    assert f"{path.scheme}://{path.netloc}{path.path}" == f"{TOOL}/lti/register"
    browser = app.test_client()
    with serving() as lms:
        platform = Platform(lms)
        lms.answer("/.well-known/openid-configuration", openid(platform))
        lms.answer("/register", {"client_id": platform.client_id, "https://purl.imsglobal.org/spec/lti-tool-configuration": {"deployment_id": platform.deployment}})  # fmt: skip
        query = parse_qs(path.query) | {"openid_configuration": [f"{platform.issuer}/.well-known/openid-configuration"], "registration_token": ["reg-t0ken"]}  # fmt: skip
        answered = browser.get("/lti/register", query_string={k: v[0] for k, v in query.items()})
        assert answered.status_code == 200, answered.json
        assert "org.imsglobal.lti.close" in answered.text
        sent = json.loads(lms.bodies[-1])
        registered_with = lms.headers[-1]["Authorization"]
        [integration] = db_session.scalars(select(LMSIntegrationConfig).where(LMSIntegrationConfig.integration_method == "lti")).all()  # fmt: skip
        platform_row = db_session.get(LtiPlatform, integration.id)
        refused = browser.get("/lti/login", query_string={"iss": platform.issuer, "login_hint": "57", "target_link_uri": f"{TOOL}/lti/launch"})  # fmt: skip
        admin.patch(f"lms-integrations/{integration.id}/", {"is_active": True})
        state, nonce = log_in(browser, platform)
        launched = browser.post("/lti/launch", data={"id_token": platform.sign(platform.claims(nonce)), "state": state})  # fmt: skip
    assert registered_with == "Bearer reg-t0ken"
    assert (sent["initiate_login_uri"], sent["redirect_uris"], sent["jwks_uri"]) == (f"{TOOL}/lti/login", [f"{TOOL}/lti/launch"], f"{TOOL}/lti/jwks")  # fmt: skip
    assert set(sent["scope"].split()) == SCOPES
    assert sent["token_endpoint_auth_method"] == "private_key_jwt"
    assert (integration.company_id, integration.lms_type.value, integration.is_active) == (admin.company.id, "moodle", False)  # fmt: skip
    assert (platform_row.issuer, platform_row.client_id, platform_row.deployment_ids) == (platform.issuer, platform.client_id, [platform.deployment])  # fmt: skip
    assert refused.status_code == 400  # inactive until approved
    assert launched.status_code == 200, launched.json


def test_a_registration_url_not_issued_by_the_tool_and_a_foreign_issuer_are_refused(admin, app):
    browser = app.test_client()
    forged = browser.get("/lti/register", query_string={"invitation": "forged", "openid_configuration": "http://127.0.0.1:1/x"})  # fmt: skip
    assert (forged.status_code, forged.json["detail"].startswith("the registration URL is not one the tool issued")) == (400, True)  # fmt: skip
    invitation = parse_qs(urlsplit(admin.get("lms-integrations/lti-registration/").json["registration_url"]).query)["invitation"][0]  # fmt: skip
    with serving() as lms:
        platform = Platform(lms)
        lms.answer("/.well-known/openid-configuration", openid(platform) | {"issuer": "https://elsewhere.example"})  # fmt: skip
        foreign = browser.get("/lti/register", query_string={"invitation": invitation, "openid_configuration": f"{platform.issuer}/.well-known/openid-configuration"})  # fmt: skip
    assert (foreign.status_code, foreign.json["detail"]) == (400, "the OpenID configuration's issuer is not the address it was read from")  # fmt: skip
    assert "POST /register" not in lms.asked
