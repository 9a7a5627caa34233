"""/api/lms-integrations/: configuration, encrypted secrets, credentials, connection tests."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from hr_api.models import AuditEvent
from mapping.models import LMSIntegrationConfig
from mapping.outbox import process_batch
from mapping.secrets import SecretBox
from statements import ingest, timestamps
from statements.models import StatementOutbox, StatementRow
from tests.mapping.providers.fake_lms import serving
from tests.mapping.providers.fixtures import load
from tests.xapi_client import XapiClient

INTEGRATION = {
    "lms_name": "Main Moodle",
    "lms_type": "moodle",
    "lms_code": "MOODLE",
    "integration_method": "xapi",
    "api_endpoint_url": "https://moodle.example.com",
    "authentication_type": "api_key",
    "authentication_config": {"api_key": "s3cr3t-key"},
    "data_format": "xapi",
    "sync_frequency": "real_time",
    "sync_direction": "inbound_only",
}


def create(user, **changes):
    response = user.post("lms-integrations/", INTEGRATION | changes)
    assert response.status_code == 201, response.json
    return response.json


def test_create_returns_the_integration_without_its_secret(admin, db_session):
    created = create(admin)
    assert created["lms_code"] == "MOODLE"
    assert created["connection_status"] == "disconnected"
    assert "authentication_config" not in created
    assert created["has_authentication_config"] is True
    stored = db_session.get(LMSIntegrationConfig, uuid.UUID(created["id"]))
    assert "s3cr3t-key" not in str(stored.authentication_config)
    assert set(stored.authentication_config) == {"ciphertext"}


def test_whether_secrets_are_configured_is_shown_everywhere(admin):
    created = create(admin)
    path = f"lms-integrations/{created['id']}/"
    assert admin.get(path).json["has_authentication_config"] is True
    listed = admin.get("lms-integrations/").json["items"]
    assert [i["has_authentication_config"] for i in listed] == [True]
    cleared = admin.patch(path, {"authentication_config": {}}).json
    assert cleared["has_authentication_config"] is False
    assert admin.get(path).json["has_authentication_config"] is False
    without = create(admin, lms_code="NONE", authentication_config={})
    assert without["has_authentication_config"] is False


def test_lms_code_is_unique_within_the_company_only(admin, make_user):
    from tests.factories import CompanyFactory

    create(admin)
    response = admin.post("lms-integrations/", INTEGRATION)
    assert response.status_code == 409
    assert "MOODLE" in response.json["detail"]
    elsewhere = make_user("all", in_company=CompanyFactory())
    assert elsewhere.post("lms-integrations/", INTEGRATION).status_code == 201


def test_invalid_choice_is_a_field_error(admin):
    response = admin.post("lms-integrations/", INTEGRATION | {"lms_type": "Moodle"})
    assert response.status_code == 422
    assert response.json["errors"][0]["path"] == "json.lms_type"


def test_list_filters_and_paginates(admin):
    create(admin, lms_code="A", lms_type="canvas")
    create(admin, lms_code="B", lms_type="moodle", is_active=False)
    page = admin.get("lms-integrations/", query_string={"lms_type": "canvas"}).json
    assert [i["lms_code"] for i in page["items"]] == ["A"]
    assert (page["total"], page["page"], page["pages"]) == (1, 1, 1)
    inactive = admin.get("lms-integrations/", query_string={"is_active": "false"}).json
    assert [i["lms_code"] for i in inactive["items"]] == ["B"]
    paged = admin.get("lms-integrations/", query_string={"page_size": 1, "page": 2}).json
    assert (paged["total"], len(paged["items"]), paged["pages"]) == (2, 1, 2)


def test_put_and_patch_update(admin):
    created = create(admin)
    path = f"lms-integrations/{created['id']}/"
    patched = admin.patch(path, {"lms_name": "Renamed"}).json
    assert patched["lms_name"] == "Renamed" and patched["lms_code"] == "MOODLE"
    replaced = admin.put(path, INTEGRATION | {"lms_code": "NEW", "timeout_seconds": 60})
    assert replaced.status_code == 200
    assert (replaced.json["lms_code"], replaced.json["timeout_seconds"]) == ("NEW", 60)


def test_a_put_of_what_get_returned_keeps_the_secrets_and_settings(admin, db_session, settings):
    created = create(admin, field_mappings={"course_id_pattern": "https://moodle/course/.*"})
    path = f"lms-integrations/{created['id']}/"
    body = admin.get(path).json | {"lms_name": "Renamed"}
    replaced = admin.put(path, body)
    assert replaced.status_code == 200, replaced.json
    assert replaced.json["lms_name"] == "Renamed"
    assert replaced.json["has_authentication_config"] is True
    assert replaced.json["field_mappings"] == {"course_id_pattern": "https://moodle/course/.*"}
    stored = db_session.get(LMSIntegrationConfig, uuid.UUID(created["id"]))
    db_session.refresh(stored)
    assert SecretBox.from_settings(settings).open(stored.authentication_config) == {
        "api_key": "s3cr3t-key"
    }
    left_out = {k: v for k, v in INTEGRATION.items() if k != "authentication_config"}
    assert admin.put(path, left_out).json["field_mappings"] == body["field_mappings"]


def test_a_put_still_refuses_fields_it_does_not_know(admin):
    created = create(admin)
    response = admin.put(f"lms-integrations/{created['id']}/", INTEGRATION | {"lms_nmae": "x"})
    assert response.status_code == 422
    assert response.json["errors"][0]["path"] == "json.lms_nmae"


def test_credentials_are_issued_once_listed_and_revoked(admin, app):
    created = create(admin)
    base = f"lms-integrations/{created['id']}/credentials/"
    issued = admin.post(
        base, {"name": "moodle push", "scopes": ["statements/write", "statements/read"]}
    )
    assert issued.status_code == 201
    body = issued.json
    assert body["secret"] and body["endpoint"].endswith("/xapi/")
    listed = admin.get(base).json
    assert [c["key"] for c in listed] == [body["key"]]
    assert "secret" not in listed[0]
    lms = XapiClient(app.test_client(), body["key"], body["secret"], admin.company)
    assert lms.get().status_code == 200
    assert admin.delete(f"{base}{body['key']}/").status_code == 204
    assert lms.get().status_code == 401


def test_test_connection_reports_credentials_and_statements(admin, app, db_session):
    created = create(admin)
    path = f"lms-integrations/{created['id']}/test-connection/"
    assert admin.post(path).json["status"] == "no_credentials"
    issued = admin.post(f"lms-integrations/{created['id']}/credentials/", {"name": "push"}).json
    assert admin.post(path).json["status"] == "waiting"
    lms = XapiClient(app.test_client(), issued["key"], issued["secret"], admin.company)
    lms.store(
        {
            "actor": {"mbox": "mailto:a@example.com"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
            "object": {"id": "http://example.com/a"},
        }
    )
    process_batch(db_session)  # what `lrs worker` does where folding is not immediate
    result = admin.post(path).json
    assert result["status"] == "receiving" and result["last_statement_at"]
    assert (result["fold_backlog"], result["fold_lag_seconds"]) == (0, None)


API = {"integration_method": "api", "authentication_type": "api_key"}


def test_an_api_integration_needs_the_credentials_its_lms_is_read_with(admin, db_session):
    response = admin.post("lms-integrations/", INTEGRATION | API | {"lms_code": "API"})
    assert response.status_code == 400, response.json
    assert response.json["errors"] == [
        {
            "path": "authentication_config.token",
            "message": "required to read moodle through its API",
        }
    ]
    assert (
        db_session.scalars(
            select(LMSIntegrationConfig).where(LMSIntegrationConfig.lms_code == "API")
        ).all()
        == []
    )
    pushing = create(admin)  # a pushing Moodle needs no token
    response = admin.patch(f"lms-integrations/{pushing['id']}/", API)
    assert response.status_code == 400
    assert admin.get(f"lms-integrations/{pushing['id']}/").json["integration_method"] == "xapi"
    docebo = INTEGRATION | API | {"lms_type": "docebo", "lms_code": "DOC", "authentication_config": {"client_id": "c", "client_secret": "s"}}  # fmt: skip
    assert [e["path"] for e in admin.post("lms-integrations/", docebo).json["errors"]] == [
        "authentication_config.private_key"
    ]


def test_an_lms_without_an_api_client_says_so(admin):
    custom = create(admin, **API, lms_type="custom_lms", lms_code="CUSTOM", authentication_config={"token": "t"})  # fmt: skip
    result = admin.post(f"lms-integrations/{custom['id']}/test-connection/").json
    assert result["status"] == "not_configured"
    assert result["message"].startswith(
        "no API client reads custom_lms (those read: blackboard, canvas, cornerstone, docebo, "
        "moodle, talentlms)"
    )


def test_a_blackboard_connection_test_authenticates_and_reads_the_courses(admin):
    with serving() as lms:
        lms.answer("/learn/api/public/v1/oauth2/token", load("blackboard", "token"))
        lms.answer("/learn/api/public/v1/system/version", load("blackboard", "version"))
        lms.answer("/learn/api/public/v3/courses", load("blackboard", "courses_page2"))
        lms.answer("/learn/api/public/v1/courses/_356_1/users", load("blackboard", "members_356"))
        lms.answer(
            "/learn/api/public/v2/courses/_356_1/gradebook/columns",
            load("blackboard", "columns_356"),
        )
        key = {"client_id": "app-key", "client_secret": "app-secret"}
        learn = create(admin, **API, lms_type="blackboard", lms_code="BB", api_endpoint_url=lms.url, authentication_config=key)  # fmt: skip
        result = admin.post(f"lms-integrations/{learn['id']}/test-connection/").json
        assert lms.requests[0] == {"grant_type": ["client_credentials"]}
    assert (result["status"], result["api_version"], result["courses"]) == (
        "connected",
        "3900.101.0",
        ["FORK01"],
    )
    assert admin.get(f"lms-integrations/{learn['id']}/").json["connection_status"] == "connected"


def test_a_moodle_connection_test_reads_the_site(admin):
    with serving() as lms:
        lms.answer("core_webservice_get_site_info", load("moodle", "site_info"))
        lms.answer("core_course_get_courses_by_field", load("moodle", "courses"))
        moodle = create(admin, **API, lms_code="MAPI", api_endpoint_url=lms.url, authentication_config={"token": "s3cr3t"})  # fmt: skip
        result = admin.post(f"lms-integrations/{moodle['id']}/test-connection/").json
        assert lms.requests[0]["wstoken"] == ["s3cr3t"]
    assert (result["status"], result["api_version"]) == ("incomplete", "4.5.1 (Build: 20241209)")
    assert result["missing_permissions"] == [
        "core_course_get_contents",
        "gradereport_user_get_grade_items",
    ]
    assert result["courses"] == ["ISA24", "GDPR101"]
    assert "add them to the Moodle external service" in result["message"]
    assert admin.get(f"lms-integrations/{moodle['id']}/").json["connection_status"] == "connected"


def test_a_refused_moodle_token_puts_the_integration_in_error(admin):
    refused = {"exception": "moodle_exception", "errorcode": "invalidtoken", "message": "Invalid token - token not found"}  # fmt: skip
    with serving() as lms:
        lms.answer("core_webservice_get_site_info", refused)
        moodle = create(admin, **API, lms_code="MAPI", api_endpoint_url=lms.url, authentication_config={"token": "old"})  # fmt: skip
        result = admin.post(f"lms-integrations/{moodle['id']}/test-connection/").json
    assert result["status"] == "error"
    assert result["message"].startswith("Moodle refused the token (invalidtoken")
    assert admin.get(f"lms-integrations/{moodle['id']}/").json["connection_status"] == "error"


def test_delete_deactivates_and_revokes_credentials(admin, app):
    created = create(admin)
    issued = admin.post(f"lms-integrations/{created['id']}/credentials/", {"name": "push"}).json
    assert admin.delete(f"lms-integrations/{created['id']}/").status_code == 204
    after = admin.get(f"lms-integrations/{created['id']}/").json
    assert after["is_active"] is False
    lms = XapiClient(app.test_client(), issued["key"], issued["secret"], admin.company)
    assert lms.get().status_code == 401


def test_changes_are_audited_with_secrets_redacted(admin, db_session):
    created = create(admin)
    admin.patch(
        f"lms-integrations/{created['id']}/", {"authentication_config": {"api_key": "new-secret"}}
    )
    events = db_session.scalars(
        select(AuditEvent).where(AuditEvent.company_id == admin.company.id).order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.object_type) for e in events] == [
        ("create", "lms_integration"),
        ("update", "lms_integration"),
    ]
    assert events[0].actor_user_id == admin.user_id
    assert "new-secret" not in str(events[1].after) and "s3cr3t" not in str(events[0].after)


def test_other_companies_integrations_are_404(admin, make_user):
    from tests.factories import CompanyFactory

    created = create(admin)
    outsider = make_user("all", in_company=CompanyFactory())
    assert outsider.get(f"lms-integrations/{created['id']}/").status_code == 404
    assert outsider.get("lms-integrations/").json["total"] == 0


def test_configuration_may_hold_any_json_number(admin, db_session, settings):
    huge = 2**70
    created = create(admin, authentication_config={"api_key": "k", "tenant": huge},
                     field_mappings={"weight": huge})  # fmt: skip
    assert created["field_mappings"] == {"weight": huge}
    integration = db_session.get(LMSIntegrationConfig, uuid.UUID(created["id"]))
    assert integration is not None
    secrets = SecretBox.from_settings(settings).open(integration.authentication_config)
    assert secrets["tenant"] == huge


def test_non_finite_numbers_are_refused(admin):
    body = json.dumps(INTEGRATION | {"field_mappings": {"x": float("nan")}})
    response = admin.call("POST", "lms-integrations/", data=body, content_type="application/json")
    assert response.status_code == 400, response.json
    assert "NaN is not a JSON number" in response.json["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://lms.example.com",
        "data:text/html,x",
        "lms.example.com",
        "https://admin:secret@lms.example.com",
    ],
)
def test_only_http_and_https_endpoints_are_accepted(admin, url):
    response = admin.post("lms-integrations/", INTEGRATION | {"api_endpoint_url": url})
    assert response.status_code == 422
    assert response.json["errors"][0]["path"] == "json.api_endpoint_url"
    assert admin.get("lms-integrations/").json["total"] == 0


def test_json_settings_of_megabytes_are_refused(admin):
    huge = {"mapping": "x" * 100_000}
    response = admin.post("lms-integrations/", INTEGRATION | {"field_mappings": huge})
    assert response.status_code == 422
    assert "at most 65536 are kept" in response.json["errors"][0]["message"]
    assert admin.get("lms-integrations/").json["total"] == 0


def test_integration_health_follows_the_statements_and_the_fold(admin, app, db_session):
    created = create(admin)
    integration_id = uuid.UUID(created["id"])
    path = f"lms-integrations/{created['id']}/"
    admin.post(f"{path}credentials/", {"name": "push"})
    authority = {"objectType": "Agent", "account": {"homePage": "http://lrs.test", "name": "lms"}}
    [statement_id] = ingest.receive(
        db_session, admin.company.id, [{"actor": {"mbox": "mailto:a@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": "http://example.com/a"}}], authority=authority,
        authority_key="account:http://lrs.test lms", integration_id=integration_id,
    )  # fmt: skip
    db_session.execute(
        update(StatementOutbox)
        .where(StatementOutbox.statement_id == statement_id)
        .values(created=timestamps.now() - timedelta(minutes=5))
    )
    waiting = admin.post(f"{path}test-connection/").json
    assert (waiting["status"], waiting["fold_backlog"]) == ("backlog", 1)
    assert waiting["fold_lag_seconds"] >= 300
    assert "check that lrs worker is running" in waiting["message"]
    assert admin.get(path).json["last_sync_at"] is None
    process_batch(db_session)
    stored = db_session.get(StatementRow, (statement_id, admin.company.id)).stored
    health = admin.get(path).json
    assert health["connection_status"] == "connected"
    assert health["last_sync_at"] == health["last_successful_sync_at"] == stored.isoformat()
    assert admin.post(f"{path}test-connection/").json["status"] == "receiving"


def test_a_deactivated_integration_says_so_and_takes_no_credentials(admin):
    created = create(admin)
    path = f"lms-integrations/{created['id']}/"
    admin.delete(path)
    result = admin.post(f"{path}test-connection/").json
    assert result["status"] == "inactive" and "reactivate it" in result["message"]
    refused = admin.post(f"{path}credentials/", {"name": "push"})
    assert refused.status_code == 409
    assert "reactivate it" in refused.json["detail"]
    assert admin.get(f"{path}credentials/").json == []


def test_changed_reading_rules_leave_a_rebuild_pending_until_it_is_run(admin, db_session):
    from mapping.identity import EmployeeRecord, upsert_employees

    created = create(admin)
    path = f"lms-integrations/{created['id']}/"
    upsert_employees(db_session, admin.company.id, [EmployeeRecord("E1", "Ann", "ann@example.com")], timestamps.now())  # fmt: skip
    authority = {"objectType": "Agent", "account": {"homePage": "http://lrs.test", "name": "lms"}}
    ingest.receive(
        db_session, admin.company.id, [{"actor": {"mbox": "mailto:ann@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": "http://example.com/course", "definition": {"type": "http://adlnet.gov/expapi/activities/course"}}}],
        authority=authority, authority_key="account:http://lrs.test lms",
        integration_id=uuid.UUID(created["id"]),
    )  # fmt: skip
    process_batch(db_session)
    assert created["rebuild_pending"] is False
    renamed = admin.patch(path, {"lms_name": "Renamed"}).json
    assert renamed["rebuild_pending"] is False
    rules = {"verbs": {"http://adlnet.gov/expapi/verbs/experienced": "complete"}}
    changed = admin.patch(path, {"transformation_rules": rules}).json
    assert changed["rebuild_pending"] is True and changed["rebuild_pending_since"]
    [before] = admin.get("lms-enrollments/").json["items"]
    assert before["enrollment_status"] == "in_progress"  # folded under the old rules
    rebuilt = admin.post(f"{path}rebuild/").json
    assert rebuilt == {"enrollments": 1, "rebuild_pending": False}
    [after] = admin.get("lms-enrollments/").json["items"]
    assert after["enrollment_status"] == "completed"
    assert admin.get(path).json["rebuild_pending"] is False


def test_deactivating_through_a_patch_revokes_the_credentials_too(admin, app):
    created = create(admin)
    path = f"lms-integrations/{created['id']}/"
    issued = admin.post(f"{path}credentials/", {"name": "push"}).json
    patched = admin.patch(path, {"is_active": False}).json
    assert (patched["is_active"], patched["connection_status"]) == (False, "disconnected")
    lms = XapiClient(app.test_client(), issued["key"], issued["secret"], admin.company)
    assert lms.get().status_code == 401
    assert admin.post(f"{path}test-connection/").json["active_credentials"] == 0


def test_an_hr_assignment_is_no_traffic_from_the_lms(admin, db_session):
    from mapping.identity import EmployeeRecord, upsert_employees

    created = create(admin)
    [ann] = upsert_employees(db_session, admin.company.id, [EmployeeRecord("E1", "Ann", "ann@example.com")], timestamps.now())  # fmt: skip
    body = {"employee_id": str(ann.id), "lms_integration_id": created["id"],
            "course_activity_id": "https://lms.example.com/courses/ethics"}  # fmt: skip
    assert admin.post("lms-enrollments/", body).status_code == 201
    health = admin.get(f"lms-integrations/{created['id']}/").json
    assert (health["connection_status"], health["last_sync_at"]) == ("disconnected", None)


@pytest.mark.parametrize(
    ("rules", "path"),
    [
        ({"field_mappings": {"course_code_pattern": "("}}, "field_mappings.course_code_pattern"),
        ({"field_mappings": {"course_id_pattern": "(a+)+$"}}, "field_mappings.course_id_pattern"),
        ({"transformation_rules": {"credits": "abc"}}, "transformation_rules.credits"),
        (
            {"transformation_rules": {"verbs": {"http://x/v": "finish"}}},
            "transformation_rules.verbs.http://x/v",
        ),
        (
            {"transformation_rules": {"course_types": {"http://x/t": "lecture"}}},
            "transformation_rules.course_types.http://x/t",
        ),
        (
            {"transformation_rules": {"lesson_types": {"http://x/t": "lecture"}}},
            "transformation_rules.lesson_types.http://x/t",
        ),
    ],
    ids=[
        "broken pattern",
        "exponential pattern",
        "credits",
        "effect",
        "course type",
        "lesson type",
    ],
)
def test_reading_rules_that_cannot_be_applied_are_refused(admin, rules, path):
    created = create(admin)
    for method, body in (("post", INTEGRATION | rules | {"lms_code": "NEW"}), ("patch", rules), ("put", INTEGRATION | rules)):  # fmt: skip
        target = "lms-integrations/" if method == "post" else f"lms-integrations/{created['id']}/"
        response = getattr(admin, method)(target, body)
        assert response.status_code == 422, (method, response.json)
        assert response.json["errors"][0]["path"] == f"json.{path}"
    assert admin.get(f"lms-integrations/{created['id']}/").json["transformation_rules"] == {}
