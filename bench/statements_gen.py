"""The seeded xAPI vocabulary and statement generator that seed.py and load.py share.

Both scripts build the same vocabulary from the same seed, so the query benchmark asks for
agents, verbs, activities and registrations that are really stored. Seeded statement number
`k` is a pure function of (seed, k): load.py regenerates a sample of them to pick its query
values without reading the database.

The data imitates an LMS feeding an LRS: about 10,000 learners (identified by mbox or by an
SSO account), the ADL and cmi5 verbs, 40 courses of 5 modules of 9 activities (about 2,000
activities, all with definitions), enrolments with registrations, context activities that
place each activity in its module and course, and results with scores, durations and
extensions. Nothing here imports the LRS: the load generator must not depend on the code it
measures.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any

Json = dict[str, Any]

LEARNER_COUNT = 10_000
COURSE_COUNT = 40
MODULES_PER_COURSE = 5
# Per module: 6 lessons, 2 questions, 1 assessment.
LESSONS_PER_MODULE = 6
QUESTIONS_PER_MODULE = 2
ENROLMENTS_PER_LEARNER = 3
INSTRUCTOR_COUNT = 50

LMS = "https://lms.example-corp.com"
SSO_HOME_PAGE = "https://sso.example-corp.com"
MAIL_DOMAIN = "example-corp.com"
PLATFORM = "Example LMS 4.3"

ADL = "http://adlnet.gov/expapi/verbs/"
ADL_CMI5 = "https://w3id.org/xapi/adl/verbs/"
ACTIVITY_TYPE = "http://adlnet.gov/expapi/activities/"
CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
CMI5_MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon"
CMI5_SESSION = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
CMI5_PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"
CMI5_REASON = "https://w3id.org/xapi/cmi5/result/extensions/reason"
MEDIA_POSITION = "https://w3id.org/xapi/video/extensions/time"

# (verb IRI, relative frequency): a course is mostly experienced and answered, rarely waived.
VERB_WEIGHTS: tuple[tuple[str, float], ...] = (
    (ADL + "experienced", 18),
    (ADL + "answered", 14),
    (ADL + "progressed", 12),
    (ADL + "launched", 6),
    (ADL + "initialized", 6),
    (ADL + "terminated", 6),
    (ADL + "completed", 6),
    (ADL + "attempted", 6),
    (ADL + "interacted", 5),
    (ADL + "passed", 4),
    (ADL + "failed", 2),
    (ADL + "scored", 2),
    (ADL + "attended", 2),
    (ADL + "suspended", 2),
    (ADL + "resumed", 2),
    (ADL + "registered", 1),
    (ADL + "commented", 1),
    (ADL + "mastered", 0.5),
    (ADL_CMI5 + "abandoned", 1),
    (ADL_CMI5 + "satisfied", 1),
    (ADL_CMI5 + "waived", 0.5),
)
VERBS = tuple(verb for verb, _ in VERB_WEIGHTS)
_VERB_CUMULATIVE = tuple(accumulate(weight for _, weight in VERB_WEIGHTS))

# Verbs that cmi5 defines; their statements carry the cmi5 category (cmi5 section 9.6.2.1).
_CMI5_VERBS = frozenset(
    ADL + name
    for name in ("launched", "initialized", "terminated", "completed", "passed", "failed")
) | frozenset(ADL_CMI5 + name for name in ("abandoned", "satisfied", "waived"))
_COURSE_VERBS = frozenset({ADL + "registered", ADL_CMI5 + "satisfied"})
_ASSESSMENT_VERBS = frozenset({ADL + "passed", ADL + "failed", ADL + "scored", ADL + "mastered"})

_FIRST_NAMES = (
    "Ada", "Amir", "Anna", "Ben", "Carla", "Chen", "Dara", "David", "Elena", "Emeka", "Fatima",
    "Felix", "Grace", "Hana", "Ivan", "Jana", "Jonas", "Kai", "Lars", "Leila", "Lucas", "Maya",
    "Mei", "Nadia", "Noah", "Olga", "Omar", "Pablo", "Priya", "Quinn", "Rosa", "Sam", "Sara",
    "Tariq", "Uma", "Victor", "Wen", "Yara", "Yusuf", "Zoe",
)  # fmt: skip
_LAST_NAMES = (
    "Alvarez", "Becker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ito",
    "Jensen", "Kim", "Larsen", "Mendes", "Nakamura", "Okafor", "Petrov", "Quist", "Rossi",
    "Schmidt", "Tanaka", "Usman", "Varga", "Weber", "Xu", "Yilmaz", "Zhang", "Novak", "Silva",
    "Moreau", "Kowalski",
)  # fmt: skip
_SUBJECTS = (
    "Workplace Safety", "Data Protection", "Leadership", "Customer Service", "Project Management",
    "Information Security", "Anti-Bribery", "Diversity and Inclusion", "First Aid", "Excel",
    "Negotiation", "Time Management", "Forklift Operation", "Food Hygiene", "Sales Techniques",
    "Agile Delivery", "Code of Conduct", "Fire Safety", "Export Control", "Coaching",
)  # fmt: skip
_LEVELS = ("Fundamentals", "Essentials", "in Practice", "Advanced")
_CHOICES = ("a", "b", "c", "d")


@dataclass(frozen=True, slots=True)
class Activity:
    """An activity with its place in the course tree (ids of its module and course)."""

    id: str
    definition: Json
    kind: str  # course, module, lesson, question or assessment
    course: str
    module: str | None


@dataclass(frozen=True, slots=True)
class Enrolment:
    """A learner in a course; its registration ties all of their statements in it together."""

    learner: int
    course: int
    registration: str


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Everything a statement is made of, built once from a seed."""

    seed: int
    learners: tuple[Json, ...]
    instructors: tuple[Json, ...]
    courses: tuple[Activity, ...]
    # Per course: its modules; per module: its lessons, questions and assessment.
    modules: tuple[tuple[Activity, ...], ...]
    leaves: tuple[tuple[tuple[Activity, ...], ...], ...]
    enrolments: tuple[Enrolment, ...]

    @property
    def activity_count(self) -> int:
        return (
            len(self.courses)
            + sum(len(m) for m in self.modules)
            + sum(len(leaf) for course in self.leaves for leaf in course)
        )


def build_vocabulary(seed: int) -> Vocabulary:
    """The vocabulary for `seed`; the same seed gives the same vocabulary in every process."""
    rng = random.Random(f"vocabulary:{seed}")
    learners = tuple(_person(rng, n, "learner") for n in range(LEARNER_COUNT))
    instructors = tuple(_person(rng, n, "instructor") for n in range(INSTRUCTOR_COUNT))
    subjects = rng.sample([(s, lvl) for s in _SUBJECTS for lvl in _LEVELS], COURSE_COUNT)
    courses: list[Activity] = []
    modules: list[tuple[Activity, ...]] = []
    leaves: list[tuple[tuple[Activity, ...], ...]] = []
    for c, (subject, level) in enumerate(subjects):
        course_id = f"{LMS}/xapi/activities/course/{c:03d}"
        title = f"{subject} {level}" if level == "in Practice" else f"{subject}: {level}"
        courses.append(
            Activity(
                course_id,
                _definition("course", title, f"The {title} course.", course_id, rng),
                "course",
                course_id,
                None,
            )
        )
        course_modules: list[Activity] = []
        course_leaves: list[tuple[Activity, ...]] = []
        for m in range(MODULES_PER_COURSE):
            module_id = f"{course_id}/module/{m + 1}"
            module_title = f"{title}, module {m + 1}"
            course_modules.append(
                Activity(
                    module_id,
                    _definition("module", module_title, None, module_id, rng),
                    "module",
                    course_id,
                    None,
                )
            )
            module_leaves = [
                Activity(
                    f"{module_id}/lesson/{n + 1}",
                    _definition("lesson", f"{module_title}, lesson {n + 1}", None, None, rng),
                    "lesson",
                    course_id,
                    module_id,
                )
                for n in range(LESSONS_PER_MODULE)
            ]
            module_leaves += [
                Activity(
                    f"{module_id}/question/{n + 1}",
                    _question(f"{module_title}, question {n + 1}", rng),
                    "question",
                    course_id,
                    module_id,
                )
                for n in range(QUESTIONS_PER_MODULE)
            ]
            module_leaves.append(
                Activity(
                    f"{module_id}/assessment",
                    _definition("assessment", f"{module_title}, assessment", None, None, rng),
                    "assessment",
                    course_id,
                    module_id,
                )
            )
            course_leaves.append(tuple(module_leaves))
        modules.append(tuple(course_modules))
        leaves.append(tuple(course_leaves))
    # Some courses are far more popular than others (mandatory training versus electives).
    course_weights = [1 / (rank + 1) ** 0.7 for rank in range(COURSE_COUNT)]
    enrolments = []
    for learner in range(LEARNER_COUNT):
        picked: set[int] = set()
        while len(picked) < ENROLMENTS_PER_LEARNER:
            picked.add(rng.choices(range(COURSE_COUNT), course_weights)[0])
        enrolments += [Enrolment(learner, c, _uuid(rng)) for c in sorted(picked)]
    return Vocabulary(
        seed=seed,
        learners=learners,
        instructors=instructors,
        courses=tuple(courses),
        modules=tuple(modules),
        leaves=tuple(leaves),
        enrolments=tuple(enrolments),
    )


def _person(rng: random.Random, n: int, role: str) -> Json:
    first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
    agent: Json = {"objectType": "Agent", "name": f"{first} {last}"}
    # Most LMSs send e-mail addresses; SSO-backed ones send accounts.
    if rng.random() < 0.7:
        agent["mbox"] = f"mailto:{first.lower()}.{last.lower()}.{role[0]}{n}@{MAIL_DOMAIN}"
    else:
        agent["account"] = {"homePage": SSO_HOME_PAGE, "name": f"{role[:3]}{n:06d}"}
    return agent


def _definition(
    kind: str, name: str, description: str | None, more_info: str | None, rng: random.Random
) -> Json:
    definition: Json = {"name": {"en-US": name}, "type": ACTIVITY_TYPE + kind}
    if description:
        definition["description"] = {"en-US": description}
    if more_info:
        definition["moreInfo"] = more_info.replace("/xapi/activities/", "/catalog/")
    if kind == "lesson" and rng.random() < 0.3:
        definition["extensions"] = {f"{LMS}/xapi/extensions/estimated-minutes": rng.randint(5, 45)}
    return definition


def _question(name: str, rng: random.Random) -> Json:
    correct = rng.choice(_CHOICES)
    return {
        "name": {"en-US": name},
        "description": {"en-US": f"{name}: pick the best answer."},
        "type": ACTIVITY_TYPE + "cmi.interaction",
        "interactionType": "choice",
        "correctResponsesPattern": [correct],
        "choices": [{"id": c, "description": {"en-US": f"Answer {c}"}} for c in _CHOICES],
    }


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def format_timestamp(value: datetime) -> str:
    """UTC with milliseconds and a Z, as LMSs commonly send it."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def make_statement(
    vocab: Vocabulary, rng: random.Random, *, timestamp: datetime, statement_id: str
) -> Json:
    """One realistic statement drawn with `rng`; only `statement_id` and `timestamp` vary."""
    enrolment = rng.choice(vocab.enrolments)
    actor = vocab.learners[enrolment.learner]
    verb = rng.choices(VERBS, cum_weights=_VERB_CUMULATIVE)[0]
    course = vocab.courses[enrolment.course]
    module_index = rng.randrange(MODULES_PER_COURSE)
    module = vocab.modules[enrolment.course][module_index]
    module_leaves = vocab.leaves[enrolment.course][module_index]
    if verb in _COURSE_VERBS:
        target = course
    elif verb in _ASSESSMENT_VERBS:
        target = module_leaves[-1]
    elif verb == ADL + "answered":
        target = rng.choice(module_leaves[LESSONS_PER_MODULE:-1])
    else:
        target = rng.choice(module_leaves[:LESSONS_PER_MODULE])

    context_activities: Json = {}
    if target.module is not None:
        context_activities["parent"] = [{"id": module.id}]
        context_activities["grouping"] = [
            {"id": course.id, "definition": {"type": ACTIVITY_TYPE + "course"}}
        ]
    if verb in _CMI5_VERBS:
        category = [{"id": CMI5_CATEGORY}]
        if verb in (ADL + "passed", ADL + "failed", ADL + "completed"):
            category.append({"id": CMI5_MOVEON})
        context_activities["category"] = category
    context: Json = {
        "registration": enrolment.registration,
        "platform": PLATFORM,
        "language": "en-US",
        "extensions": {CMI5_SESSION: _uuid(rng)},
    }
    if context_activities:
        context["contextActivities"] = context_activities
    if verb == ADL + "attended":
        context["instructor"] = rng.choice(vocab.instructors)

    statement: Json = {
        "id": statement_id,
        "actor": actor,
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[1]}},
        "object": {"objectType": "Activity", "id": target.id, "definition": target.definition},
        "context": context,
        "timestamp": format_timestamp(timestamp),
    }
    result = _result(verb, target, rng)
    if result:
        statement["result"] = result
    return statement


def _result(verb: str, target: Activity, rng: random.Random) -> Json | None:
    duration = f"PT{rng.randint(0, 59)}M{rng.randint(0, 59)}.{rng.randint(0, 99):02d}S"
    name = verb.rsplit("/", 1)[1]
    if name in ("passed", "failed", "scored", "mastered"):
        raw = rng.randint(80, 100) if name in ("passed", "mastered") else rng.randint(20, 79)
        if name == "scored":
            raw = rng.randint(0, 100)
        return {
            "score": {"scaled": raw / 100, "raw": raw, "min": 0, "max": 100},
            "success": name != "failed",
            "completion": True,
            "duration": duration,
        }
    if name == "answered":
        correct = target.definition["correctResponsesPattern"][0]
        response = correct if rng.random() < 0.7 else rng.choice(_CHOICES)
        return {"response": response, "success": response == correct, "duration": duration}
    if name == "completed":
        return {"completion": True, "duration": duration, "extensions": {CMI5_PROGRESS: 100}}
    if name == "progressed":
        return {
            "extensions": {CMI5_PROGRESS: rng.randint(1, 99), MEDIA_POSITION: rng.random() * 600}
        }
    if name == "abandoned":
        return {"duration": duration, "extensions": {CMI5_REASON: "browser closed"}}
    if name in ("experienced", "terminated", "suspended", "attended"):
        return {"duration": duration}
    if name == "commented":
        return {"response": rng.choice(("Very useful.", "Too long.", "Clear examples, thanks!"))}
    return None


def seeded_statement(vocab: Vocabulary, index: int, stored: datetime) -> Json:
    """Statement number `index` of the seeded data set; its timestamp is shortly before `stored`.

    Each statement has its own random stream, so any one can be rebuilt without the others.
    """
    rng = _statement_rng(vocab.seed, index)
    statement_id = _uuid(rng)
    timestamp = stored - timedelta(seconds=rng.uniform(0.05, 30))
    return make_statement(vocab, rng, timestamp=timestamp, statement_id=statement_id)


def seeded_statement_id(seed: int, index: int) -> str:
    """The id of seeded statement number `index`, without building the statement."""
    return _uuid(_statement_rng(seed, index))


def _statement_rng(seed: int, index: int) -> random.Random:
    # The statement's id is the first value drawn from it.
    return random.Random(f"statement:{seed}:{index}")


@dataclass(frozen=True, slots=True)
class QueryValues:
    """Filter values that occur in the seeded data, for the query benchmark."""

    agents: tuple[Json, ...]
    verbs: tuple[str, ...]
    activities: tuple[str, ...]
    registrations: tuple[str, ...]


def query_values(vocab: Vocabulary, seeded: int, sample: int = 500) -> QueryValues:
    """Values taken from a sample of the first `seeded` seeded statements, so every one exists."""
    rng = random.Random(f"queries:{vocab.seed}")
    indices = rng.sample(range(seeded), min(sample, seeded))
    now = datetime.now(UTC)
    statements = [seeded_statement(vocab, index, now) for index in indices]
    return QueryValues(
        agents=tuple(_identifier_only(s["actor"]) for s in statements),
        verbs=tuple(sorted({s["verb"]["id"] for s in statements})),
        activities=tuple(s["object"]["id"] for s in statements),
        registrations=tuple(s["context"]["registration"] for s in statements),
    )


def _identifier_only(agent: Json) -> Json:
    # The agent filter matches on the inverse functional identifier alone (Communication 2.1.3).
    return {key: value for key, value in agent.items() if key in ("objectType", "mbox", "account")}
