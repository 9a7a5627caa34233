"""/api/lms-analytics/ over enrollments in known states: rates, averages and overdue
training, for the whole company and by course."""

from __future__ import annotations

from decimal import Decimal

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
        completed=True,
        score_achieved=Decimal("70.00"),
        time_spent_minutes=30,
    )
    EnrollmentFactory(**common, employee_id=ann.id, in_progress=True, overdue_mandatory=True)
    EnrollmentFactory(**common, employee_id=bob.id, overdue_compliance=True)

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
    assert by_course[safety]["enrollments"] == 2
    assert by_course[safety]["completion_rate"] == 1.0


def test_another_companys_enrollments_are_not_counted(admin, company):
    EnrollmentFactory(completed=True)  # in a company of its own
    EnrollmentFactory(company_id=company.id)
    totals = admin.get("lms-analytics/").json["totals"]
    assert totals["enrollments"] == 1
    assert totals["by_status"]["completed"] == 0
