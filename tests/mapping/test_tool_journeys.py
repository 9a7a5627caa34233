"""Each content tool's journey, as the tool really sends it, pushed through /xapi/statements
and read back through the HR API: the records an administrator of that LMS expects (one
lesson per activity the learner takes, questions folded into their quiz, scores out of the
tool's maximum, no course score the tool did not send), and a rebuild writes the same."""

from __future__ import annotations

from mapping.choices import LmsType
from statements.timestamps import now
from tests.mapping.fixtures.tools import captivate, h5p, ispring, rise, scorm, storyline
from tests.mapping.tools import push, rebuilt_alike


def test_a_storyline_course(app, db_session, settings):
    statements = storyline.journey()
    site = push(
        app, db_session, settings, LmsType.XAPI_COMPATIBLE, statements,
        home_page=storyline.LMS, learners=("ann", "bob"),
    )  # fmt: skip
    records = site.records()
    ann = records[f"ann {storyline.COURSE_ID}"]
    # Failed on the first day, passed on the second: the pass stands, with its score (the
    # course's own result: Storyline sends it scaled).
    assert (ann["enrollment_status"], ann["course_name"]) == ("completed", "Fire Safety")
    assert (ann["completion_date"], ann["progress_percentage"]) == ("2026-04-07", "100.00")
    assert (ann["score_achieved"], ann["max_score"]) == ("100.00", "100.00")
    assert ann["total_access_count"] == 2
    slides = {f"{storyline.COURSE_ID}/{slide}" for slide in storyline.SLIDES}
    lessons = site.lessons(ann)
    # Each slide seen is done; the quiz is one lesson (its questions are parts of it), with
    # its best score out of its points.
    assert lessons == {
        **{slide: ("reading", "completed", None, None, 0) for slide in slides},
        storyline.QUIZ_ID: ("assessment", "completed", "20.00", "20.00", 2),
    }
    bob = records[f"bob {storyline.COURSE_ID}"]
    assert (bob["enrollment_status"], bob["score_achieved"], bob["max_score"]) == (
        "in_progress", None, None,
    )  # fmt: skip
    assert site.lessons(bob) == {
        f"{storyline.COURSE_ID}/{slide}": ("reading", "completed", None, None, 0)
        for slide in ("6SAaKCYyorr", "5um1CntGbHe")
    }
    assert len(records) == 2
    assert rebuilt_alike(db_session, site)


def test_a_rise_course(app, db_session, settings):
    statements = rise.journey()
    site = push(
        app, db_session, settings, LmsType.XAPI_COMPATIBLE, statements,
        learners=("ann@example.com", "bob@example.com"),
    )  # fmt: skip
    records = site.records()
    assert len(records) == 2  # Rise names no course in a lesson's statement: its id does
    ann = records[f"ann@example.com {rise.COURSE_ID}"]
    assert (ann["enrollment_status"], ann["completion_date"]) == ("completed", "2026-04-08")
    assert (ann["score_achieved"], ann["max_score"]) == ("100.00", "100.00")  # the best quiz
    assert (ann["progress_percentage"], ann["total_access_count"]) == ("100.00", 2)
    # Rise reports the time so far at every statement, across launches: counted once.
    assert ann["time_spent_minutes"] == 1745 // 60
    lessons = {f"{rise.COURSE_ID}/{lesson}" for lesson in rise.LESSONS}
    # Each finished lesson is done; the quiz's questions (each answer a new activity id)
    # are no lessons, and Rise says nothing of the quiz lesson itself.
    assert site.lessons(ann) == {
        lesson: ("reading", "completed", None, None, 0) for lesson in lessons
    }
    bob = records[f"bob@example.com {rise.COURSE_ID}"]
    assert (bob["enrollment_status"], bob["score_achieved"], bob["max_score"]) == (
        "failed", "0.00", "100.00",
    )  # fmt: skip
    assert bob["progress_percentage"] == "40.00"
    assert sorted(site.lessons(bob)) == sorted(
        f"{rise.COURSE_ID}/{lesson}" for lesson in rise.LESSONS[:2]
    )
    assert rebuilt_alike(db_session, site)


def test_a_captivate_course(app, db_session, settings):
    statements = captivate.journey()
    site = push(
        app, db_session, settings, LmsType.XAPI_COMPATIBLE, statements,
        learners=("ann@example.com", "bob@example.com", "cid@example.com"),
    )  # fmt: skip
    records = site.records()
    assert len(records) == 3  # the quiz Captivate names as grouping is no course
    ann = records[f"ann@example.com {captivate.COURSE_ID}"]
    assert (ann["enrollment_status"], ann["completion_date"]) == ("completed", "2026-04-07")
    assert (ann["course_name"], ann["score_achieved"], ann["max_score"]) == (
        "Introduction to Chemistry", "13.00", "18.00",
    )  # fmt: skip
    assert (ann["total_access_count"], ann["time_spent_minutes"]) == (2, 12)  # a running total
    slides = {f"{captivate.COURSE_ID}/{label}" for label in captivate.SLIDES}
    # Slides seen are done; the questions are parts of the course (Captivate says nothing
    # of its quiz but as their grouping), so the quiz is no lesson.
    assert site.lessons(ann) == {slide: ("reading", "completed", None, None, 0) for slide in slides}
    bob = records[f"bob@example.com {captivate.COURSE_ID}"]
    # Captivate sends the points so far with the status it sends again on leaving.
    assert (bob["enrollment_status"], bob["score_achieved"], bob["max_score"]) == (
        "in_progress", "0.00", "18.00",
    )  # fmt: skip
    assert len(site.lessons(bob)) == 3
    cid = records[f"cid@example.com {captivate.COURSE_ID}"]
    assert (cid["enrollment_status"], cid["score_achieved"]) == ("in_progress", "7.00")
    assert list(site.lessons(cid)) == [f"{captivate.COURSE_ID}/Welcome"]
    assert rebuilt_alike(db_session, site)


def test_an_ispring_course(app, db_session, settings):
    statements = ispring.journey()
    site = push(
        app, db_session, settings, LmsType.XAPI_COMPATIBLE, statements,
        learners=("ann@example.com", "bob@example.com", "cid@example.com"),
    )  # fmt: skip
    records = site.records()
    assert len(records) == 3
    ann = records[f"ann@example.com {ispring.COURSE_ID}"]
    # Closed half done (suspended, 30 of 100), then passed with 90 of 100 on the next day.
    assert (ann["enrollment_status"], ann["completion_date"]) == ("completed", "2026-04-07")
    assert (ann["score_achieved"], ann["max_score"]) == ("90.00", "100.00")
    assert ann["total_access_count"] == 2  # launches; the quiz attempted in them is no visit
    lessons = site.lessons(ann)
    slides = {
        f"{ispring.COURSE_ID}/slides/{n}": ("reading", "completed", None, None, 0) for n in range(7)
    }
    assert lessons == {**slides, ispring.QUIZ_ID: ("quiz", "completed", "30.00", "30.00", 2)}
    bob = records[f"bob@example.com {ispring.COURSE_ID}"]
    assert (bob["enrollment_status"], bob["score_achieved"]) == ("in_progress", None)
    assert len(site.lessons(bob)) == 4
    cid = records[f"cid@example.com {ispring.COURSE_ID}"]
    assert (cid["enrollment_status"], cid["score_achieved"], cid["max_score"]) == (
        "failed", "50.00", "100.00",
    )  # fmt: skip
    assert site.lessons(cid) == {ispring.QUIZ_ID: ("quiz", "failed", "10.00", "30.00", 1)}
    assert rebuilt_alike(db_session, site)


def test_h5p_content(app, db_session, settings):
    statements = h5p.journey()
    assert not any("id" in s or "timestamp" in s for s in statements)  # the LRS sets both
    site = push(
        app, db_session, settings, LmsType.XAPI_COMPATIBLE, statements,
        learners=("ann@example.com", "bob@example.com"),
    )  # fmt: skip
    today = now().date().isoformat()
    records = site.records()
    # Each piece of content is a course; its sub-content belongs to it by its id.
    assert sorted(records) == sorted(
        f"{who} {content}"
        for who, content in [("ann@example.com", h5p.BOOK_ID), ("ann@example.com", h5p.QUESTION_ID),
                             ("ann@example.com", h5p.QUIZ_ID), ("bob@example.com", h5p.BOOK_ID),
                             ("bob@example.com", h5p.QUESTION_ID)]
    )  # fmt: skip
    book = records[f"ann@example.com {h5p.BOOK_ID}"]
    assert (book["course_name"], book["enrollment_status"], book["completion_date"]) == (
        "Fire safety", "completed", today,
    )  # fmt: skip
    assert (book["score_achieved"], book["max_score"], book["total_access_count"]) == (
        "4.00", "7.00", 1,
    )  # fmt: skip
    # The book's chapters are its lessons, scored out of their own points; the questions in
    # them are parts of them.
    first, second = (f"{h5p.BOOK_ID}?subContentId={chapter}" for chapter in h5p.CHAPTERS)
    assert site.lessons(book) == {
        first: ("reading", "completed", "1.00", "1.00", 1),
        second: ("reading", "completed", "3.00", "6.00", 1),
    }
    theirs = records[f"bob@example.com {h5p.BOOK_ID}"]
    # A question answered wrongly fails no one: it is part of the chapter; no report was
    # submitted, so the book has no score.
    assert (theirs["enrollment_status"], theirs["score_achieved"]) == ("in_progress", None)
    assert site.lessons(theirs) == {first: ("reading", "completed", "0.00", "1.00", 1)}
    # Content that is one question is finished when it is answered, passed or failed.
    question = records[f"ann@example.com {h5p.QUESTION_ID}"]
    assert (question["enrollment_status"], question["score_achieved"]) == ("completed", "1.00")
    question = records[f"bob@example.com {h5p.QUESTION_ID}"]
    assert (question["enrollment_status"], question["score_achieved"]) == ("failed", "0.00")
    quiz = records[f"ann@example.com {h5p.QUIZ_ID}"]
    assert (quiz["enrollment_status"], quiz["score_achieved"], quiz["max_score"]) == (
        "failed", "1.00", "2.00",
    )  # fmt: skip
    assert site.lessons(quiz) == {}  # a question set's questions are parts of it
    assert rebuilt_alike(db_session, site)


def test_scorm_packages_through_the_scorm_to_xapi_wrapper(app, db_session, settings):
    statements = scorm.wrapper_journey()
    site = push(
        app, db_session, settings, LmsType.SCORM_COMPLIANT, statements,
        home_page=scorm.LMS, learners=("500-627-490", "500-627-491"),
    )  # fmt: skip
    records = site.records()
    assert len(records) == 2  # one course: the SCOs are its lessons
    ann = records[f"500-627-490 {scorm.COURSE_ID}"]
    # The wrapper reports SCOs only: the LMS, not the package, says when the course is
    # done, and no course score is made up from the SCOs'.
    assert (ann["course_name"], ann["enrollment_status"]) == ("Roses", "in_progress")
    assert (ann["score_achieved"], ann["max_score"], ann["total_access_count"]) == (None, None, 4)
    intro, planting, assessment = (scorm.sco_id(sco) for sco in scorm.SCOS)
    # Attempts are the wrapper's attempt ids: resuming a SCO goes on with its attempt.
    assert site.lessons(ann) == {
        intro: ("reading", "completed", None, None, 1),
        planting: ("reading", "completed", None, None, 1),
        assessment: ("reading", "completed", "100.00", "100.00", 2),
    }
    bob = records[f"500-627-491 {scorm.COURSE_ID}"]
    assert site.lessons(bob) == {
        intro: ("reading", "in_progress", None, None, 1),
        assessment: ("reading", "in_progress", None, None, 1),  # responses score nothing
    }
    assert rebuilt_alike(db_session, site)


def test_a_scorm_package_through_scorm_engine(app, db_session, settings):
    statements = scorm.engine_journey()
    learners = ("ttcapi", "jdoe", "asmith", "bwong", "clee", "dkim", "egarcia", "fli", "gnovak")
    site = push(
        app, db_session, settings, LmsType.SCORM_COMPLIANT, statements,
        home_page=scorm.ENGINE, learners=learners,
    )  # fmt: skip
    records = site.records()
    summary = {
        who: (
            records[f"{who} {scorm.GOLF_ID}"]["enrollment_status"],
            records[f"{who} {scorm.GOLF_ID}"]["score_achieved"],
            records[f"{who} {scorm.GOLF_ID}"]["time_spent_minutes"],
        )
        for who in learners
    }
    # Each summary says where the learner stands; Engine's time is the registration's so
    # far, and a new registration is a new attempt at the same package.
    assert summary == {
        "ttcapi": ("completed", "90.00", 10),
        "jdoe": ("failed", "40.00", 7),
        "asmith": ("in_progress", "13.00", 0),
        "bwong": ("completed", None, 15),
        "clee": ("completed", "85.00", (300 + 500) // 60),
        "dkim": ("failed", "30.00", 3),
        "egarcia": ("in_progress", "50.00", 5),
        "fli": ("completed", "100.00", 4),
        "gnovak": ("completed", None, 11),
    }
    golf = records[f"clee {scorm.GOLF_ID}"]
    assert (golf["course_name"], golf["max_score"], golf["total_access_count"]) == (
        "Golf Explained - Run-time Basic Calls", "100.00", 2,
    )  # fmt: skip  # two registrations, however many summaries
    assert rebuilt_alike(db_session, site)
