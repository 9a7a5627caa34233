"""Query parameters, validated to the same rules as the statement fields they stand for
(xAPI Data 2.2) and rejected when unknown or wrongly cased (Communication 3.2)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson
from werkzeug.datastructures import MultiDict

from statements.errors import BadRequest, FieldError
from statements.formats import IRI_RE, TIMESTAMP_RE, UUID_RE
from statements.keys import agent_key
from statements.rules import actor_errors, timestamp_errors
from statements.timestamps import parse_timestamp
from statements.validate import schema_errors


def single_values(args: MultiDict[str, str], allowed: Iterable[str]) -> dict[str, str]:
    """The parameters as a dict; 400 for unknown, wrongly cased or repeated ones."""
    allowed_set = set(allowed)
    by_lower = {name.lower(): name for name in allowed_set}
    values: dict[str, str] = {}
    for name in args:
        if name not in allowed_set:
            hint = by_lower.get(name.lower())
            suffix = f"; parameter names are case-sensitive: did you mean {hint!r}?" if hint else ""
            known = ", ".join(sorted(allowed_set)) or "none"
            raise BadRequest(f"unknown parameter {name!r} (allowed here: {known}){suffix}")
        all_values = args.getlist(name)
        if len(all_values) > 1:
            raise BadRequest(f"parameter {name!r} is given more than once")
        values[name] = all_values[0]
    return values


def parse_uuid(name: str, value: str) -> uuid.UUID:
    if not UUID_RE.match(value):
        raise _invalid(name, f"{value!r} is not a UUID in standard string form")
    return uuid.UUID(value)


def parse_iri(name: str, value: str) -> str:
    if not IRI_RE.match(value):
        raise _invalid(name, f"{value!r} is not an IRI (it needs a scheme, such as http:)")
    return value


def parse_timestamp_param(name: str, value: str) -> datetime:
    if not TIMESTAMP_RE.match(value):
        raise _invalid(name, f"{value!r} is not an ISO 8601 timestamp such as 2024-01-31T12:00:00Z")
    if errors := timestamp_errors(value, name):
        raise BadRequest(f"invalid {name}: {errors[0].message}", errors)
    return parse_timestamp(value)


def parse_bool(name: str, value: str) -> bool:
    # Communication 2.1.3: booleans are written as in JSON.
    if value == "true":
        return True
    if value == "false":
        return False
    raise _invalid(name, f"{value!r} is not a boolean; use true or false")


def parse_non_negative_int(name: str, value: str) -> int:
    if not value.isdigit() or not value.isascii():
        raise _invalid(name, f"{value!r} is not a non-negative integer")
    return int(value)


def parse_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise _invalid(name, f"{value!r} is not one of {', '.join(choices)}")
    return value


def parse_agent(name: str, value: str) -> dict[str, Any]:
    """An Agent or identified Group given as JSON (Communication 2.1.3 `agent`)."""
    try:
        agent = orjson.loads(value)
    except orjson.JSONDecodeError:
        raise _invalid(
            name, 'is not valid JSON; send an Agent object such as {"mbox": "mailto:a@example.com"}'
        ) from None
    if not isinstance(agent, dict):
        raise _invalid(name, "must be a JSON object (an Agent or identified Group)")
    errors = schema_errors(agent, name, definition="actor") or actor_errors(agent, name)
    if errors:
        raise BadRequest(f"invalid {name}: {errors[0].message}", errors)
    if agent_key(agent) is None:
        raise _invalid(
            name,
            "an anonymous Group has no identifier to look for; send an Agent or identified Group",
        )
    return agent


def _invalid(name: str, message: str) -> BadRequest:
    return BadRequest(f"invalid {name}: {message}", [FieldError(name, message)])
