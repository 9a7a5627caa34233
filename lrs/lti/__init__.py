"""The LTI 1.3 tool face: an LMS course's link to the tool logs the browser in through OIDC
(`/lti/login`) and launches (`/lti/launch`): a learner's launch becomes a statement through
the ingest path, an instructor's shows the roster (and has the LMS's roster read), a deep
linking request offers the company's courses to place (`/lti/deep-link` answers it). The
tool's public keys are at `/lti/jwks`; an LMS registers it dynamically at `/lti/register`.
Platforms are integrations whose `integration_method` is lti (mapping.lti). It imports
neither `lrs.xapi` nor `hr_api`.
"""

from __future__ import annotations

import html
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, jsonify, request
from sqlalchemy import delete, select

from lrs.context import request_session, state
from lrs.lti.deep_linking import answering, choices, response_jwt
from lrs.lti.events import course_of, is_instructor, record_launch
from lrs.lti.launch import (
    COOKIE,
    DEEP_LINKING,
    DEEP_LINKING_REQUEST,
    LOGIN_LIFETIME,
    Launch,
    LaunchRefused,
    verify,
)
from lrs.lti.registration import RegistrationRefused, register_with
from lrs.problems import problem
from mapping import lti_rosters as rosters
from mapping.lti import invited, public_jwks, rotate, tool_keys
from mapping.models import LMSCourseEnrollment, LMSIntegrationConfig, LtiLogin, LtiPlatform
from mapping.secrets import SecretBox
from statements import timestamps
from statements.errors import BadRequest

PREFIX = "/lti"
bp = Blueprint("lti", __name__)
FORGOTTEN_AFTER = timedelta(days=1)  # logins kept this long, launched or not


def init_app(app: Flask) -> None:
    app.register_blueprint(bp, url_prefix=PREFIX)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    """OIDC third-party login initiation: send the browser to the platform's authorisation
    endpoint with a fresh state (bound to this browser by a cookie) and nonce."""
    asked = request.values
    issuer, hint, target = (asked.get(k, "") for k in ("iss", "login_hint", "target_link_uri"))
    if not issuer or not hint or not target:
        raise BadRequest("an LTI login needs iss, login_hint and target_link_uri")
    session = request_session()
    query = select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if client_id := asked.get("client_id"):
        query = query.where(LtiPlatform.client_id == client_id)
    platforms = session.scalars(query).all()
    if not platforms:
        raise BadRequest(
            f"no LTI platform with issuer {issuer}"
            + (f" and client id {client_id}" if client_id else "")
            + " is registered: create an lti integration with them (POST /api/lms-integrations/)"
        )
    if len(platforms) > 1:
        raise BadRequest(
            f"the issuer {issuer} has several client ids registered: the platform must send "
            "client_id with the login"
        )
    [platform] = platforms
    integration = session.get(LMSIntegrationConfig, platform.lms_integration_id)
    if integration is None or not integration.is_active:
        raise BadRequest(
            f"the integration of issuer {issuer} is not active: an HR admin activates it "
            "(PATCH /api/lms-integrations/{id}/ with is_active true)"
        )
    deployment = asked.get("lti_deployment_id")
    if deployment and deployment not in platform.deployment_ids:
        raise BadRequest(
            f"the deployment {deployment} is not registered: add it to the integration's "
            "deployment_ids"
        )
    now = timestamps.now()
    started = LtiLogin(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        lms_integration_id=platform.lms_integration_id,
        target_link_uri=target,
        created_at=now,
        used_at=None,
    )
    session.execute(delete(LtiLogin).where(LtiLogin.created_at < now - FORGOTTEN_AFTER))
    session.add(started)
    session.commit()
    sent = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": state().settings.base_url + PREFIX + "/launch",
        "login_hint": hint,
        "state": started.state,
        "nonce": started.nonce,
    }
    if message_hint := asked.get("lti_message_hint"):
        sent["lti_message_hint"] = message_hint
    separator = "&" if "?" in platform.auth_login_url else "?"
    response = Response(
        status=302, headers={"Location": platform.auth_login_url + separator + urlencode(sent)}
    )
    # SameSite=None: the launch comes back as a POST from the platform's site.
    response.set_cookie(
        COOKIE + started.state,
        "1",
        max_age=int(LOGIN_LIFETIME.total_seconds()),
        path=PREFIX,
        secure=True,
        httponly=True,
        samesite="None",
    )
    return response


@bp.post("/launch")
def launch() -> Response:
    """A launch: checked (lrs.lti.launch), recorded, and answered with the learner's page for
    the course, or the instructor's roster."""
    session = request_session()
    try:
        checked = verify(
            session,
            request.form.to_dict(),
            request.cookies.to_dict(),
            timestamps.now(),
            private_networks=state().settings.providers_private_networks,
        )
    except LaunchRefused as exc:
        session.rollback()
        return problem(400, "lti_launch_refused", exc.reason)
    course = course_of(checked)
    if checked.message_type == DEEP_LINKING_REQUEST:
        body = _chooser(checked, request.form["state"])
    elif is_instructor(checked):
        roster = rosters.remember(
            session, checked.platform, checked.claims.get(rosters.CLAIM), course, timestamps.now()
        )
        body = _roster(checked.platform, course, roster is not None)
    else:
        body = _learner_page(course, record_launch(session, checked))
    session.commit()
    response = Response(body, mimetype="text/html")
    response.delete_cookie(
        COOKIE + request.form["state"], path=PREFIX, secure=True, samesite="None"
    )
    return response


@bp.post("/deep-link")
def deep_link() -> Response:
    """The instructor's choice, sent back to the platform as a signed deep linking answer by
    a form that submits itself."""
    session = request_session()
    now = timestamps.now()
    try:
        login, platform = answering(session, request.form.get("state", ""), now)
    except LaunchRefused as exc:
        return problem(400, "lti_deep_linking_refused", exc.reason)
    offered = dict(choices(session, platform))
    picked = [(a, offered[a]) for a in request.form.getlist("course") if a in offered]
    if not picked:
        return problem(400, "lti_deep_linking_refused", "choose at least one course to place")
    assert login.deep_linking is not None
    settings = state().settings
    token = response_jwt(
        session,
        SecretBox.from_settings(settings),
        platform,
        login,
        picked,
        settings.base_url,
        now,
    )
    session.commit()
    url = html.escape(str(login.deep_linking["settings"]["deep_link_return_url"]))
    return Response(
        _page(
            "Placing the course",
            f"<form id='answer' method='post' action='{url}'>"
            f"<input type='hidden' name='JWT' value='{html.escape(token)}'>"
            "<button type='submit'>Continue</button></form>"
            "<script>document.getElementById('answer').submit()</script>",
        ),
        mimetype="text/html",
    )


@bp.get("/register")
def register() -> Response:
    """Dynamic registration, opened by the LMS with its OpenID configuration and a
    registration token appended to an HR admin's registration URL."""
    settings = state().settings
    invitation = invited(settings.secret_key, request.args.get("invitation", ""))
    if invitation is None:
        return problem(
            400,
            "lti_registration_refused",
            "the registration URL is not one the tool issued, or has expired: ask an HR admin "
            "for a new one (GET /api/lms-integrations/lti-registration/)",
        )
    configuration = request.args.get("openid_configuration", "")
    if not configuration:
        return problem(400, "lti_registration_refused", "the LMS sent no openid_configuration")
    session = request_session()
    try:
        made = register_with(
            session,
            SecretBox.from_settings(settings),
            invitation,
            configuration,
            request.args.get("registration_token", ""),
            settings.base_url,
            private_networks=settings.providers_private_networks,
        )
    except RegistrationRefused as exc:
        session.rollback()
        return problem(400, "lti_registration_refused", exc.reason)
    session.commit()
    # The LMS waits for this message to close the registration window.
    body = (
        f"<p>The tool is registered with {html.escape(made.lms_name)}. An HR admin activates "
        f"integration {made.id} before it can be launched.</p>"
        "<script>(window.opener || window.parent).postMessage("
        "{subject: 'org.imsglobal.lti.close'}, '*')</script>"
    )
    return Response(_page("Registered", body), mimetype="text/html")


@bp.get("/jwks")
def jwks() -> Response:
    """The tool's public keys: the signing one and the one before it."""
    session = request_session()
    if not tool_keys(session):
        rotate(session, SecretBox.from_settings(state().settings), timestamps.now())
        session.commit()
    return jsonify(public_jwks(session))


def _chooser(launch: Launch, login_state: str) -> str:
    """The instructor's choice of the company's courses to place in their LMS course."""
    settings = launch.claims[DEEP_LINKING]
    kind = "checkbox" if settings.get("accept_multiple", True) else "radio"
    offered = choices(request_session(), launch.platform)
    if not offered:
        return _page("Place a course", "<p>The company has no course to place yet.</p>")
    options = "".join(
        f"<li><label><input type='{kind}' name='course' value='{html.escape(activity)}'> "
        f"{html.escape(name)}</label></li>"
        for activity, name in offered
    )
    return _page(
        "Place a course",
        f"<form method='post' action='{PREFIX}/deep-link'>"
        f"<input type='hidden' name='state' value='{html.escape(login_state)}'>"
        f"<fieldset><legend>Courses</legend><ul>{options}</ul></fieldset>"
        "<button type='submit'>Place</button></form>",
    )


def _learner_page(course: dict[str, object], enrollment: LMSCourseEnrollment | None) -> str:
    """The learner's own record of the course: where they stand, and by when."""
    name = html.escape(_name(course))
    if enrollment is None:
        return _page(
            name,
            "<p>Your launch is recorded. Your HR records will show it once HR links your "
            "account on this LMS to you.</p>",
        )
    facts = [
        ("Status", enrollment.enrollment_status.value.replace("_", " ")),
        ("Progress", f"{enrollment.progress_percentage}%"),
        ("Due", enrollment.due_date.isoformat() if enrollment.due_date else "no due date"),
    ]
    if enrollment.score_achieved is not None:
        facts.append(("Score", f"{enrollment.score_achieved}"))
    rows = "".join(f"<dt>{label}</dt><dd>{html.escape(value)}</dd>" for label, value in facts)
    bar = (
        f"<progress max='100' value='{enrollment.progress_percentage}' "
        f"aria-label='Progress'>{enrollment.progress_percentage}%</progress>"
    )
    return _page(name, f"<dl>{rows}</dl>{bar}")


def _roster(platform: LtiPlatform, course: dict[str, object], reading: bool) -> str:
    """The course's learners and how far each has got (and whether the LMS's roster is to
    be read: then the learners who have not launched yet appear too)."""
    rows = (
        request_session()
        .scalars(
            select(LMSCourseEnrollment)
            .where(
                LMSCourseEnrollment.lms_integration_id == platform.lms_integration_id,
                LMSCourseEnrollment.course_activity_id == course["id"],
            )
            .order_by(LMSCourseEnrollment.enrollment_number)
        )
        .all()
    )
    lines = "".join(
        f"<tr><td>{html.escape(row.enrollment_number)}</td>"
        f"<td>{html.escape(row.enrollment_status.value)}</td>"
        f"<td>{row.progress_percentage}%</td></tr>"
        for row in rows
    )
    table = (
        "<table><thead><tr><th scope='col'>Enrollment</th><th scope='col'>Status</th>"
        f"<th scope='col'>Progress</th></tr></thead><tbody>{lines}</tbody></table>"
        if rows
        else "<p>No learner has launched this course yet.</p>"
    )
    if reading:
        table += "<p>The course's roster is being read from the LMS.</p>"
    return _page(html.escape(_name(course)), table)


def _name(course: dict[str, object]) -> str:
    definition = course.get("definition")
    names = definition.get("name", {}) if isinstance(definition, dict) else {}
    return str(next(iter(names.values()), "this course"))


def _page(title: str, body: str) -> str:
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'></head>"
        f"<body><main><h1>{title}</h1>{body}</main></body></html>"
    )
