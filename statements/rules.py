"""The rules of xAPI Data section 2 that a JSON Schema cannot state.

`statement_errors` runs on a statement that already passed the schema, so every value has the
right type here; it only relates values to each other.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import ciso8601

from statements.errors import FieldError

IFI_PROPERTIES = ("mbox", "mbox_sha1sum", "openid", "account")
VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"

# xAPI Data 2.4.4.1 "Interaction Components": the lists each interactionType supports.
_COMPONENT_LISTS_BY_TYPE: dict[str, frozenset[str]] = {
    "choice": frozenset({"choices"}),
    "sequencing": frozenset({"choices"}),
    "likert": frozenset({"scale"}),
    "matching": frozenset({"source", "target"}),
    "performance": frozenset({"steps"}),
}
_COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")

Json = Mapping[str, Any]
_UNKNOWN_OFFSET = re.compile(r"-00(?::?00)?\Z")


def statement_errors(statement: Json, path: str = "") -> list[FieldError]:
    """Every rule violation in a schema-valid statement, each with the path of its field."""
    return list(_statement(statement, path, sub_statement=False))


def actor_errors(actor: Json, path: str) -> list[FieldError]:
    """Rule violations of a schema-valid Agent or Group (used for `agent` parameters too)."""
    return list(_actor(actor, path))


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _statement(stmt: Json, path: str, *, sub_statement: bool) -> Iterator[FieldError]:
    yield from _actor(stmt["actor"], _join(path, "actor"))
    obj = stmt["object"]
    obj_path = _join(path, "object")
    object_type = obj.get("objectType", "Activity")
    if object_type in ("Agent", "Group"):
        yield from _actor(obj, obj_path)
    elif object_type == "Activity":
        if "definition" in obj:
            yield from _definition(obj["definition"], _join(obj_path, "definition"))
    elif object_type == "SubStatement" and not sub_statement:
        yield from _statement(obj, obj_path, sub_statement=True)
    if stmt["verb"]["id"] == VOIDED_VERB and object_type != "StatementRef":
        # xAPI Data 2.3.2: a voiding statement names its target with a StatementRef.
        yield FieldError(
            obj_path, "a statement with the verb 'voided' must have a StatementRef object"
        )
    if "result" in stmt:
        yield from _result(stmt["result"], _join(path, "result"))
    if "context" in stmt:
        yield from _context(stmt["context"], _join(path, "context"), object_type)
    if "timestamp" in stmt:
        yield from _timestamp(stmt["timestamp"], _join(path, "timestamp"))
    if "stored" in stmt:
        yield from _timestamp(stmt["stored"], _join(path, "stored"))
    if "authority" in stmt:
        yield from _authority(stmt["authority"], _join(path, "authority"))


def _actor(actor: Json, path: str) -> Iterator[FieldError]:
    ifis = [key for key in IFI_PROPERTIES if key in actor]
    if actor.get("objectType") == "Group":
        if len(ifis) > 1:
            yield FieldError(path, _ifi_message("an identified Group", ifis))
        elif not ifis and "member" not in actor:
            # xAPI Data 2.4.2.2: an anonymous Group is known only by its members.
            yield FieldError(
                path,
                "an anonymous Group (no inverse functional identifier) must have a 'member' list",
            )
        for index, member in enumerate(actor.get("member", ())):
            yield from _actor(member, _join(_join(path, "member"), index))
    elif len(ifis) != 1:
        yield FieldError(path, _ifi_message("an Agent", ifis))


def _authority(authority: Json, path: str) -> Iterator[FieldError]:
    yield from _actor(authority, path)
    if authority.get("objectType") == "Group":
        # xAPI Data 2.4.9: an authority is an Agent, or in 3-legged OAuth an anonymous Group
        # of exactly two Agents (the application and the user).
        if any(key in authority for key in IFI_PROPERTIES) or len(authority.get("member", ())) != 2:
            yield FieldError(path, "a Group authority must be anonymous with exactly two members")


def _ifi_message(what: str, found: list[str]) -> str:
    found_text = ", ".join(found) if found else "none"
    return (
        f"{what} must have exactly one inverse functional identifier "
        f"(mbox, mbox_sha1sum, openid or account); found {found_text}"
    )


def _definition(definition: Json, path: str) -> Iterator[FieldError]:
    interaction_type = definition.get("interactionType")
    present = [name for name in _COMPONENT_LISTS if name in definition]
    if interaction_type is None:
        if present or "correctResponsesPattern" in definition:
            names = ", ".join(present or ["correctResponsesPattern"])
            yield FieldError(
                path, f"{names} belong to interaction activities, which need an interactionType"
            )
        return
    allowed = _COMPONENT_LISTS_BY_TYPE.get(interaction_type, frozenset())
    for name in present:
        if name not in allowed:
            yield FieldError(
                _join(path, name), f"interactionType '{interaction_type}' has no '{name}' list"
            )
            continue
        seen: set[str] = set()
        for index, component in enumerate(definition[name]):
            if component["id"] in seen:
                yield FieldError(
                    _join(_join(_join(path, name), index), "id"),
                    f"interaction component ids must be distinct; '{component['id']}' repeats",
                )
            seen.add(component["id"])


def _result(result: Json, path: str) -> Iterator[FieldError]:
    score = result.get("score")
    if score is None:
        return
    score_path = _join(path, "score")
    low, high, raw = score.get("min"), score.get("max"), score.get("raw")
    if low is not None and high is not None and not low < high:
        yield FieldError(score_path, f"min ({low}) must be less than max ({high})")
    if raw is not None and low is not None and raw < low:
        yield FieldError(_join(score_path, "raw"), f"raw ({raw}) is below min ({low})")
    if raw is not None and high is not None and raw > high:
        yield FieldError(_join(score_path, "raw"), f"raw ({raw}) is above max ({high})")


def _context(context: Json, path: str, object_type: str) -> Iterator[FieldError]:
    if object_type != "Activity":
        # xAPI Data 2.4.6: revision and platform describe an Activity object only.
        for key in ("revision", "platform"):
            if key in context:
                yield FieldError(
                    _join(path, key), f"'{key}' may only be used when the object is an Activity"
                )
    for key in ("instructor", "team"):
        if key in context:
            yield from _actor(context[key], _join(path, key))
    for kind, value in context.get("contextActivities", {}).items():
        activities = value if isinstance(value, list) else [value]
        for index, activity in enumerate(activities):
            if "definition" in activity:
                activity_path = _join(_join(_join(path, "contextActivities"), kind), index)
                yield from _definition(activity["definition"], _join(activity_path, "definition"))


def timestamp_errors(value: str, path: str) -> list[FieldError]:
    """Problems with a timestamp that matches the schema's pattern (also used for `since`)."""
    return list(_timestamp(value, path))


def _timestamp(value: str, path: str) -> Iterator[FieldError]:
    if _UNKNOWN_OFFSET.search(value):
        # RFC 3339 4.3: "-00:00" means the offset is unknown, so the instant is unknown too.
        yield FieldError(
            path, f"'{value}' has the unknown-offset zone -00:00; give the real offset or Z"
        )
        return
    try:
        ciso8601.parse_datetime(value)
    except ValueError as exc:
        yield FieldError(path, f"'{value}' is not a valid ISO 8601 timestamp: {exc}")
