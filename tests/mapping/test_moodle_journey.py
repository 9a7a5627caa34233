"""A learner's Moodle journey, as Moodle's xAPI logstore plugin sends it, folds into the
records a Moodle administrator expects, step by step."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from hr_api.tokens import development_token
from mapping.choices import EnrollmentStatus, LessonType, LmsType, ProgressStatus
from mapping.identity import EmployeeRecord, LmsAccount, upsert_employees
from mapping.models import LMSCourseEnrollment, LMSLearningProgress
from mapping.rebuild import rebuild
from statements.timestamps import now
from tests.factories import CompanyFactory, IntegrationFactory
from tests.hr_api.users import HrUser, grant
from tests.mapping.feed import Feed, drain
from tests.mapping.fixtures.moodle.journey import (
    ASSIGN_ID,
    BOOK_ID,
    COURSE_ID,
    FACETOFACE_ID,
    FEEDBACK_ID,
    QUIZ_ID,
    SCORM_ID,
    SITE,
    assignment,
    journey,
    quiz_attempt,
    scorm_package,
    site_login,
    teacher_edits_the_course,
    whole_journey,
)
from tests.mapping.test_fold_property import snapshot
from tests.xapi_client import new_credential


def moodle_site(db_session, *learners: str, company=None):
    """A company with a Moodle integration and, for each of `learners`, an employee whose
    Moodle account is that user id (employee E<id>)."""
    company = company or CompanyFactory()
    moodle = IntegrationFactory(
        company_id=company.id, lms_type=LmsType.MOODLE, api_endpoint_url=SITE
    )
    employees = upsert_employees(
        db_session, company.id,
        [EmployeeRecord(f"E{user}", f"Learner {user}", accounts=[LmsAccount(moodle.id, user, SITE)])
         for user in learners], now(),
    )  # fmt: skip
    return company, moodle, employees


def test_each_step_of_a_moodle_journey_changes_the_record_as_moodle_means_it(db_session):
    company, moodle, _ = moodle_site(db_session, "1")
    lms = Feed(db_session, company, moodle.id)
    steps = journey()
    stored: list[dict] = []

    def after(count: int) -> tuple[LMSCourseEnrollment, list[LMSLearningProgress]]:
        for statement in steps[len(stored) : count]:
            lms.store(statement)
            stored.append(statement)
        drain(db_session)
        db_session.expire_all()
        [enrollment] = db_session.scalars(select(LMSCourseEnrollment)).all()
        lessons = db_session.scalars(select(LMSLearningProgress)).all()
        return enrollment, list(lessons)

    enrollment, [book] = after(3)  # enrolled, viewed the course, completed the book
    assert enrollment.course_activity_id == COURSE_ID  # the course, not the module
    assert (enrollment.course_code, enrollment.enrollment_status) == (
        "1",
        EnrollmentStatus.IN_PROGRESS,
    )
    assert (book.lesson_activity_id, book.lesson_name) == (BOOK_ID, "test_book_name")
    assert book.progress_status == ProgressStatus.COMPLETED

    enrollment, [book] = after(4)  # the book's completion taken back
    assert (book.progress_status, book.completion_date) == (ProgressStatus.IN_PROGRESS, None)
    assert enrollment.enrollment_status == EnrollmentStatus.IN_PROGRESS

    enrollment, _ = after(5)  # enrolment suspended
    assert enrollment.enrollment_status == EnrollmentStatus.ON_HOLD
    enrollment, _ = after(6)  # and resumed
    assert enrollment.enrollment_status == EnrollmentStatus.IN_PROGRESS

    enrollment, [book] = after(8)  # the book again, then the course completed
    assert book.progress_status == ProgressStatus.COMPLETED
    assert enrollment.enrollment_status == EnrollmentStatus.COMPLETED
    assert enrollment.completion_date == date(2026, 3, 5)

    enrollment, _ = after(9)  # unenrolled once finished: the completion stands
    assert (enrollment.enrollment_status, enrollment.completion_date) == (
        EnrollmentStatus.COMPLETED, date(2026, 3, 5),
    )  # fmt: skip


def test_a_learner_unenrolled_before_finishing_has_dropped(db_session):
    company, moodle, _ = moodle_site(db_session, "1")
    steps = journey()
    Feed(db_session, company, moodle.id).store(*steps[:3], steps[-1])  # the book, then left
    drain(db_session)
    [enrollment] = db_session.scalars(select(LMSCourseEnrollment)).all()
    assert (enrollment.enrollment_status, enrollment.completion_date) == (
        EnrollmentStatus.DROPPED, None,
    )  # fmt: skip


def test_a_teachers_edits_and_a_site_login_make_no_enrollment(db_session):
    """Learner records come from learner acts: a teacher editing the course is no learner of
    it, and a login shares Moodle's cron registration with course statements without
    belonging to any course."""
    company, moodle, _ = moodle_site(db_session, "1", "2")
    lms = Feed(db_session, company, moodle.id)
    cron_run = "0b1b8a5c-1c9e-4b9e-8f4a-3c2d1e0f9a8b"
    viewed = {**journey()[1], "context": {**journey()[1]["context"], "registration": cron_run}}
    lms.store(teacher_edits_the_course("2"), site_login("1", cron_run), viewed)
    drain(db_session)
    [enrollment] = db_session.scalars(select(LMSCourseEnrollment)).all()
    assert (enrollment.course_activity_id, enrollment.enrollment_status) == (
        COURSE_ID, EnrollmentStatus.IN_PROGRESS,
    )  # fmt: skip
    assert db_session.scalars(select(LMSLearningProgress)).all() == []


def test_a_quiz_and_its_questions_are_one_lesson_with_the_quizs_score(db_session):
    company, moodle, _ = moodle_site(db_session, "1")
    Feed(db_session, company, moodle.id).store(
        *journey()[:2], *quiz_attempt(number=1, raw=40), *quiz_attempt(number=2, raw=50)
    )
    drain(db_session)
    [enrollment] = db_session.scalars(select(LMSCourseEnrollment)).all()
    [quiz] = db_session.scalars(select(LMSLearningProgress)).all()
    assert (quiz.lesson_activity_id, quiz.lesson_name) == (QUIZ_ID, "test_quiz_name")
    assert (quiz.lesson_type, quiz.progress_status) == (LessonType.QUIZ, ProgressStatus.COMPLETED)
    assert (quiz.score_achieved, quiz.max_score) == (Decimal("50.00"), Decimal("100.00"))
    assert quiz.attempts_count == 2  # the attempts Moodle names
    assert enrollment.course_activity_id == COURSE_ID
    assert (enrollment.score_achieved, enrollment.max_score) == (None, None)  # no course grade


def test_an_assignment_graded_by_its_teacher_and_a_scorm_package(db_session):
    """The assignment and the package are one lesson each, typed by their module, scored out
    of their own maximum; the grading teacher is the enrollment's instructor and no learner;
    and with no course grade sent the course has no score."""
    company, moodle, [ann, _] = moodle_site(db_session, "1", "2")
    Feed(db_session, company, moodle.id).store(*journey()[:2], *assignment(), *scorm_package())
    drain(db_session)
    [enrollment] = db_session.scalars(select(LMSCourseEnrollment)).all()
    assert enrollment.employee_id == ann.id
    assert (enrollment.instructor_id, enrollment.instructor_name) == ("2", "test_teacher")
    assert enrollment.enrollment_status == EnrollmentStatus.IN_PROGRESS
    assert (enrollment.score_achieved, enrollment.max_score) == (None, None)
    lessons = {
        lesson.lesson_activity_id: lesson
        for lesson in db_session.scalars(select(LMSLearningProgress)).all()
    }
    assert sorted(lessons) == [ASSIGN_ID, SCORM_ID]
    task, package = lessons[ASSIGN_ID], lessons[SCORM_ID]
    assert (task.lesson_name, task.lesson_type, task.progress_status) == (
        "test_assign_name", LessonType.ASSIGNMENT, ProgressStatus.COMPLETED,
    )  # fmt: skip
    assert (task.score_achieved, task.max_score) == (Decimal("1.00"), Decimal("2.00"))
    assert (package.lesson_name, package.lesson_type, package.progress_status) == (
        "test_scorm_name", LessonType.SIMULATION, ProgressStatus.COMPLETED,
    )  # fmt: skip
    assert (package.score_achieved, package.max_score) == (Decimal("100.00"), Decimal("100.00"))
    assert package.attempts_count == 1  # launched once


def test_a_whole_moodle_course_pushed_through_xapi_reads_back_through_the_hr_api(
    app, db_session, settings
):
    """As a Moodle administrator sees it: the logstore pushes a course's 30 statements to
    /xapi/statements with the integration's credential, and the HR API shows each learner's
    record, one lesson per module, and none for the teacher; a rebuild writes the same."""
    company, user_id = CompanyFactory(), uuid.uuid4()
    grant(db_session, company, user_id, "all")
    admin = HrUser(app, development_token(settings, user_id, company.id), user_id, company)
    _, moodle, [ann, _, eve] = moodle_site(db_session, "1", "2", "3", company=company)
    lms = new_credential(
        app, scopes=["statements/write"], company=admin.company, integration_id=moodle.id
    )
    statements = whole_journey()
    assert len(statements) == 30
    for statement in statements:
        response = lms.post(statement)
        assert response.status_code == 200, response.json
    drain(db_session)

    records = {e["employee_id"]: e for e in admin.get("lms-enrollments/").json["items"]}
    assert sorted(records) == sorted([str(ann.id), str(eve.id)])  # the teacher learns nothing
    mine = records[str(ann.id)]
    assert (mine["course_activity_id"], mine["course_code"]) == (COURSE_ID, "1")
    assert (mine["enrollment_status"], mine["completion_date"]) == ("completed", "2026-03-05")
    assert (mine["instructor_name"], mine["score_achieved"], mine["max_score"]) == (
        "test_teacher", None, None,
    )  # fmt: skip
    lessons = {
        lesson["lesson_activity_id"]: (
            lesson["lesson_type"], lesson["progress_status"],
            lesson["score_achieved"], lesson["max_score"], lesson["attempts_count"],
        )
        for lesson in admin.get(f"lms-progress/{mine['id']}/").json["lessons"]
    }  # fmt: skip
    assert lessons == {
        BOOK_ID: ("reading", "completed", None, None, 0),
        QUIZ_ID: ("quiz", "completed", "70.00", "100.00", 2),
        ASSIGN_ID: ("assignment", "completed", "1.00", "2.00", 1),  # graded once
        SCORM_ID: ("simulation", "completed", "100.00", "100.00", 1),
        FACETOFACE_ID: ("discussion", "completed", None, None, 0),
        # Submitted, but Moodle's completion of the module decides when it is complete.
        FEEDBACK_ID: ("assessment", "in_progress", None, None, 0),
    }  # fmt: skip
    theirs = records[str(eve.id)]
    assert (theirs["enrollment_status"], theirs["score_achieved"]) == ("in_progress", None)
    [quiz] = admin.get(f"lms-progress/{theirs['id']}/").json["lessons"]
    assert (quiz["lesson_activity_id"], quiz["score_achieved"], quiz["attempts_count"]) == (
        QUIZ_ID, "90.00", 1,
    )  # fmt: skip

    folded = snapshot(db_session, company.id)
    rebuild(db_session, company.id)
    db_session.flush()
    db_session.expire_all()
    assert snapshot(db_session, company.id) == folded
