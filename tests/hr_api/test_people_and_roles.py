"""/api/employees/, /api/lms-roles/, /api/lms-role-assignments/, /api/lms-unmatched-learners/."""

from __future__ import annotations

import uuid

import pytest

from mapping.outbox import process_batch
from tests.factories import COMPLETED, IntegrationFactory, statement
from tests.xapi_client import new_credential


def test_employees_are_upserted_and_read_back(admin):
    team = str(uuid.uuid4())
    body = {"employees": [
        {"employee_number": "E1", "name": "Mia", "work_email": "mia@example.com", "team_id": team},
        {"employee_number": "E2", "name": "Ann", "work_email": "ann@example.com", "manager_number": "E1"},
    ]}  # fmt: skip
    assert admin.post("employees/", body).json == {"upserted": 2}
    renamed = {
        "employees": [{"employee_number": "E2", "name": "Ann Smith", "manager_number": "E1"}]
    }
    assert admin.post("employees/", renamed).json == {"upserted": 1}
    listed = admin.get("employees/").json
    by_number = {e["employee_number"]: e for e in listed["items"]}
    assert listed["total"] == 2
    assert by_number["E2"]["name"] == "Ann Smith"
    assert by_number["E2"]["manager_id"] == by_number["E1"]["id"]
    assert admin.get(f"employees/{by_number['E1']['id']}/").json["team_id"] == team


def test_duplicate_numbers_in_one_batch_are_refused(admin):
    body = {
        "employees": [
            {"employee_number": "E1", "name": "A"},
            {"employee_number": "E1", "name": "B"},
        ]
    }
    assert admin.post("employees/", body).status_code == 400


def test_email_is_masked_without_configuration_rights(admin, make_user):
    admin.post(
        "employees/",
        {"employees": [{"employee_number": "E1", "name": "Mia", "work_email": "mia@example.com"}]},
    )
    viewer = make_user(("can_view_progress",))
    [employee] = viewer.get("employees/").json["items"]
    assert employee["work_email"] == "***" and employee["masked_fields"] == ["work_email"]


def test_roles_are_created_updated_and_deactivated(admin):
    created = admin.post("lms-roles/", {"role_name": "Coordinator", "role_type": "training_coordinator",
                                        "data_access_level": "department", "can_enroll_learners": True})  # fmt: skip
    assert created.status_code == 201
    role = created.json
    assert role["can_enroll_learners"] is True and role["can_view_audit_logs"] is False
    duplicate = admin.post(
        "lms-roles/",
        {"role_name": "Coordinator", "role_type": "auditor", "data_access_level": "all"},
    )
    assert duplicate.status_code == 409
    patched = admin.patch(f"lms-roles/{role['id']}/", {"can_view_reports": True}).json
    assert patched["can_view_reports"] is True and patched["can_enroll_learners"] is True
    assert admin.delete(f"lms-roles/{role['id']}/").status_code == 204
    assert admin.get(f"lms-roles/{role['id']}/").json["is_active"] is False


def test_a_role_assignment_grants_its_permissions(admin, make_user):
    role = admin.post("lms-roles/", {"role_name": "Analyst", "role_type": "report_viewer",
                                     "data_access_level": "all", "can_access_analytics": True}).json  # fmt: skip
    analyst = make_user()
    assert analyst.get("lms-analytics/").status_code == 403
    assignment = admin.post(
        "lms-role-assignments/", {"user_id": str(analyst.user_id), "role_id": role["id"]}
    )
    assert assignment.status_code == 201
    assert analyst.get("lms-analytics/").status_code == 200
    listed = admin.get("lms-role-assignments/", query_string={"user_id": str(analyst.user_id)}).json
    assert [a["role_id"] for a in listed["items"]] == [role["id"]]
    assert admin.delete(f"lms-role-assignments/{assignment.json['id']}/").status_code == 204
    assert analyst.get("lms-analytics/").status_code == 403


def test_unmatched_learners_are_listed(admin, app, db_session):
    integration = IntegrationFactory(company_id=admin.company.id)
    lms = new_credential(app, scopes=["all"], company=admin.company, integration_id=integration.id)
    lms.store(statement("zoe", COMPLETED), statement("zoe", COMPLETED))
    from mapping.outbox import process_batch

    process_batch(db_session)
    page = admin.get("lms-unmatched-learners/").json
    assert page["total"] == 1
    [learner] = page["items"]
    assert (learner["agent"]["mbox"], learner["statements"]) == ("mailto:zoe@example.com", 2)


def test_unmatched_learners_are_paged_most_statements_first(admin, app, db_session):
    integration = IntegrationFactory(company_id=admin.company.id)
    lms = new_credential(app, scopes=["all"], company=admin.company, integration_id=integration.id)
    lms.store(*[statement(name, COMPLETED) for name in ("cy", "al", "al", "al", "bo", "bo")])
    from mapping.outbox import process_batch

    process_batch(db_session)

    def page(number):
        body = admin.get(f"lms-unmatched-learners/?page={number}&page_size=2").json
        names = [
            (i["agent"]["mbox"].removeprefix("mailto:"), i["statements"]) for i in body["items"]
        ]
        return body["total"], body["pages"], names

    assert page(1) == (3, 2, [("al@example.com", 3), ("bo@example.com", 2)])
    assert page(2) == (3, 2, [("cy@example.com", 1)])
    assert page(3) == (3, 2, [])


def test_nul_characters_in_hr_bodies_are_refused(admin):
    response = admin.post(
        "employees/", {"employees": [{"employee_number": "E\u00001", "name": "A"}]}
    )
    assert response.status_code == 400
    assert "NUL" in response.json["detail"]


@pytest.mark.parametrize("text", ["\\ud800", "a\\uDFFFb", "\\udc00\\ud800"])
def test_unpaired_surrogates_in_hr_bodies_are_refused(admin, text):
    body = '{"employees": [{"employee_number": "E1", "name": "NAME"}]}'.replace("NAME", text)
    response = admin.call("POST", "employees/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "unpaired surrogates" in response.json["detail"]
    assert admin.get("employees/").json["total"] == 0


def test_a_paired_surrogate_is_an_ordinary_character(admin):
    body = '{"employees": [{"employee_number": "E1", "name": "Ann \\ud83d\\ude00"}]}'
    response = admin.call("POST", "employees/", data=body, content_type="application/json")
    assert response.status_code == 200, response.json
    [employee] = admin.get("employees/").json["items"]
    assert employee["name"] == "Ann \U0001f600"


def test_a_partial_feed_leaves_out_what_it_does_not_send(admin, app, db_session):
    integration = IntegrationFactory(company_id=admin.company.id)
    user_id = str(uuid.uuid4())
    full = {"employees": [
        {"employee_number": "E1", "name": "Mia"},
        {"employee_number": "E2", "name": "Ann", "work_email": "ann@example.com",
         "user_id": user_id, "manager_number": "E1", "team_name": "Blue",
         "lms_accounts": [{"lms_integration_id": str(integration.id), "name": "u-77",
                           "home_page": "https://moodle.example.com"}]},
    ]}  # fmt: skip
    assert admin.post("employees/", full).status_code == 200
    assert admin.post("employees/", {"employees": [{"employee_number": "E2", "name": "Ann S"}]}).status_code == 200  # fmt: skip
    by_number = {e["employee_number"]: e for e in admin.get("employees/").json["items"]}
    ann = by_number["E2"]
    assert (ann["name"], ann["work_email"], ann["user_id"]) == ("Ann S", "ann@example.com", user_id)
    assert (ann["manager_id"], ann["team_name"]) == (by_number["E1"]["id"], "Blue")
    # Her LMS account still matches her: a statement through it is folded into her record.
    lms = new_credential(app, scopes=["all"], company=admin.company, integration_id=integration.id)
    actor = {"account": {"homePage": "https://moodle.example.com", "name": "u-77"}}
    lms.store({**statement(verb=COMPLETED), "actor": actor})
    process_batch(db_session)
    [enrollment] = admin.get("lms-enrollments/").json["items"]
    assert enrollment["employee_id"] == ann["id"]


def test_an_explicit_null_clears_a_field(admin):
    full = {"employees": [
        {"employee_number": "E1", "name": "Mia"},
        {"employee_number": "E2", "name": "Ann", "work_email": "ann@example.com",
         "user_id": str(uuid.uuid4()), "manager_number": "E1", "team_name": "Blue"},
    ]}  # fmt: skip
    admin.post("employees/", full)
    cleared = {"employees": [{"employee_number": "E2", "name": "Ann", "work_email": None,
                              "user_id": None, "manager_number": None, "team_name": None}]}  # fmt: skip
    assert admin.post("employees/", cleared).status_code == 200
    ann = {e["employee_number"]: e for e in admin.get("employees/").json["items"]}["E2"]
    assert (ann["work_email"], ann["user_id"], ann["manager_id"], ann["team_name"]) == (
        None, None, None, "",
    )  # fmt: skip


def test_an_employee_cannot_manage_themselves_or_a_manager_of_theirs(admin):
    own = {"employees": [{"employee_number": "E1", "name": "Mia", "manager_number": "E1"}]}
    response = admin.post("employees/", own)
    assert response.status_code == 400
    assert "cannot be their own manager" in response.json["detail"]
    chain = {"employees": [
        {"employee_number": "E1", "name": "Mia"},
        {"employee_number": "E2", "name": "Ann", "manager_number": "E1"},
    ]}  # fmt: skip
    assert admin.post("employees/", chain).status_code == 200
    cycle = {"employees": [{"employee_number": "E1", "name": "Mia", "manager_number": "E2"}]}
    response = admin.post("employees/", cycle)
    assert response.status_code == 400
    assert "form a cycle" in response.json["detail"]
    mia = {e["employee_number"]: e for e in admin.get("employees/").json["items"]}["E1"]
    assert mia["manager_id"] is None


def test_free_text_and_dates_are_bounded(admin):
    role = {"role_name": "R", "role_type": "auditor", "data_access_level": "all"}
    long = admin.post("lms-roles/", role | {"role_description": "x" * 1_000_000})
    assert long.status_code == 422
    assert long.json["errors"][0]["path"] == "json.role_description"
    created = admin.post("lms-roles/", role).json
    expired = admin.post(
        "lms-role-assignments/",
        {"user_id": str(uuid.uuid4()), "role_id": created["id"], "expiry_date": "2020-01-01"},
    )
    assert expired.status_code == 422
    assert "has expired grants nothing" in expired.json["errors"][0]["message"]
    listed = admin.get("lms-role-assignments/", query_string={"role_id": created["id"]}).json
    assert listed["total"] == 0
