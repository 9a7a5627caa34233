"""/api/lms-analytics/ over enrollments in known states: rates, averages and overdue
training, for the whole company and by course."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.factories import EmployeeFactory, EnrollmentFactory, IntegrationFactory


def test_figures_add_up_from_the_enrollments(admin, company):
    integration = IntegrationFactory(company_id=company.id)
    ann, bob = (EmployeeFactory(company_id=company.id) for _ in range(2))
    common = {"company_id": company.id, "lms_integration_id": integration.id}
    safety = "https://lms.example.com/courses/safety"
    EnrollmentFactory(**common, employee_id=ann.id, course_activity_id=safety, completed=True)
    EnrollmentFactory(
        **common,
        employee_id=bob.id,
        course_activity_id=safety,
        course_name="Safety",
        completed=True,
        score_achieved=Decimal("70.00"),
        time_spent_minutes=30,
    )
    EnrollmentFactory(
        **common, employee_id=ann.id, course_name="Ethics", in_progress=True, overdue_mandatory=True
    )
    EnrollmentFactory(**common, employee_id=bob.id, course_name="Privacy", overdue_compliance=True)

    figures = admin.get("lms-analytics/", query_string={"group_by": "course"}).json
    totals = figures["totals"]
    assert totals["enrollments"] == 4
    assert totals["by_status"]["completed"] == 2
    assert totals["by_status"]["in_progress"] == 1
    assert totals["by_status"]["not_started"] == 1
    assert totals["completion_rate"] == 0.5
    assert totals["pass_rate"] == 0.5  # 90 passes 80, 70 does not
    assert totals["average_score"] == 80.0
    assert totals["average_time_minutes"] == 7.5
    assert (totals["overdue_mandatory"], totals["overdue_compliance"]) == (1, 1)
    by_course = {group["group"]: group for group in figures["groups"]}
    assert sorted(by_course) == ["Ethics", "Privacy", "Safety"]
    assert by_course["Safety"]["enrollments"] == 2
    assert by_course["Safety"]["completion_rate"] == 1.0


def test_another_companys_enrollments_are_not_counted(admin, company):
    EnrollmentFactory(completed=True)  # in a company of its own
    EnrollmentFactory(company_id=company.id)
    totals = admin.get("lms-analytics/").json["totals"]
    assert totals["enrollments"] == 1
    assert totals["by_status"]["completed"] == 0


@pytest.mark.parametrize(
    ("path", "param", "hint"),
    [
        ("lms-enrollments/", "stauts", None),
        ("lms-enrollments/", "Status", "status"),
        ("lms-analytics/", "overdue", None),
        ("employees/", "department", None),
        ("audit-log/", "user", None),
        ("lms-enrollments/{id}/", "fields", None),
        ("lms-progress/{id}/", "expand", None),
    ],
)
def test_an_unknown_query_parameter_is_refused_by_name(admin, company, path, param, hint):
    enrollment = EnrollmentFactory(company_id=company.id)
    response = admin.get(path.format(id=enrollment.id), query_string={param: "x"})
    assert response.status_code == 400
    assert response.json["detail"].startswith(f"unknown parameter {param!r}")
    assert response.json["errors"][0]["path"] == param
    if hint:
        assert f"did you mean {hint!r}" in response.json["detail"]


def test_enrollments_filter_by_overdue_and_due_dates(admin, company):
    common = {"company_id": company.id}
    late = EnrollmentFactory(**common, overdue_mandatory=True)
    EnrollmentFactory(**common, completed=True, due_date=date(2000, 1, 31))  # late but done
    soon = EnrollmentFactory(**common, due_date=date(2999, 6, 30))
    EnrollmentFactory(**common)  # no due date

    def ids(**query):
        items = admin.get("lms-enrollments/", query_string=query).json["items"]
        return sorted(item["id"] for item in items)

    assert ids(overdue="true") == [str(late.id)]
    assert len(ids(overdue="false")) == 3
    assert ids(due_from="2999-01-01") == [str(soon.id)]
    assert ids(due_to="2000-12-31", overdue="true") == [str(late.id)]


def test_settled_enrollments_are_never_overdue(admin, company):
    for status in ("dropped", "expired", "certified", "completed"):
        EnrollmentFactory(
            company_id=company.id, enrollment_status=status, due_date=date(2026, 1, 1)
        )
    late = EnrollmentFactory(company_id=company.id, overdue_mandatory=True)
    items = admin.get("lms-enrollments/", query_string={"overdue": "true"}).json["items"]
    assert [item["id"] for item in items] == [str(late.id)]
    assert admin.get("lms-analytics/").json["totals"]["overdue_mandatory"] == 1


def test_two_courses_of_one_name_are_counted_apart(admin, company):
    for n in range(2):
        EnrollmentFactory(company_id=company.id, course_name="Safety",
                          course_activity_id=f"https://lms.example.com/courses/{n}")  # fmt: skip
    groups = admin.get("lms-analytics/", query_string={"group_by": "course"}).json["groups"]
    assert sorted((g["group"], g["course_id"], g["enrollments"]) for g in groups) == [
        ("Safety", "https://lms.example.com/courses/0", 1),
        ("Safety", "https://lms.example.com/courses/1", 1),
    ]
