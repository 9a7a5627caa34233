"""Business rules of the HR specification, section 6, as domain validation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from mapping.rules import check_lms_code, enrollment_errors, lesson_errors, require_valid
from statements.errors import BadRequest, Conflict
from tests.factories import CompanyFactory, IntegrationFactory


def test_lms_code_must_be_unique_within_a_company(db_session):
    company = CompanyFactory()
    taken = IntegrationFactory(company_id=company.id, lms_code="MOODLE", lms_name="Main Moodle")
    with pytest.raises(Conflict, match="Main Moodle"):
        check_lms_code(db_session, company.id, "MOODLE")
    check_lms_code(db_session, company.id, "MOODLE", integration_id=taken.id)  # itself
    check_lms_code(db_session, CompanyFactory().id, "MOODLE")  # another company


def test_lms_code_is_unique_in_the_database_too(db_session):
    from sqlalchemy.exc import IntegrityError

    company = CompanyFactory()
    IntegrationFactory(company_id=company.id, lms_code="X")
    with pytest.raises(IntegrityError):
        IntegrationFactory(company_id=company.id, lms_code="X")


@pytest.mark.parametrize(
    ("figures", "path"),
    [
        ({"progress_percentage": Decimal("100.01")}, "progress_percentage"),
        ({"progress_percentage": Decimal("-1")}, "progress_percentage"),
        ({"start_date": date(2026, 2, 1), "completion_date": date(2026, 1, 31)}, "completion_date"),
        ({"start_date": date(2025, 1, 1), "completion_date": date(2026, 1, 2)}, "completion_date"),
        ({"score_achieved": Decimal("11"), "max_score": Decimal("10")}, "score_achieved"),
    ],
)
def test_enrollment_rules_name_the_field(figures, path):
    errors = enrollment_errors(**figures)
    assert [e.path for e in errors] == [path]
    with pytest.raises(BadRequest):
        require_valid(errors)


def test_valid_enrollment_figures_pass():
    figures = {
        "progress_percentage": Decimal("100"),
        "start_date": date(2026, 1, 1),
        "completion_date": date(2026, 1, 1),
        "score_achieved": Decimal("10"),
        "max_score": Decimal("10"),
    }
    assert enrollment_errors(**figures) == []


@pytest.mark.parametrize(
    ("figures", "path"),
    [
        ({"time_spent_seconds": 59}, "time_spent_seconds"),
        ({"attempts_count": 11}, "attempts_count"),
    ],
)
def test_lesson_rules_name_the_field(figures, path):
    assert [e.path for e in lesson_errors(**figures)] == [path]


def test_lesson_at_the_limits_passes():
    assert lesson_errors(time_spent_seconds=60, attempts_count=10) == []


def test_database_refuses_a_value_outside_a_choice(db_session):
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    company = CompanyFactory()
    company_id = (
        company.id.hex if db_session.get_bind().dialect.name == "sqlite" else str(company.id)
    )
    with pytest.raises(IntegrityError) as refused, db_session.begin_nested():
        db_session.execute(
            text(
                "INSERT INTO hr_lms_role_permission (id, company_id, role_name, role_description,"
                " role_type, data_access_level) VALUES"
                " ('00000000000000000000000000000001', :company, 'r', '', 'not_a_role', 'all')"
            ),
            {"company": company_id},
        )
    assert "check" in str(refused.value).lower()
