"""Turn a validated statement into what the LRS stores (xAPI Data 2.4 LRS-set properties)
and read out the values every query filter uses."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from statements.keys import agent_key, index_key
from statements.rules import VOIDED_VERB
from statements.timestamps import format_timestamp, parse_timestamp

Json = Mapping[str, Any]
CONTEXT_ACTIVITY_KINDS = ("parent", "grouping", "category", "other")


@dataclass(slots=True)
class PreparedStatement:
    """A statement ready to store: its returned JSON and its index values."""

    id: uuid.UUID
    stored: datetime
    data: dict[str, Any]
    verb_key: str
    activity_key: str | None
    ref_id: uuid.UUID | None
    registration: uuid.UUID | None
    authority_key: str
    # Agent key -> True when the agent is the actor or object (or one of their members).
    agents: dict[str, bool] = field(default_factory=dict)
    activities: set[str] = field(default_factory=set)

    @property
    def is_voiding(self) -> bool:
        """True for a statement that voids its StatementRef target (Data 2.3.2)."""
        return self.ref_id is not None and self.data["verb"]["id"] == VOIDED_VERB


def prepare(
    statement: Json, *, stored: datetime, authority: Json, authority_key: str
) -> PreparedStatement:
    """Set the LRS-owned properties and extract index values; `statement` is not changed."""
    data = dict(statement)
    statement_id = uuid.UUID(data["id"]) if "id" in data else uuid.uuid4()
    stored_text = format_timestamp(stored)
    data["id"] = str(statement_id)
    data["stored"] = stored_text  # Data 2.4.8: always the LRS's own value.
    # Data 2.4.7: the LRS fills a missing timestamp with `stored`; it returns UTC (Data 4.5).
    data["timestamp"] = (
        format_timestamp(parse_timestamp(data["timestamp"])) if "timestamp" in data else stored_text
    )
    data["authority"] = dict(authority)  # Data 2.4.9: set from the credential.
    data.setdefault("version", "1.0.0")  # Data 2.4.10
    if "context" in data:
        data["context"] = _context_with_arrays(data["context"])
    obj = data["object"]
    if obj.get("objectType") == "SubStatement":
        data["object"] = obj = dict(obj)
        if "context" in obj:
            obj["context"] = _context_with_arrays(obj["context"])
        if "timestamp" in obj:
            obj["timestamp"] = format_timestamp(parse_timestamp(obj["timestamp"]))

    object_type = obj.get("objectType", "Activity")
    context = data.get("context", {})
    registration = context.get("registration")
    prepared = PreparedStatement(
        id=statement_id,
        stored=stored,
        data=data,
        verb_key=index_key(data["verb"]["id"]),
        activity_key=index_key(obj["id"]) if object_type == "Activity" else None,
        ref_id=uuid.UUID(obj["id"]) if object_type == "StatementRef" else None,
        registration=uuid.UUID(registration) if registration else None,
        authority_key=authority_key,
    )
    _collect(prepared, data, top_level=True)
    return prepared


def _context_with_arrays(context: Json) -> dict[str, Any]:
    # Data 2.4.6.2: the LRS returns every contextActivities value as an array.
    activities = context.get("contextActivities")
    if not activities:
        return dict(context)
    return {
        **context,
        "contextActivities": {
            kind: value if isinstance(value, list) else [value]
            for kind, value in activities.items()
        },
    }


def _collect(prepared: PreparedStatement, stmt: Json, *, top_level: bool) -> None:
    """Record the agents and activities of a statement (or of its SubStatement)."""
    obj = stmt["object"]
    object_type = obj.get("objectType", "Activity")
    for key in _agent_keys(stmt["actor"]):
        _add_agent(prepared, key, direct=top_level)
    if object_type in ("Agent", "Group"):
        for key in _agent_keys(obj):
            _add_agent(prepared, key, direct=top_level)
    elif object_type == "Activity":
        prepared.activities.add(index_key(obj["id"]))
    elif object_type == "SubStatement":
        _collect(prepared, obj, top_level=False)
    context = stmt.get("context", {})
    for role in ("instructor", "team"):
        if role in context:
            for key in _agent_keys(context[role]):
                _add_agent(prepared, key, direct=False)
    for activities in context.get("contextActivities", {}).values():
        for activity in activities if isinstance(activities, list) else [activities]:
            prepared.activities.add(index_key(activity["id"]))


def _agent_keys(actor: Json) -> Iterator[str]:
    """The keys of an agent or group and of every member it lists."""
    key = agent_key(actor)
    if key is not None:
        yield key
    for member in actor.get("member", ()):
        member_key = agent_key(member)
        if member_key is not None:
            yield member_key


def _add_agent(prepared: PreparedStatement, key: str, *, direct: bool) -> None:
    prepared.agents[key] = prepared.agents.get(key, False) or direct
