"""A realistic cmi5 course session as statements, for the mapping tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

ADL = "http://adlnet.gov/expapi/verbs/"
COURSE = "https://lms.example.com/courses/fire-safety"
AU = "https://content.example.com/fire-safety/au-1"
CMI5_CATEGORY = {"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def cmi5_session(
    learner: str = "ann@example.com",
    *,
    registration: str = "5d8f2f0e-6c8a-4a8e-9d3b-1f2e3c4d5e6f",
    session: str = "0e3c1f5a-8b7d-4c6e-9a2b-7d8e9f0a1b2c",
    start: datetime = START,
    scaled: float = 0.9,
) -> list[dict[str, Any]]:
    """launched, initialized, progressed, passed, completed, terminated, satisfied."""
    actor = {"objectType": "Agent", "name": "Ann", "mbox": f"mailto:{learner}"}
    au = {
        "objectType": "Activity",
        "id": AU,
        "definition": {"name": {"en-US": "Fire safety basics"}},
    }

    def context(**extensions: Any) -> dict[str, Any]:
        return {
            "registration": registration,
            "contextActivities": {
                "category": [CMI5_CATEGORY],
                "grouping": [{"id": "https://content.example.com/fire-safety/publisher"}],
            },
            "extensions": {
                "https://w3id.org/xapi/cmi5/context/extensions/sessionid": session,
                **extensions,
            },
        }

    def at(minutes: float) -> str:
        return (start + timedelta(minutes=minutes)).isoformat()

    def au_statement(verb: str, minutes: float, **extra: Any) -> dict[str, Any]:
        return {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{registration}/{session}/{verb}")),
            "actor": actor,
            "verb": {"id": ADL + verb, "display": {"en-US": verb}},
            "object": au,
            "timestamp": at(minutes),
            "context": extra.pop("context", context()),
            **extra,
        }

    return [
        au_statement(
            "launched", 0,
            context=context(**{"https://w3id.org/xapi/cmi5/context/extensions/masteryscore": 0.8}),
        ),
        au_statement("initialized", 0.1),
        au_statement(
            "progressed", 5,
            result={"extensions": {"https://w3id.org/xapi/cmi5/result/extensions/progress": 50}},
        ),
        au_statement(
            "passed", 20,
            result={"score": {"scaled": scaled}, "success": True, "duration": "PT20M"},
        ),
        au_statement("completed", 20.05, result={"completion": True, "duration": "PT20M3S"}),
        au_statement("terminated", 21, result={"duration": "PT21M"}),
        {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{registration}/{session}/satisfied")),
            "actor": actor,
            "verb": {"id": "https://w3id.org/xapi/adl/verbs/satisfied", "display": {"en-US": "satisfied"}},
            "object": {
                "objectType": "Activity",
                "id": COURSE,
                "definition": {
                    "name": {"en-US": "Fire Safety"},
                    "type": "https://w3id.org/xapi/cmi5/activitytype/course",
                },
            },
            "timestamp": at(21.1),
            "context": context(),
        },
    ]  # fmt: skip
