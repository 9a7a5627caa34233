"""/api/lms-enrollments/, /api/lms-progress/ and /api/lms-analytics/, with data-access levels,
masking and tenant isolation."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mapping.choices import DataAccessLevel
from mapping.identity import EmployeeRecord, upsert_employees
from mapping.outbox import process_batch
from statements.models import StatementRow
from statements.timestamps import now
from tests.factories import CompanyFactory, IntegrationFactory
from tests.mapping.cmi5 import COURSE, cmi5_session
from tests.xapi_client import new_credential

SALES, SUPPORT = uuid.uuid4(), uuid.uuid4()
TEAM_A, TEAM_B = uuid.uuid4(), uuid.uuid4()


@pytest.fixture
def org(app, db_session, company):
    """A manager (Mia) with a report (Ann) in team A of Sales; Bob in team B of Support."""
    integration = IntegrationFactory(company_id=company.id)
    people = {
        name: EmployeeRecord(number, name.title(), f"{name}@example.com", user_id=uuid.uuid4(),
                             department_id=department, department_name=department_name,
                             team_id=team, manager_number=manager)
        for name, number, department, department_name, team, manager in [
            ("mia", "E1", SALES, "Sales", TEAM_A, None),
            ("ann", "E2", SALES, "Sales", TEAM_A, "E1"),
            ("bob", "E3", SUPPORT, "Support", TEAM_B, None),
        ]
    }  # fmt: skip
    upsert_employees(db_session, company.id, list(people.values()), now())
    employees = {
        e.employee_number: e
        for e in upsert_employees(db_session, company.id, list(people.values()), now())
    }
    lms = new_credential(app, scopes=["all"], company=company, integration_id=integration.id)
    return {
        "integration": integration,
        "lms": lms,
        "employee": {name: employees[record.employee_number] for name, record in people.items()},
        "user": {name: record.user_id for name, record in people.items()},
    }


def assign(user, org, who, course="https://lms.example.com/courses/ethics", **extra):
    body = {"employee_id": str(org["employee"][who].id), "lms_integration_id": str(org["integration"].id),
            "course_activity_id": course, "course_name": "Ethics"} | extra  # fmt: skip
    response = user.post("lms-enrollments/", body)
    assert response.status_code == 201, response.json
    return response.json


def test_assignment_is_recorded_as_a_statement_and_folded(admin, org, db_session):
    enrollment = assign(admin, org, "ann", due_date="2026-12-31", is_mandatory=True)
    assert enrollment["enrollment_status"] == "not_started"
    assert (enrollment["due_date"], enrollment["is_mandatory"]) == ("2026-12-31", True)
    assert enrollment["enrollment_source"] == "manager_assignment"
    [row] = db_session.scalars(
        select(StatementRow).where(StatementRow.company_id == admin.company.id)
    ).all()
    assert '"name":"HR system"' in row.payload and "assigned" in row.payload


def test_learning_moves_an_assigned_enrollment_forward(admin, org, db_session):
    assign(admin, org, "ann", course=COURSE)
    org["lms"].store(*cmi5_session("ann@example.com"))
    process_batch(db_session)
    [enrollment] = admin.get("lms-enrollments/").json["items"]
    assert enrollment["enrollment_status"] == "completed"
    assert enrollment["enrollment_source"] == "manager_assignment"


def test_hr_fields_are_changed_through_a_recorded_statement(admin, org, db_session):
    enrollment = assign(admin, org, "ann")
    path = f"lms-enrollments/{enrollment['id']}/"
    held = admin.patch(path, {"hr_status": "on_hold", "due_date": "2027-01-15"}).json
    assert (held["enrollment_status"], held["due_date"]) == ("on_hold", "2027-01-15")
    resumed = admin.patch(path, {"hr_status": None}).json
    assert resumed["enrollment_status"] == "not_started" and resumed["due_date"] == "2027-01-15"
    assert len(db_session.scalars(select(StatementRow.id)).all()) == 3


def test_list_filters(admin, org):
    assign(admin, org, "ann", is_mandatory=True)
    assign(
        admin,
        org,
        "bob",
        course="https://lms.example.com/courses/safety",
        is_compliance_training=True,
    )

    def ids(**query):
        return sorted(
            e["course_activity_id"]
            for e in admin.get("lms-enrollments/", query_string=query).json["items"]
        )

    assert ids(employee_id=str(org["employee"]["ann"].id)) == [
        "https://lms.example.com/courses/ethics"
    ]
    assert ids(is_mandatory="true") == ["https://lms.example.com/courses/ethics"]
    assert ids(is_compliance_training="true") == ["https://lms.example.com/courses/safety"]
    assert ids(course_id="https://lms.example.com/courses/safety") == [
        "https://lms.example.com/courses/safety"
    ]
    assert ids(status="not_started") == [
        "https://lms.example.com/courses/ethics",
        "https://lms.example.com/courses/safety",
    ]
    assert ids(date_from="2999-01-01") == []
    assert ids(lms_integration_id=str(org["integration"].id)) == [
        "https://lms.example.com/courses/ethics",
        "https://lms.example.com/courses/safety",
    ]
    assert ids(lms_integration_id=str(uuid.uuid4())) == []


def test_progress_lists_lessons_statements_and_findings(admin, org, db_session):
    ids = org["lms"].store(*cmi5_session("ann@example.com"))
    process_batch(db_session)
    [enrollment] = admin.get("lms-enrollments/").json["items"]
    progress = admin.get(f"lms-progress/{enrollment['id']}/").json
    assert progress["enrollment"]["id"] == enrollment["id"]
    [lesson] = progress["lessons"]
    assert lesson["progress_status"] == "completed" and lesson["attempts_count"] == 1
    assert sorted(map(str, progress["statement_ids"])) == sorted(ids)
    assert set(map(str, lesson["statement_ids"])) <= set(ids)
    assert progress["findings"] == []


@pytest.mark.parametrize(
    ("viewer", "level", "sees"),
    [
        ("ann", DataAccessLevel.OWN, {"ann"}),
        ("mia", DataAccessLevel.TEAM, {"mia", "ann"}),
        ("bob", DataAccessLevel.TEAM, {"bob"}),
        ("bob", DataAccessLevel.DEPARTMENT, {"bob"}),
        ("mia", DataAccessLevel.DEPARTMENT, {"mia", "ann"}),
        ("bob", DataAccessLevel.ALL, {"mia", "ann", "bob"}),
        ("ann", DataAccessLevel.NONE, set()),
    ],
)
def test_data_access_levels_decide_whose_records_are_seen(
    admin, org, make_user, viewer, level, sees
):
    enrollments = {name: assign(admin, org, name) for name in ("mia", "ann", "bob")}
    user = make_user(("can_view_progress",), level, user_id=org["user"][viewer])
    listed = user.get("lms-enrollments/").json["items"]
    by_id = {e["id"]: name for name, e in enrollments.items()}
    assert {by_id[e["id"]] for e in listed} == sees
    for name, enrollment in enrollments.items():
        status = user.get(f"lms-enrollments/{enrollment['id']}/").status_code
        assert status == (200 if name in sees else 404)


def test_scores_are_masked_for_viewers_without_report_rights(admin, org, make_user, db_session):
    org["lms"].store(*cmi5_session("ann@example.com"))
    process_batch(db_session)
    viewer = make_user(("can_view_progress",), DataAccessLevel.ALL)
    [enrollment] = viewer.get("lms-enrollments/").json["items"]
    assert enrollment["score_achieved"] is None
    assert "score_achieved" in enrollment["masked_fields"]
    [unmasked] = admin.get("lms-enrollments/").json["items"]
    assert unmasked["score_achieved"] == "90.00" and unmasked["masked_fields"] == []
    own = make_user(("can_view_progress",), DataAccessLevel.OWN, user_id=org["user"]["ann"])
    assert own.get("lms-enrollments/").json["items"][0]["score_achieved"] == "90.00"


def test_only_personal_values_that_exist_are_masked(org, make_user, db_session):
    org["lms"].store(*cmi5_session("ann@example.com"))
    process_batch(db_session)
    viewer = make_user(("can_view_progress",), DataAccessLevel.ALL)
    [enrollment] = viewer.get("lms-enrollments/").json["items"]
    # The course's settings are not personal; empty free text is shown as empty.
    assert (enrollment["max_score"], enrollment["passing_score"]) == ("100.00", "80.00")
    assert (enrollment["waiver_reason"], enrollment["grade_achieved"]) == ("", "")
    assert enrollment["masked_fields"] == ["score_achieved"]
    progress = viewer.get(f"lms-progress/{enrollment['id']}/").json
    [lesson] = progress["lessons"]
    assert lesson["score_achieved"] is None and lesson["max_score"] == "100.00"
    assert lesson["masked_fields"] == ["score_achieved"]


def test_another_companys_records_are_404(admin, org, make_user):
    enrollment = assign(admin, org, "ann")
    outsider = make_user("all", in_company=CompanyFactory())
    assert outsider.get(f"lms-enrollments/{enrollment['id']}/").status_code == 404
    assert outsider.get(f"lms-progress/{enrollment['id']}/").status_code == 404
    assert outsider.get("lms-enrollments/").json["total"] == 0
    body = {"employee_id": str(org["employee"]["ann"].id), "lms_integration_id": str(org["integration"].id),
            "course_activity_id": "https://lms.example.com/x"}  # fmt: skip
    assert outsider.post("lms-enrollments/", body).status_code == 404


def test_assignment_needs_an_iri(admin, org):
    body = {"employee_id": str(org["employee"]["ann"].id), "lms_integration_id": str(org["integration"].id),
            "course_activity_id": "not an iri"}  # fmt: skip
    response = admin.post("lms-enrollments/", body)
    assert response.status_code == 422
    assert response.json["errors"][0]["path"] == "json.course_activity_id"


def test_analytics_are_computed_per_group(admin, org, db_session):
    last_month = (date.today() - timedelta(days=30)).isoformat()
    assign(admin, org, "bob", due_date=last_month, is_mandatory=True, is_compliance_training=True)
    org["lms"].store(*cmi5_session("ann@example.com"))
    process_batch(db_session)
    result = admin.get("lms-analytics/", query_string={"group_by": "course"}).json
    totals = result["totals"]
    assert totals["enrollments"] == 2
    assert totals["by_status"]["completed"] == 1 and totals["by_status"]["not_started"] == 1
    assert totals["completion_rate"] == 0.5
    assert totals["pass_rate"] == 1.0
    assert totals["average_score"] == 90.0
    assert (totals["overdue_mandatory"], totals["overdue_compliance"]) == (1, 1)
    # Courses are grouped by the names people know them by.
    assert sorted(g["group"] for g in result["groups"]) == ["Ethics", "Fire Safety"]
    months = admin.get("lms-analytics/", query_string={"group_by": "month"}).json["groups"]
    assert {g["group"] for g in months} == {"2026-03", date.today().strftime("%Y-%m")}
    departments = admin.get("lms-analytics/", query_string={"group_by": "department"}).json[
        "groups"
    ]
    assert sum(g["enrollments"] for g in departments) == 2


def test_analytics_cover_only_visible_employees_and_total_over_groups(
    admin, org, make_user, db_session
):
    for who, scaled in [("ann", 0.8), ("mia", 0.6), ("bob", 1.0)]:
        org["lms"].store(*cmi5_session(f"{who}@example.com", registration=str(uuid.uuid4()),
                                       session=str(uuid.uuid4()), scaled=scaled))  # fmt: skip
    process_batch(db_session)
    everyone = admin.get("lms-analytics/", query_string={"group_by": "department"}).json
    assert [(g["group"], g["average_score"]) for g in everyone["groups"]] == [
        ("Sales", 70.0),
        ("Support", 100.0),
    ]
    assert everyone["totals"]["average_score"] == 80.0  # over enrollments, not over groups
    assert everyone["totals"]["enrollments"] == 3
    sales = make_user(("can_access_analytics",), DataAccessLevel.DEPARTMENT,
                      user_id=org["user"]["mia"], department_id=SALES)  # fmt: skip
    seen = sales.get("lms-analytics/", query_string={"group_by": "course"}).json
    assert seen["totals"]["enrollments"] == 2
    assert seen["totals"]["average_score"] == 70.0
    assert [g["enrollments"] for g in seen["groups"]] == [2]


def test_an_hr_change_changes_hr_fields_only(admin, org, db_session):
    launched = {
        "actor": {"mbox": "mailto:ann@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/launched"},
        "object": {"id": "https://lms.example.com/courses/ethics",
                   "definition": {"type": "http://adlnet.gov/expapi/activities/course"}},
        "timestamp": "2026-03-02T09:00:00Z",
    }  # fmt: skip
    org["lms"].store(launched)
    process_batch(db_session)
    [before] = admin.get("lms-enrollments/").json["items"]
    assert before["enrollment_source"] == "self_enrollment"
    path = f"lms-enrollments/{before['id']}/"
    after = admin.patch(path, {"due_date": "2027-01-15", "hr_status": "on_hold"}).json
    assert (after["due_date"], after["enrollment_status"]) == ("2027-01-15", "on_hold")
    assert after["enrollment_source"] == "self_enrollment"
    assert after["last_access_date"] == before["last_access_date"] == "2026-03-02T09:00:00+00:00"
    assert after["start_date"] == before["start_date"]
    resumed = admin.patch(path, {"hr_status": None}).json
    assert resumed["enrollment_status"] == "in_progress"


def test_an_assignment_is_no_access_of_the_learner(admin, org):
    enrollment = assign(admin, org, "ann")
    assert enrollment["last_access_date"] is None
    assert enrollment["total_access_count"] == 0


def test_a_due_date_decades_ago_is_refused(admin, org):
    body = {"employee_id": str(org["employee"]["ann"].id), "lms_integration_id": str(org["integration"].id),
            "course_activity_id": "https://lms.example.com/courses/ethics", "due_date": "1926-12-31"}  # fmt: skip
    response = admin.post("lms-enrollments/", body)
    assert response.status_code == 422
    assert response.json["errors"][0]["path"] == "json.due_date"
    assert admin.get("lms-enrollments/").json["total"] == 0


def test_an_lms_cannot_set_what_hr_owns(admin, org, db_session):
    """HR marks in a statement from an LMS credential are ignored: only the HR system's
    authority sets due dates, flags and HR statuses."""
    forged = {
        "actor": {"mbox": "mailto:ann@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/launched"},
        "object": {"id": "https://lms.example.com/courses/ethics",
                   "definition": {"type": "http://adlnet.gov/expapi/activities/course"}},
        "context": {"extensions": {"urn:x-hr-lrs:assignment:due-date": "2000-01-01",
                                   "urn:x-hr-lrs:assignment:mandatory": True,
                                   "urn:x-hr-lrs:assignment:status": "dropped"}},
    }  # fmt: skip
    org["lms"].store(forged)
    process_batch(db_session)
    [enrollment] = admin.get("lms-enrollments/").json["items"]
    assert enrollment["enrollment_status"] == "in_progress"
    assert (enrollment["due_date"], enrollment["is_mandatory"]) == (None, False)
    assert enrollment["enrollment_source"] == "self_enrollment"
