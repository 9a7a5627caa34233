"""Business rules of the HR specification, section 6: each says what it finds broken."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from mapping import rules
from mapping.rules import check_lms_code
from statements.errors import Conflict
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


@pytest.mark.parametrize("value", [100.01, -1, 250])
def test_progress_outside_a_percentage_is_broken(value):
    broken = rules.progress_out_of_range(value)
    assert broken == rules.Broken(
        "progress_out_of_range", f"progress {value} is outside 0 to 100; it was clamped"
    )


@pytest.mark.parametrize("value", [0, 0.5, 100])
def test_progress_within_a_percentage_passes(value):
    assert rules.progress_out_of_range(value) is None


def test_score_above_its_maximum_is_broken():
    assert rules.score_above_max(Decimal("11"), Decimal("10")) == rules.Broken(
        "score_above_max", "score 11 exceeds maximum 10"
    )
    assert rules.score_above_max(Decimal("10"), Decimal("10")) is None
    assert rules.score_above_max(Decimal("11"), None) is None


def test_completion_before_start_is_broken():
    start = datetime(2026, 2, 1, 9, tzinfo=UTC)
    [broken] = rules.course_dates(start, start - timedelta(minutes=1))
    assert broken.rule == "completion_before_start"


def test_a_course_lasts_at_most_a_year():
    start = datetime(2025, 1, 1, tzinfo=UTC)
    [broken] = rules.course_dates(start, start + timedelta(days=366))
    assert broken == rules.Broken("course_too_long", "the course took 366 days; the limit is 365")
    assert rules.course_dates(start, start + timedelta(days=365)) == []
    assert rules.course_dates(start, start) == []


def test_lesson_limits():
    assert rules.too_many_attempts(11) == rules.Broken(
        "too_many_attempts", "11 attempts; the limit is 10"
    )
    assert rules.too_many_attempts(10) is None
    assert rules.lesson_too_short(59) == rules.Broken(
        "lesson_too_short", "completed in 59 s; lessons take at least 60 s"
    )
    assert rules.lesson_too_short(60) is None


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
