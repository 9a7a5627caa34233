"""What polls remember of each enrolment (mapping.providers.ledger), over a fake TalentLMS:
an unchanged enrolment is passed over, one the LMS no longer lists is left (dropped unless
it was finished), and one that comes back is registered again."""

from __future__ import annotations

from sqlalchemy import func, select

from mapping.choices import EnrollmentStatus, LmsType, SyncRunStatus
from mapping.models import LMSCourseEnrollment, PolledEnrolment
from statements.models import StatementRow
from tests.mapping.feed import drain
from tests.mapping.providers.fake_lms import FakeLms, serving
from tests.mapping.providers.fixtures import load
from tests.mapping.providers.sites import api_site, sync
from tests.mapping.providers.test_talentlms import talent_domain

KEY = {"api_key": "k3y"}
LEAVE = "http://activitystrea.ms/leave"


def roster(lms: FakeLms, *users: str) -> None:
    """The course's roster holding only `users` (and its instructor)."""
    course = load("talentlms", "course_14")
    course["users"] = [u for u in course["users"] if u["id"] in (*users, "1")]
    lms.answer("/api/v1/courses/id:14", course)


def statuses(db_session, *employees):
    drain(db_session)
    db_session.expire_all()
    found = {
        e.employee_id: e.enrollment_status for e in db_session.scalars(select(LMSCourseEnrollment))
    }
    return [found.get(e.id) for e in employees]


def test_an_enrolment_no_longer_listed_is_left_and_one_that_comes_back_registered_again(db_session):
    with serving() as lms:
        talent_domain(lms)
        _, talent, (jane, oz) = api_site(
            db_session, LmsType.TALENTLMS, lms.url,
            ("E10442", "Jane Doe", "57"), ("E10443", "Özlem Yılmaz", "58"),
        )  # fmt: skip
        first = sync(db_session, talent, KEY)
        assert statuses(db_session, jane, oz) == [
            EnrollmentStatus.COMPLETED,
            EnrollmentStatus.IN_PROGRESS,
        ]
        unchanged = sync(db_session, talent, KEY)
        roster(lms, "57")  # Özlem taken off the course
        removed = sync(db_session, talent, KEY)
        after_removal = statuses(db_session, jane, oz)
        again = sync(db_session, talent, KEY)  # nothing new: the leaves are not made twice
        roster(lms, "58")  # Özlem back, Jane taken off
        back = sync(db_session, talent, KEY)
        after_return = statuses(db_session, jane, oz)
    assert {r.status for r in (first, unchanged, removed, again, back)} == {SyncRunStatus.SUCCEEDED}
    assert (unchanged.statements_stored, unchanged.duplicates_skipped) == (
        0,
        first.statements_stored,
    )
    # Özlem, who had not finished, dropped out.
    assert removed.statements_stored == 1
    assert after_removal == [EnrollmentStatus.COMPLETED, EnrollmentStatus.DROPPED]
    assert again.statements_stored == 0
    # Özlem is registered again, where she left off; what Jane finished stands as she leaves.
    assert back.statements_stored == 2
    assert after_return == [EnrollmentStatus.COMPLETED, EnrollmentStatus.IN_PROGRESS]
    verbs = db_session.scalars(
        select(StatementRow.verb_key).where(StatementRow.integration_id == talent.id)
    ).all()
    assert sum(1 for v in verbs if LEAVE in v) == 2
    left = db_session.scalars(select(PolledEnrolment).where(PolledEnrolment.lms_integration_id == talent.id)).all()  # fmt: skip
    assert sorted(row.left_statement_id is None for row in left) == [False, True]  # Jane's only


def test_a_poll_that_finds_no_enrolment_at_all_records_no_one_as_left(db_session):
    with serving() as lms:
        talent_domain(lms)
        _, talent, (jane,) = api_site(
            db_session, LmsType.TALENTLMS, lms.url, ("E10442", "Jane Doe", "57")
        )
        sync(db_session, talent, KEY)
        lms.answer("/api/v1/courses", [])  # the key no longer sees the courses
        empty = sync(db_session, talent, KEY)
    assert (empty.status, empty.statements_stored, empty.records_read) == (
        SyncRunStatus.SUCCEEDED,
        0,
        0,
    )
    assert statuses(db_session, jane) == [EnrollmentStatus.COMPLETED]
    waiting = db_session.scalar(
        select(func.count())
        .select_from(PolledEnrolment)
        .where(PolledEnrolment.left_statement_id.is_not(None))
    )
    assert waiting == 0
