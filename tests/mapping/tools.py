"""Pushing a content tool's journey through /xapi/statements as the tool sends it, with the
credential of an integration of the matching lms_type, and reading the records back through
the HR API as an HR administrator."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from hr_api.tokens import development_token
from mapping.choices import LmsType
from mapping.identity import EmployeeRecord, LmsAccount, upsert_employees
from mapping.models import Employee
from mapping.rebuild import rebuild
from statements.timestamps import now
from tests.factories import CompanyFactory, IntegrationFactory
from tests.hr_api.users import HrUser, grant
from tests.mapping.feed import drain
from tests.mapping.test_fold_property import snapshot
from tests.xapi_client import new_credential


@dataclass
class Site:
    """A company, its HR administrator and one integration with its learners."""

    admin: HrUser
    employees: dict[str, Employee]  # by the learner's LMS login or e-mail address

    def records(self) -> dict[str, dict[str, Any]]:
        """Each learner's enrollments through the HR API, by login and course id."""
        items = self.admin.get("lms-enrollments/").json["items"]
        names = {str(employee.id): who for who, employee in self.employees.items()}
        return {f"{names[e['employee_id']]} {e['course_activity_id']}": e for e in items}

    def lessons(self, enrollment: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
        """An enrollment's lessons through the HR API: type, status, score, maximum and
        attempts, by lesson activity id."""
        found = self.admin.get(f"lms-progress/{enrollment['id']}/").json["lessons"]
        return {
            lesson["lesson_activity_id"]: (
                lesson["lesson_type"], lesson["progress_status"],
                lesson["score_achieved"], lesson["max_score"], lesson["attempts_count"],
            )
            for lesson in found
        }  # fmt: skip


def push(
    app,
    db_session,
    settings,
    lms_type: LmsType,
    statements: list[dict[str, Any]],
    *,
    home_page: str | None = None,
    learners: tuple[str, ...] = (),
) -> Site:
    """Send each statement as the tool does (PUT where it names the statement's id, else
    POST) and fold them. `learners` are matched by their account on the LMS at `home_page`
    (they are its logins), or without one by their work e-mail address."""
    assert len(statements) >= 30, "a journey is 30 statements or more"
    company, user_id = CompanyFactory(), uuid.uuid4()
    grant(db_session, company, user_id, "all")
    admin = HrUser(app, development_token(settings, user_id, company.id), user_id, company)
    integration = IntegrationFactory(company_id=company.id, lms_type=lms_type)
    records = [
        EmployeeRecord(
            f"E{number}", who.title(),
            work_email=None if home_page else who,
            accounts=[LmsAccount(integration.id, who, home_page)] if home_page else [],
        )
        for number, who in enumerate(learners)
    ]  # fmt: skip
    employees = upsert_employees(db_session, company.id, records, now())
    lms = new_credential(
        app, scopes=["statements/write"], company=company, integration_id=integration.id
    )
    for statement in statements:
        if "id" in statement:
            response = lms.put(statement["id"], statement)
            assert response.status_code == 204, response.get_data(as_text=True)
        else:
            response = lms.post(statement)
            assert response.status_code == 200, response.get_data(as_text=True)
    drain(db_session)
    return Site(admin, dict(zip(learners, employees, strict=True)))


def rebuilt_alike(db_session, site: Site) -> bool:
    """Whether a rebuild writes the records the fold wrote."""
    company_id = site.admin.company.id
    folded = snapshot(db_session, company_id)
    rebuild(db_session, company_id)
    db_session.flush()
    db_session.expire_all()
    return snapshot(db_session, company_id) == folded
