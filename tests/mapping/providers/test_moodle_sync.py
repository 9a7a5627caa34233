"""A poll of a Moodle site over real HTTP (a fake Moodle on 127.0.0.1 answering from fixtures
shaped as Moodle's own), stored as statements through the one ingest path and folded into
the records: what an HR administrator sees of the site's learners afterwards."""

from __future__ import annotations

import copy
from decimal import Decimal

from sqlalchemy import func, select

from mapping.choices import (
    ConnectionStatus,
    EnrollmentStatus,
    LessonType,
    LmsType,
    ProgressStatus,
    SyncRunStatus,
)
from mapping.models import LMSCourseEnrollment, LMSLearningProgress, UnmatchedStatement
from mapping.rebuild import rebuild
from statements.models import StatementRow
from tests.mapping.feed import drain
from tests.mapping.providers.fake_lms import FakeLms, Fault, serving
from tests.mapping.providers.fixtures import load
from tests.mapping.providers.sites import api_site, sync
from tests.mapping.test_fold_property import snapshot

NO_CRITERIA = {"exception": "moodle_exception", "errorcode": "nocriteriaset", "message": "No completion criteria set for this course"}  # fmt: skip


def moodle_site(lms: FakeLms, grades: dict | None = None) -> None:
    """The fixtures' site: course 12 with Jane, Ünal and a teacher; course 15 with Jane."""
    grades = grades or {}

    def of_pair(name, missing):
        def answer(form):
            key = f"{form['courseid'][0]}_{form['userid'][0]}"
            if name == "grades" and key in grades:
                return grades[key]
            try:
                return load("moodle", f"{name}_{key}")
            except FileNotFoundError:
                return missing

        return answer

    lms.answer("core_webservice_get_site_info", load("moodle", "site_info"))
    lms.answer("core_course_get_courses_by_field", load("moodle", "courses"))
    lms.answer("core_course_get_contents", lambda form: load("moodle", "contents_12") if form["courseid"] == ["12"] else [])  # fmt: skip
    jane = [{**load("moodle", "enrolled_12")[0], "lastcourseaccess": 0}]  # never opened course 15
    lms.answer("core_enrol_get_enrolled_users", lambda form: load("moodle", "enrolled_12") if form["courseid"] == ["12"] else jane)  # fmt: skip
    lms.answer("core_completion_get_course_completion_status", of_pair("completion", NO_CRITERIA))
    lms.answer("core_completion_get_activities_completion_status", of_pair("activities", {"statuses": [], "warnings": []}))  # fmt: skip
    lms.answer("gradereport_user_get_grade_items", of_pair("grades", {"usergrades": [], "warnings": []}))  # fmt: skip


def site_and_learners(db_session, url):
    company, moodle, (jane, unal) = api_site(
        db_session, LmsType.MOODLE, url,
        ("E10442", "Jane Doe", "57"), ("E10443", "Ünal Çelik", "58"),
    )  # fmt: skip
    return company, moodle, jane, unal


def poll_once(db_session, moodle):
    run = sync(db_session, moodle, {"token": "s3cr3t"})
    drain(db_session)
    db_session.expire_all()
    return run


def test_a_poll_becomes_the_learners_records(db_session):
    with serving() as lms:
        moodle_site(lms)
        company, moodle, jane, unal = site_and_learners(db_session, lms.url)
        run = poll_once(db_session, moodle)
    assert (run.status, run.error) == (SyncRunStatus.SUCCEEDED, "")
    assert run.statements_stored > 0 and run.duplicates_skipped == 0
    assert run.pages_read == len(lms.requests)
    site = lms.url
    records = {
        (e.employee_id, e.course_activity_id): e
        for e in db_session.scalars(select(LMSCourseEnrollment))
    }
    # The teacher is no learner; two learners of course 12, Jane of course 15 too.
    assert sorted((e.employee_id == jane.id, e.course_code) for e in records.values()) == [
        (False, "ISA24"), (True, "GDPR101"), (True, "ISA24"),
    ]  # fmt: skip
    isa = records[(jane.id, f"{site}/course/view.php?id=12")]
    assert (isa.course_name, isa.enrollment_status) == ("Information Security Awareness 2024", EnrollmentStatus.COMPLETED)  # fmt: skip
    assert isa.completion_date.isoformat() == "2024-06-03"  # the latest criterion's time
    assert (isa.score_achieved, isa.max_score) == (
        Decimal("85.00"),
        Decimal("100.00"),
    )  # the course total
    lessons = {p.lesson_activity_id: p for p in db_session.scalars(select(LMSLearningProgress).where(LMSLearningProgress.enrollment_id == isa.id))}  # fmt: skip
    assert {k: (p.lesson_name, p.lesson_type, p.progress_status, p.score_achieved, p.max_score) for k, p in lessons.items()} == {
        f"{site}/mod/scorm/view.php?id=101": ("Intro module", LessonType.SIMULATION, ProgressStatus.COMPLETED, None, None),
        f"{site}/mod/quiz/view.php?id=102": ("Phishing quiz", LessonType.QUIZ, ProgressStatus.COMPLETED, Decimal("8.50"), Decimal("10.00")),
    }  # fmt: skip
    theirs = records[(unal.id, f"{site}/course/view.php?id=12")]
    # Ünal failed the quiz and has no course grade yet: none is made up.
    assert (theirs.enrollment_status, theirs.score_achieved) == (EnrollmentStatus.IN_PROGRESS, None)
    quiz = db_session.scalars(select(LMSLearningProgress).where(
        LMSLearningProgress.enrollment_id == theirs.id, LMSLearningProgress.lesson_activity_id.endswith("id=102"))).one()  # fmt: skip
    assert (quiz.progress_status, quiz.score_achieved) == (ProgressStatus.FAILED, Decimal("3.00"))
    gdpr = records[(jane.id, f"{site}/course/view.php?id=15")]
    assert gdpr.enrollment_status == EnrollmentStatus.NOT_STARTED  # enrolled; no completion tracked
    assert moodle.connection_status == ConnectionStatus.CONNECTED and moodle.last_successful_sync_at
    assert db_session.scalars(select(UnmatchedStatement)).all() == []


def test_polling_again_stores_nothing_and_a_changed_grade_one_statement(db_session):
    with serving() as lms:
        moodle_site(lms)
        company, moodle, jane, _ = site_and_learners(db_session, lms.url)
        first = poll_once(db_session, moodle)
        folded = snapshot(db_session, company.id)
        again = poll_once(db_session, moodle)
        assert (again.statements_stored, again.duplicates_skipped) == (0, first.statements_stored)
        assert snapshot(db_session, company.id) == folded
        regraded = copy.deepcopy(load("moodle", "grades_12_57"))
        regraded["usergrades"][0]["gradeitems"][1].update(graderaw=92, gradedategraded=1717500000)
        moodle_site(lms, grades={"12_57": regraded})
        third = poll_once(db_session, moodle)
    assert third.statements_stored == 1
    isa = db_session.scalars(select(LMSCourseEnrollment).where(
        LMSCourseEnrollment.employee_id == jane.id, LMSCourseEnrollment.course_code == "ISA24")).one()  # fmt: skip
    assert isa.score_achieved == Decimal("92.00")
    count = db_session.scalar(select(func.count()).select_from(StatementRow).where(StatementRow.company_id == company.id))  # fmt: skip
    assert count == first.statements_stored + 1
    folded = snapshot(db_session, company.id)
    rebuild(db_session, company.id)
    db_session.flush()
    db_session.expire_all()
    assert snapshot(db_session, company.id) == folded


def test_a_refused_token_fails_the_run_and_puts_the_integration_in_error(db_session):
    with serving() as lms:
        lms.answer("core_webservice_get_site_info", {"exception": "moodle_exception", "errorcode": "invalidtoken", "message": "Invalid token - token not found"})  # fmt: skip
        company, moodle, _, _ = site_and_learners(db_session, lms.url)
        run = poll_once(db_session, moodle)
    assert run.status == SyncRunStatus.FAILED
    assert run.error.startswith("Moodle refused the token (invalidtoken")
    assert (moodle.connection_status, moodle.error_count) == (ConnectionStatus.ERROR, 1)
    assert db_session.scalar(select(func.count()).select_from(StatementRow).where(StatementRow.company_id == company.id)) == 0  # fmt: skip


def test_a_server_error_along_the_way_is_retried(db_session, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    with serving() as lms:
        moodle_site(lms)
        lms.faults = [Fault(502), Fault(503, {"Retry-After": "1"})]
        _, moodle, _, _ = site_and_learners(db_session, lms.url)
        run = poll_once(db_session, moodle)
    assert run.status == SyncRunStatus.SUCCEEDED and run.statements_stored > 0


def test_an_answer_the_client_does_not_expect_fails_the_run_not_the_process(db_session, caplog):
    with serving() as lms:
        moodle_site(lms)
        lms.answer(
            "core_enrol_get_enrolled_users",
            [{"fullname": "Jane Doe", "email": "jane.doe@acme.example"}],
        )  # no id
        company, moodle, _, _ = site_and_learners(db_session, lms.url)
        run = poll_once(db_session, moodle)
    assert (run.status, run.error) == (SyncRunStatus.FAILED, "the poll failed: KeyError")
    assert moodle.connection_status == ConnectionStatus.ERROR
    assert "jane.doe@acme.example" not in caplog.text and "KeyError" in caplog.text


def test_every_request_of_a_poll_waits_for_the_integrations_allowance(db_session, monkeypatch):
    from mapping.providers import sync

    asked: list[tuple[object, int]] = []

    def pacer(session, integration_id, per_hour):
        return lambda: asked.append((integration_id, per_hour))

    monkeypatch.setattr(sync, "pacer", pacer)
    with serving() as lms:
        moodle_site(lms)
        _, moodle, _, _ = site_and_learners(db_session, lms.url)
        moodle.rate_limit_per_hour = 500
        run = poll_once(db_session, moodle)
    assert len(asked) == run.pages_read == len(lms.requests)
    assert set(asked) == {(moodle.id, 500)}
