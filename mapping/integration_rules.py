"""An integration's own rules for reading its statements, from its `field_mappings` and
`transformation_rules`: verb overrides, which activities are courses, the course type, credits
and the passing score. Read once per batch and integration."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qs, urlsplit

from mapping.choices import CourseType, LessonType
from mapping.facts import FoldSettings
from mapping.models import LMSIntegrationConfig
from mapping.vocabulary import (
    COURSE_TYPES,
    LMS_EXTERNAL_ID,
    LMS_SHORT_ID,
    VERB_EFFECTS,
    Effect,
    activity_type,
)

Json = Mapping[str, Any]
CENTS = Decimal("0.01")
# The transformation rules that map to one of a set of choices.
_CHOICES: dict[str, type[StrEnum]] = {
    "verbs": Effect,
    "course_types": CourseType,
    "lesson_types": LessonType,
}
# Verbs whose statement's result may say the activity was finished, and how.
_OPEN_TO_RESULT = frozenset({Effect.START, Effect.EXPERIENCE, Effect.COMPLETE})


@dataclass(frozen=True, slots=True)
class IntegrationRules:
    """How to read one integration's statements."""

    verbs: Mapping[str, Effect]
    # The verbs the integration's rules say the effect of: the result does not refine them.
    overridden: frozenset[str]
    course_pattern: re.Pattern[str] | None
    course_types: frozenset[str]
    # A pattern whose first group is the course code in a course activity's IRI.
    code_pattern: re.Pattern[str] | None
    # Activity type to the specification's course type.
    course_type_names: Mapping[str, str]
    # The figures the fold takes from the integration rather than the statements.
    fold_settings: FoldSettings

    @classmethod
    def of(cls, integration: LMSIntegrationConfig | None) -> IntegrationRules:
        """The rules of an integration; the defaults when there is none."""
        if integration is None:
            return cls.of_settings({}, {})
        return cls.of_settings(integration.field_mappings, integration.transformation_rules)

    @classmethod
    def of_settings(cls, fields: Json, rules: Json) -> IntegrationRules:
        """The rules an integration's field_mappings and transformation_rules make."""
        verbs = dict(VERB_EFFECTS)
        for verb, effect in (rules.get("verbs") or {}).items():
            verbs[verb] = Effect(effect)
        pattern = fields.get("course_id_pattern")
        code_pattern = fields.get("course_code_pattern")
        passing = rules.get("passing_score")
        return cls(
            verbs=verbs,
            overridden=frozenset(rules.get("verbs") or ()),
            course_pattern=re.compile(pattern) if pattern else None,
            course_types=COURSE_TYPES | frozenset(fields.get("course_activity_types", ())),
            code_pattern=re.compile(code_pattern) if code_pattern else None,
            course_type_names=rules.get("course_types", {}),
            fold_settings=FoldSettings(
                credits=Decimal(str(rules.get("credits", "0"))).quantize(CENTS),
                passing_score=Decimal(str(passing)).quantize(CENTS)
                if passing is not None
                else None,
                lesson_types={
                    activity: LessonType(kind)
                    for activity, kind in (rules.get("lesson_types") or {}).items()
                },
            ),
        )

    @classmethod
    def problems(cls, field_mappings: Json, transformation_rules: Json) -> dict[str, str]:
        """What is wrong with rules an HR admin wants to set, by setting; empty when they can
        be applied. Checked when they are set, so that folding never meets them broken."""
        found: dict[str, str] = {}
        for name in ("course_id_pattern", "course_code_pattern"):
            pattern = field_mappings.get(name)
            if pattern is None:
                continue
            problem = _pattern_problem(pattern)
            if problem:
                found[f"field_mappings.{name}"] = problem
        for name, choices in _CHOICES.items():
            for key, value in (transformation_rules.get(name) or {}).items():
                if value not in choices.__members__.values():
                    known = ", ".join(choice.value for choice in choices)
                    found[f"transformation_rules.{name}.{key}"] = f"must be one of {known}"
        for name in ("credits", "passing_score"):
            value = transformation_rules.get(name)
            if value is not None and not _is_number(value):
                found[f"transformation_rules.{name}"] = "must be a number"
        if not found:
            try:
                cls.of_settings(field_mappings, transformation_rules)
            except (ValueError, TypeError, AttributeError) as exc:
                found["transformation_rules"] = f"cannot be applied: {exc}"
        return found

    def effect(self, verb_id: str, result: Json | None = None) -> Effect | None:
        """What a statement does to an enrollment here: its verb's effect, made exact by its
        result where the verb leaves the outcome open (an H5P question answered, a quiz
        completed: the result says whether the activity is finished, and whether
        successfully); for a verb the vocabulary does not know, what its result says
        happened; None for statements that do nothing. A session's end stays one (cmi5
        counts only its own verbs for an outcome), and so does a verb whose effect the
        integration's rules set."""
        effect = self.verbs.get(verb_id)
        result = result or {}
        success, completion = result.get("success"), result.get("completion")
        if effect is None:
            if success is True:
                return Effect.PASS
            if success is False:
                return Effect.FAIL
            return Effect.COMPLETE if completion is True else None
        if verb_id in self.overridden or effect not in _OPEN_TO_RESULT:
            return effect
        if effect is Effect.EXPERIENCE and completion is False:
            return Effect.START  # seen, and the tool says not finished
        if not (completion is True or effect is Effect.COMPLETE):
            return effect
        if success is True:
            return Effect.PASS
        if success is False:
            return Effect.FAIL
        return Effect.COMPLETE

    def is_course(self, activity: Json) -> bool:
        """Whether an activity is a course: by its type, or by the integration's id pattern."""
        if activity_type(activity) in self.course_types:
            return True
        return bool(self.course_pattern and self.course_pattern.fullmatch(activity["id"]))

    def course_code(self, course: Json) -> str:
        """The code HR knows a course by: the short id or external id its definition gives
        (as Moodle sends them), else the integration's `course_code_pattern`, else the
        course's own id from its IRI (`id=101` of a query, or the last path segment)."""
        extensions = (course.get("definition") or {}).get("extensions") or {}
        for key in (LMS_SHORT_ID, LMS_EXTERNAL_ID):
            if isinstance(extensions.get(key), str | int) and str(extensions[key]).strip():
                return str(extensions[key]).strip()[:50]
        iri = str(course["id"])
        if self.code_pattern and (found := self.code_pattern.search(iri)) and found.groups():
            return (found.group(1) or iri)[:50]
        parts = urlsplit(iri)
        query = parse_qs(parts.query)
        if query.get("id"):
            return query["id"][0][:50]
        return (parts.path.rstrip("/").rsplit("/", 1)[-1] or iri)[:50]

    def course_type(self, course: Json) -> CourseType:
        """The specification's course type of a course activity."""
        name = self.course_type_names.get(activity_type(course) or "", CourseType.ELEARNING)
        return CourseType(name)


# A quantified group with a quantifier inside, such as (a+)+ or (a|a)*: the shape whose
# backtracking grows exponentially with the input.
_NESTED_QUANTIFIER = re.compile(r"\([^()]*[+*}][^()]*\)[+*{]")
MAX_PATTERN = 300


def _pattern_problem(pattern: Any) -> str | None:
    if not isinstance(pattern, str):
        return "must be a regular expression (a string)"
    if len(pattern) > MAX_PATTERN:
        return f"may be at most {MAX_PATTERN} characters"
    if _NESTED_QUANTIFIER.search(pattern):
        return "nests a repetition inside a repeated group, which can take forever to match"
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"is not a regular expression: {exc}"
    return None


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    try:
        Decimal(str(value)).quantize(CENTS)
    except (ArithmeticError, ValueError):
        return False
    return True
