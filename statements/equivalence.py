"""Statement comparison (xAPI Data 2.3.1): are two statements the same statement?

Used when a statement arrives with an id the LRS already holds: an equivalent one is accepted
and changes nothing, a different one is a 409 Conflict.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson

from statements.keys import agent_key
from statements.timestamps import format_timestamp, parse_timestamp

Json = Mapping[str, Any]
# Properties the LRS assigns or that are not part of the statement itself.
_IGNORED = ("id", "stored", "authority", "version", "attachments")
_HUNDREDTHS = re.compile(r"([.,][0-9]{2})[0-9]+(?=S\Z)")


def equivalent(stored: Json, incoming: Json) -> bool:
    """True when `incoming` differs from `stored` only where Data 2.3.1 says to ignore."""
    left, right = _comparable(stored), _comparable(incoming)
    if "timestamp" not in incoming:
        # A missing timestamp is one the LRS assigns, not a difference.
        left.pop("timestamp", None)
        right.pop("timestamp", None)
    return left == right


def _comparable(statement: Json) -> dict[str, Any]:
    return _canonical({key: value for key, value in statement.items() if key not in _IGNORED})


def _canonical(statement: Json) -> dict[str, Any]:
    result = dict(statement)
    if "timestamp" in result:
        # Serialisation and zone of a timestamp are not part of the statement.
        result["timestamp"] = format_timestamp(parse_timestamp(result["timestamp"]))
    result["actor"] = _actor(result["actor"])
    result["verb"] = {"id": result["verb"]["id"]}  # Verb display is not part of it.
    obj = result["object"]
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        result["object"] = _activity(obj)
    elif object_type in ("Agent", "Group"):
        result["object"] = _actor(obj)
    elif object_type == "SubStatement":
        result["object"] = _canonical({k: v for k, v in obj.items() if k != "attachments"})
    elif object_type == "StatementRef":
        result["object"] = {**obj, "id": obj["id"].lower()}  # UUIDs are case-insensitive
    if "context" in result:
        result["context"] = _context(result["context"])
    if "duration" in result.get("result", {}):
        # Data 4.6: precision beyond 0.01 s is not part of the comparison.
        duration = _HUNDREDTHS.sub(r"\1", result["result"]["duration"])
        result["result"] = {**result["result"], "duration": duration}
    return result


def _activity(activity: Json) -> dict[str, Any]:
    # Activity definitions are not part of the statement (Data 2.3.1).
    return {"objectType": "Activity", "id": activity["id"]}


def _actor(actor: Json) -> dict[str, Any]:
    result = {key: value for key, value in actor.items() if key != "member"}
    result.setdefault("objectType", "Agent")
    if "mbox" in result:
        result["mbox"] = agent_key(actor)  # the e-mail domain is case-insensitive
    if "member" in actor:
        # Group members are an unordered list.
        members = [_actor(member) for member in actor["member"]]
        result["member"] = sorted(
            members, key=lambda m: orjson.dumps(m, option=orjson.OPT_SORT_KEYS)
        )
    return result


def _context(context: Json) -> dict[str, Any]:
    result = dict(context)
    if "registration" in result:
        result["registration"] = result["registration"].lower()
    if "language" in result:
        result["language"] = result["language"].lower()  # RFC 5646 tags are case-insensitive
    if "statement" in result:
        result["statement"] = {**result["statement"], "id": result["statement"]["id"].lower()}
    for role in ("instructor", "team"):
        if role in result:
            result[role] = _actor(result[role])
    if "contextActivities" in result:
        result["contextActivities"] = {
            kind: [_activity(a) for a in (value if isinstance(value, list) else [value])]
            for kind, value in result["contextActivities"].items()
        }
    return result
