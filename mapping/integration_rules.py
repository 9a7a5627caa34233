"""An integration's own rules for reading its statements, from its `field_mappings` and
`transformation_rules`: verb overrides, which activities are courses, the course type, credits
and the passing score. Read once per batch and integration."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mapping.choices import CourseType
from mapping.facts import FoldSettings
from mapping.models import LMSIntegrationConfig
from mapping.vocabulary import COURSE_TYPES, VERB_EFFECTS, Effect, activity_type

Json = Mapping[str, Any]
CENTS = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class IntegrationRules:
    """How to read one integration's statements."""

    verbs: Mapping[str, Effect]
    course_pattern: re.Pattern[str] | None
    course_types: frozenset[str]
    # Activity type to the specification's course type.
    course_type_names: Mapping[str, str]
    # Figures the statements do not carry.
    credits: Decimal
    passing_score: Decimal | None

    @classmethod
    def of(cls, integration: LMSIntegrationConfig | None) -> IntegrationRules:
        """The rules of an integration; the defaults when there is none."""
        fields: Json = integration.field_mappings if integration else {}
        rules: Json = integration.transformation_rules if integration else {}
        verbs = dict(VERB_EFFECTS)
        for verb, effect in (rules.get("verbs") or {}).items():
            verbs[verb] = Effect(effect)
        pattern = fields.get("course_id_pattern")
        passing = rules.get("passing_score")
        return cls(
            verbs=verbs,
            course_pattern=re.compile(pattern) if pattern else None,
            course_types=COURSE_TYPES | frozenset(fields.get("course_activity_types", ())),
            course_type_names=rules.get("course_types", {}),
            credits=Decimal(str(rules.get("credits", "0"))).quantize(CENTS),
            passing_score=Decimal(str(passing)).quantize(CENTS) if passing is not None else None,
        )

    @property
    def fold_settings(self) -> FoldSettings:
        """The figures the fold takes from the integration rather than the statements."""
        return FoldSettings(credits=self.credits, passing_score=self.passing_score)

    def effect(self, verb_id: str) -> Effect | None:
        """What a verb does to an enrollment here; None for verbs that do nothing."""
        return self.verbs.get(verb_id)

    def is_course(self, activity: Json) -> bool:
        """Whether an activity is a course: by its type, or by the integration's id pattern."""
        if activity_type(activity) in self.course_types:
            return True
        return bool(self.course_pattern and self.course_pattern.fullmatch(activity["id"]))

    def course_type(self, course: Json) -> CourseType:
        """The specification's course type of a course activity."""
        name = self.course_type_names.get(activity_type(course) or "", CourseType.ELEARNING)
        return CourseType(name)
