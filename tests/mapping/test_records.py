"""Folding statements received through the ingest entry point: identity matching, unmatched
learners, voiding, findings and evidence."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mapping.choices import CourseType, EnrollmentStatus, LessonType
from mapping.identity import EmployeeRecord, LmsAccount, upsert_employees
from mapping.models import (
    DataQualityFinding,
    LMSCourseEnrollment,
    LMSLearningProgress,
    UnmatchedStatement,
)
from statements.models import StatementOutbox
from statements.timestamps import now
from tests.factories import (
    COMPLETED,
    EXPERIENCED,
    CompanyFactory,
    IntegrationFactory,
    statement,
    voiding,
)
from tests.mapping.feed import Feed, drain

COURSE = {
    "id": "http://example.com/course/safety",
    "definition": {"type": "http://adlnet.gov/expapi/activities/course"},
}


@pytest.fixture
def company():
    return CompanyFactory()


def lms_client(db_session, company, **integration):
    found = IntegrationFactory(company_id=company.id, **integration)
    return found, Feed(db_session, company, found.id)


def enrollments(db_session):
    return db_session.scalars(select(LMSCourseEnrollment)).all()


def test_unknown_learner_is_kept_as_unmatched_then_folded_once_known(db_session, company):
    integration, lms = lms_client(db_session, company)
    [statement_id] = lms.store(statement("zoe", COMPLETED, COURSE))
    drain(db_session)
    assert enrollments(db_session) == []
    unmatched = db_session.scalars(select(UnmatchedStatement)).one()
    assert (str(unmatched.statement_id), unmatched.lms_integration_id) == (
        statement_id,
        integration.id,
    )
    assert unmatched.agent["mbox"] == "mailto:zoe@example.com"

    upsert_employees(
        db_session, company.id, [EmployeeRecord("E9", "Zoe", "zoe@example.com")], now()
    )
    assert db_session.scalars(select(StatementOutbox.statement_id)).all()
    drain(db_session)
    assert [e.enrollment_status for e in enrollments(db_session)] == [EnrollmentStatus.COMPLETED]
    assert db_session.scalars(select(UnmatchedStatement)).all() == []


def test_lms_account_identities_match_per_integration(db_session, company):
    integration, lms = lms_client(
        db_session, company, api_endpoint_url="https://moodle.example.com"
    )
    upsert_employees(
        db_session,
        company.id,
        [EmployeeRecord("E1", "Ann", accounts=[LmsAccount(integration.id, "u-77")])],
        now(),
    )
    actor = {"account": {"homePage": "https://moodle.example.com", "name": "u-77"}}
    lms.store({**statement(verb=COMPLETED, obj=COURSE), "actor": actor})
    drain(db_session)
    assert len(enrollments(db_session)) == 1


def test_an_email_hash_matches_the_employee(db_session, company):
    import hashlib

    _, lms = lms_client(db_session, company)
    upsert_employees(
        db_session, company.id, [EmployeeRecord("E1", "Ann", "ann@example.com")], now()
    )
    digest = hashlib.sha1(b"mailto:ann@example.com").hexdigest()
    lms.store({**statement(verb=COMPLETED, obj=COURSE), "actor": {"mbox_sha1sum": digest}})
    drain(db_session)
    assert len(enrollments(db_session)) == 1


def test_statements_without_an_integration_are_not_folded(db_session, company):
    upsert_employees(
        db_session, company.id, [EmployeeRecord("E1", "Ann", "ann@example.com")], now()
    )
    Feed(db_session, company).store(statement("ann", COMPLETED, COURSE))
    drain(db_session)
    assert enrollments(db_session) == []
    assert db_session.scalars(select(UnmatchedStatement)).all() == []


def test_voiding_takes_a_statement_out_and_recomputes(db_session, company):
    _, lms = lms_client(db_session, company)
    upsert_employees(
        db_session, company.id, [EmployeeRecord("E1", "Ann", "ann@example.com")], now()
    )
    [_started, completed] = lms.store(
        statement("ann", EXPERIENCED, COURSE), statement("ann", COMPLETED, COURSE)
    )
    drain(db_session)
    assert enrollments(db_session)[0].enrollment_status == EnrollmentStatus.COMPLETED
    lms.store(voiding(completed))
    drain(db_session)
    db_session.expire_all()
    assert enrollments(db_session)[0].enrollment_status == EnrollmentStatus.IN_PROGRESS


def test_voiding_every_statement_removes_the_enrollment(db_session, company):
    _, lms = lms_client(db_session, company)
    upsert_employees(
        db_session, company.id, [EmployeeRecord("E1", "Ann", "ann@example.com")], now()
    )
    [only] = lms.store(statement("ann", COMPLETED, COURSE))
    drain(db_session)
    lms.store(voiding(only))
    drain(db_session)
    assert enrollments(db_session) == []


def test_a_broken_rule_is_recorded_with_its_statement(db_session, company):
    _, lms = lms_client(db_session, company)
    upsert_employees(
        db_session, company.id, [EmployeeRecord("E1", "Ann", "ann@example.com")], now()
    )
    progress = {"extensions": {"https://w3id.org/xapi/cmi5/result/extensions/progress": 140}}
    [statement_id] = lms.store(statement("ann", EXPERIENCED, COURSE, result=progress))
    drain(db_session)
    finding = db_session.scalars(select(DataQualityFinding)).one()
    assert finding.rule == "progress_out_of_range"
    assert enrollments(db_session)[0].progress_percentage == 100
    assert str(finding.statement_id) == statement_id
    assert finding.enrollment_id == enrollments(db_session)[0].id


def test_integration_verb_table_overrides_the_default(db_session, company):
    _, lms = lms_client(
        db_session, company, transformation_rules={"verbs": {EXPERIENCED: "complete"}}
    )
    upsert_employees(
        db_session, company.id, [EmployeeRecord("E1", "Ann", "ann@example.com")], now()
    )
    lms.store(statement("ann", EXPERIENCED, COURSE))
    drain(db_session)
    assert enrollments(db_session)[0].enrollment_status == EnrollmentStatus.COMPLETED


def test_integration_course_pattern_decides_what_is_a_course(db_session, company):
    _, lms = lms_client(
        db_session,
        company,
        field_mappings={"course_id_pattern": r"http://example\.com/programs/[^/]+"},
    )
    upsert_employees(
        db_session, company.id, [EmployeeRecord("E1", "Ann", "ann@example.com")], now()
    )
    context = {
        "contextActivities": {"grouping": [{"id": "http://example.com/programs/onboarding"}]}
    }
    lms.store(statement("ann", COMPLETED, {"id": "http://example.com/modules/m1"}, context=context))
    drain(db_session)
    [enrollment] = enrollments(db_session)
    assert enrollment.course_activity_id == "http://example.com/programs/onboarding"


def test_unmatched_learners_are_listed_with_counts(db_session, company):
    from mapping.identity import unmatched_learners

    integration, lms = lms_client(db_session, company)
    lms.store(
        statement("zoe", COMPLETED, COURSE),
        statement("zoe", EXPERIENCED, COURSE),
        statement("yan", COMPLETED, COURSE),
    )
    drain(db_session)
    learners = unmatched_learners(db_session, company.id, integration.id)
    assert [(learner.agent["mbox"], learner.statements) for learner in learners] == [
        ("mailto:zoe@example.com", 2),
        ("mailto:yan@example.com", 1),
    ]
    assert all(learner.lms_integration_id == integration.id for learner in learners)


def test_integration_course_types_set_the_enrollment_course_type(db_session, company):
    _, lms = lms_client(
        db_session,
        company,
        transformation_rules={"course_types": {COURSE["definition"]["type"]: "blended"}},
    )
    upsert_employees(
        db_session, company.id, [EmployeeRecord("E1", "Ann", "ann@example.com")], now()
    )
    lms.store(statement("ann", COMPLETED, COURSE))
    drain(db_session)
    [enrollment] = enrollments(db_session)
    assert enrollment.course_type == CourseType.BLENDED


MOODLE = "https://moodle.example.com/course/view.php?id=101"


@pytest.mark.parametrize(
    ("definition", "field_mappings", "code"),
    [
        (
            {
                "extensions": {
                    "https://w3id.org/learning-analytics/learning-management-system/short-id": "SAFE-101"
                }
            },
            {},
            "SAFE-101",
        ),
        (
            {
                "extensions": {
                    "https://w3id.org/learning-analytics/learning-management-system/external-id": "HR-77"
                }
            },
            {},
            "HR-77",
        ),
        ({}, {"course_code_pattern": r"id=(\d+)$"}, "101"),
        ({}, {}, "101"),
    ],
    ids=["moodle short id", "moodle external id", "integration pattern", "id of the query"],
)
def test_course_codes_are_read_as_the_lms_knows_them(
    db_session, company, definition, field_mappings, code
):
    _, lms = lms_client(db_session, company, field_mappings=field_mappings)
    upsert_employees(
        db_session, company.id, [EmployeeRecord("E1", "Ann", "ann@example.com")], now()
    )
    course = {
        "id": MOODLE,
        "definition": {"type": "http://adlnet.gov/expapi/activities/course", **definition},
    }
    lms.store(statement("ann", COMPLETED, course))
    drain(db_session)
    [enrollment] = enrollments(db_session)
    assert enrollment.course_code == code


def test_the_course_name_comes_from_whichever_statement_names_it(db_session, company):
    _, lms = lms_client(db_session, company)
    upsert_employees(
        db_session, company.id, [EmployeeRecord("E1", "Ann", "ann@example.com")], now()
    )
    unnamed = {"id": MOODLE, "definition": {"type": "http://adlnet.gov/expapi/activities/course"}}
    named = {"id": MOODLE, "definition": {"name": {"en": "Workplace Safety"}}}
    lms.store(
        statement("ann", EXPERIENCED, unnamed, timestamp="2026-03-02T09:00:00Z"),
        statement("ann", COMPLETED, named, timestamp="2026-03-02T10:00:00Z"),
    )
    drain(db_session)
    [enrollment] = enrollments(db_session)
    assert (enrollment.course_name, enrollment.course_code) == ("Workplace Safety", "101")
    renamed = {"id": MOODLE, "definition": {"name": {"en": "Safety at Work"}}}
    lms.store(statement("ann", EXPERIENCED, renamed, timestamp="2026-04-01T10:00:00Z"))
    drain(db_session)
    db_session.expire_all()
    assert enrollments(db_session)[0].course_name == "Safety at Work"


def test_an_integrations_lesson_types_are_applied(db_session, company):
    module = "http://id.tincanapi.com/activitytype/lms/module"
    _, lms = lms_client(
        db_session, company, transformation_rules={"lesson_types": {module: "project"}}
    )
    upsert_employees(
        db_session, company.id, [EmployeeRecord("E1", "Ann", "ann@example.com")], now()
    )
    lesson = {
        "id": "https://moodle.example.com/mod/assign/view.php?id=3",
        "definition": {"type": module},
    }
    context = {"contextActivities": {"grouping": [COURSE]}}
    lms.store(statement("ann", COMPLETED, lesson, context=context))
    drain(db_session)
    [progress] = db_session.scalars(select(LMSLearningProgress)).all()
    assert progress.lesson_type == LessonType.PROJECT
