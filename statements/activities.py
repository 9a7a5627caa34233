"""Canonical activity definitions (xAPI Data 2.4.4.1, Communication 2.5).

Every activity a stored statement mentions is recorded. Its definition is merged from the
statements' definitions when the sending credential may define activities (scope `define`);
otherwise the id is recorded and the canonical definition is left alone, as Communication
4.2 recommends.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from statements.errors import NotFound
from statements.keys import index_key
from statements.models import ActivityDefinition

Json = Mapping[str, Any]
_LANGUAGE_MAPS = ("name", "description")


def activities_in(statement: Json) -> Iterator[Json]:
    """Every Activity object of a statement: object, context activities, SubStatement."""
    obj = statement["object"]
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        yield obj
    elif object_type == "SubStatement":
        yield from activities_in(obj)
    for activities in statement.get("context", {}).get("contextActivities", {}).values():
        yield from activities if isinstance(activities, list) else [activities]


def merge_definition(stored: Json, incoming: Json) -> dict[str, Any]:
    """A newer definition over an older one; language maps gain languages rather than lose
    them, and the other properties take the newer value."""
    merged = {**stored, **incoming}
    for key in _LANGUAGE_MAPS:
        if key in stored and key in incoming:
            merged[key] = {**stored[key], **incoming[key]}
    if "extensions" in stored and "extensions" in incoming:
        merged["extensions"] = {**stored["extensions"], **incoming["extensions"]}
    return merged


def record_activities(
    session: Session,
    company_id: uuid.UUID,
    statements: Iterable[Json],
    *,
    may_define: bool,
    now: datetime,
) -> None:
    """Record the activities of newly stored statements and update canonical definitions."""
    incoming: dict[str, tuple[str, dict[str, Any]]] = {}
    for statement in statements:
        for activity in activities_in(statement):
            key = index_key(activity["id"])
            _, definition = incoming.get(key, (activity["id"], {}))
            if may_define and "definition" in activity:
                definition = merge_definition(definition, activity["definition"])
            incoming[key] = (activity["id"], definition)
    if not incoming:
        return
    stored = _definitions(session, company_id, list(incoming), lock=False)
    # Sorted, so that two transactions adding the same new activities wait for each other
    # in the same order instead of deadlocking.
    new_rows = [
        {
            "company_id": company_id,
            "activity_key": key,
            "activity_id": incoming[key][0],
            "definition": orjson.dumps(incoming[key][1]).decode(),
            "updated": now,
        }
        for key in sorted(incoming.keys() - stored.keys())
    ]
    if new_rows:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        session.execute(insert(ActivityDefinition).on_conflict_do_nothing(), new_rows)
    if not may_define:
        return
    changed = [
        key
        for key, (_activity_id, definition) in incoming.items()
        if key in stored
        and definition
        and merge_definition(orjson.loads(stored[key]), definition) != orjson.loads(stored[key])
    ]
    if not changed:
        return  # the common case: nothing new, nothing locked
    for key, current_text in _definitions(session, company_id, changed, lock=True).items():
        current = orjson.loads(current_text)
        merged = merge_definition(current, incoming[key][1])
        if merged != current:
            session.execute(
                update(ActivityDefinition)
                .where(
                    ActivityDefinition.company_id == company_id,
                    ActivityDefinition.activity_key == key,
                )
                .values(definition=orjson.dumps(merged).decode(), updated=now)
            )


def _definitions(
    session: Session, company_id: uuid.UUID, keys: list[str], *, lock: bool
) -> dict[str, str]:
    """Stored definitions by key; locked in key order (so never in a deadlock) when asked."""
    query = select(ActivityDefinition.activity_key, ActivityDefinition.definition).where(
        ActivityDefinition.company_id == company_id, ActivityDefinition.activity_key.in_(keys)
    )
    if lock:
        query = query.order_by(ActivityDefinition.activity_key).with_for_update()
    return {key: definition for key, definition in session.execute(query)}


def get_activity(session: Session, company_id: uuid.UUID, activity_id: str) -> dict[str, Any]:
    """The canonical Activity object for an id the LRS has seen (Communication 2.5)."""
    definitions = canonical_definitions(session, company_id, [activity_id])
    if activity_id not in definitions:
        raise NotFound(f"no activity with id {activity_id!r} has been recorded")
    activity: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    if definitions[activity_id]:
        activity["definition"] = definitions[activity_id]
    return activity


def canonical_definitions(
    session: Session, company_id: uuid.UUID, activity_ids: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Canonical definitions of the recorded activities among `activity_ids`, by id."""
    keys = {index_key(activity_id): activity_id for activity_id in activity_ids}
    rows = session.execute(
        select(ActivityDefinition.activity_key, ActivityDefinition.definition).where(
            ActivityDefinition.company_id == company_id,
            ActivityDefinition.activity_key.in_(keys),
        )
    )
    return {keys[key]: orjson.loads(definition) for key, definition in rows}
