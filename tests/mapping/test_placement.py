"""Where a statement belongs, by what it says itself (mapping.placement is pure)."""

from __future__ import annotations

import uuid
from typing import Any

from mapping.integration_rules import IntegrationRules
from mapping.placement import Placements, place

RULES = IntegrationRules.of(None)
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
QUESTION_TYPE = "http://adlnet.gov/expapi/activities/cmi.interaction"


def statement(obj_id: str, obj_type: str | None = None, **activities: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {"id": obj_id}
    if obj_type:
        obj["definition"] = {"type": obj_type}
    return {"object": obj, "context": {"contextActivities": activities}}


def where(found) -> tuple[str, str | None, bool]:
    return found.course["id"], found.lesson["id"] if found.lesson else None, found.part


def test_a_question_is_part_of_the_quiz_it_names_in_a_typed_course():
    course = {"id": "https://lms/c", "definition": {"type": COURSE_TYPE}}
    found = place(statement("https://lms/q/1", QUESTION_TYPE, parent=[{"id": "https://lms/quiz"}], grouping=[course]), RULES)  # fmt: skip
    assert where(found) == ("https://lms/c", "https://lms/quiz", True)


def test_a_question_with_nothing_around_it_but_the_course_is_part_of_the_course():
    course = {"id": "https://lms/c", "definition": {"type": COURSE_TYPE}}
    found = place(statement("https://lms/q/1", QUESTION_TYPE, grouping=[course]), RULES)
    assert where(found) == ("https://lms/c", None, True)


def test_an_untyped_course_is_the_context_activity_whose_id_the_objects_extends():
    """iSpring gives its course by id alone, as grouping, and a quiz's parent is the quiz."""
    course = "ispring://presentations/P"
    quiz = f"{course}/quizzes/q"
    on_quiz = statement(quiz, parent=[{"id": quiz}], grouping=[{"id": course}])
    assert where(place(on_quiz, RULES)) == (course, quiz, False)
    question = statement(f"{quiz}/questions/Slide4_Q_x", QUESTION_TYPE, parent=[{"id": quiz}], grouping=[{"id": course}])  # fmt: skip
    assert where(place(question, RULES)) == (course, quiz, True)
    # Captivate's questions extend the course's id, not their quiz's, given as grouping.
    captivate = statement("http://C1-urn:scormdriver:7", QUESTION_TYPE, parent=[{"id": "http://C1"}], grouping=[{"id": "http://C1-urn:scormdriver:Quiz_1"}])  # fmt: skip
    assert where(place(captivate, RULES)) == ("http://C1", "http://C1-urn:scormdriver:Quiz_1", True)


def test_h5p_sub_content_belongs_to_its_content_and_its_chapter():
    book = "https://wp/wp-admin/admin-ajax.php?action=h5p_embed&id=12"
    chapter = f"{book}?subContentId=c1"
    column = [{"id": "http://h5p.org/libraries/H5P.Column-1.18"}]
    choice = [{"id": "http://h5p.org/libraries/H5P.MultiChoice-1.16"}]
    assert where(place(statement(chapter, parent=[{"id": book}], category=column), RULES)) == (
        book, chapter, False,
    )  # fmt: skip
    in_chapter = statement(f"{book}?subContentId=q1", parent=[{"id": chapter}], category=choice)
    assert where(place(in_chapter, RULES)) == (book, chapter, True)
    in_book = statement(f"{book}?subContentId=q2", parent=[{"id": book}], category=choice)
    assert where(place(in_book, RULES)) == (book, None, True)
    assert where(place(statement(book, category=choice), RULES)) == (book, None, False)


def test_rise_names_the_course_in_its_lessons_and_questions_ids():
    course = "http://abcDEF_rise"
    assert where(place(statement(f"{course}/L1"), RULES)) == (course, f"{course}/L1", False)
    question = statement(f"{course}/QZ/item_1796165410315", QUESTION_TYPE)
    assert where(place(question, RULES)) == (course, f"{course}/QZ", True)


def test_a_site_root_is_no_course_where_a_narrower_container_is():
    site, course = "https://lms.example.com", "https://lms.example.com/courses/c1"
    lesson = statement(f"{course}/lessons/l1", parent=[{"id": course}], grouping=[{"id": site}])
    assert where(place(lesson, RULES))[0] == course
    # Course 1 is no prefix of course 12.
    other = statement("https://x.com/course/12/lesson", grouping=[{"id": "https://x.com/course/1"}])
    assert where(place(other, RULES))[0] == "https://x.com/course/12/lesson"


def test_statements_an_au_sends_beyond_cmi5s_own_belong_to_the_registrations_course():
    """An iSpring quiz inside a cmi5 AU sends its own statements with the registration and
    the session id, not cmi5's category (AICC's sample 19-cmi5-allowed-test-questions)."""
    registration = "5c5f5a0e-6f63-4f9d-9a53-2f0c1a3b4c5d"
    session = {"https://w3id.org/xapi/cmi5/context/extensions/sessionid": "s1"}
    cmi5 = [{"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}]
    course = {"id": "https://lms/course/7", "definition": {"type": "https://w3id.org/xapi/cmi5/activitytype/course"}}  # fmt: skip
    au = "https://lms/course/7/au/1"
    quiz = f"{au}/quizzes/q"
    launched = {"object": {"id": au}, "context": {"registration": registration, "extensions": session, "contextActivities": {"grouping": [course], "category": cmi5}}}  # fmt: skip
    answered = {"object": {"id": f"{quiz}/questions/Slide2_Q_a", "definition": {"type": QUESTION_TYPE}},
                "context": {"registration": registration, "extensions": session,
                            "contextActivities": {"parent": [{"id": quiz}], "grouping": [{"id": au}]}}}  # fmt: skip
    passed = {"object": {"id": quiz}, "context": {"registration": registration, "extensions": session, "contextActivities": {"parent": [{"id": quiz}], "grouping": [{"id": au}]}}}  # fmt: skip
    ids = [uuid.uuid4() for _ in range(3)]
    placed = Placements().of_learner(zip(ids, [launched, answered, passed], strict=True), RULES)
    assert where(placed[ids[1]]) == ("https://lms/course/7", quiz, True)
    assert where(placed[ids[2]]) == ("https://lms/course/7", quiz, False)
