"""Statement validation: a compiled schema for speed, `jsonschema` to explain a failure.

Valid input, the common case, costs one call of the compiled validator plus the rule walk.
Only when a statement fails does `jsonschema` run, to list every error with its field path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import fastjsonschema
import jsonschema

from statements.errors import FieldError, StatementInvalid
from statements.rules import statement_errors
from statements.schema import STATEMENT_SCHEMA, schema_for

MAX_REPORTED_ERRORS = 50


@cache
def _compiled(definition: str | None) -> Callable[[Any], Any]:
    schema = STATEMENT_SCHEMA if definition is None else schema_for(definition)
    return fastjsonschema.compile(schema)


@cache
def _explainer(definition: str | None) -> jsonschema.Draft7Validator:
    schema = STATEMENT_SCHEMA if definition is None else schema_for(definition)
    return jsonschema.Draft7Validator(schema)


def schema_errors(value: Any, path: str = "", *, definition: str | None = None) -> list[FieldError]:
    """Structural errors of `value` against the statement schema (or one of its definitions)."""
    try:
        _compiled(definition)(value)
    except fastjsonschema.JsonSchemaException:
        pass
    else:
        return []
    errors = [
        FieldError(_path(path, error.absolute_path), _message(error))
        for error in _explainer(definition).iter_errors(value)
    ]
    errors.sort(key=lambda e: e.path)
    return errors or [FieldError(path or "$", "is not valid")]


def validate_statements(statements: Sequence[Any]) -> None:
    """Raise `StatementInvalid` listing every problem in a batch; return if all are valid."""
    errors: list[FieldError] = []
    batch = len(statements) > 1
    for index, statement in enumerate(statements):
        prefix = f"[{index}]" if batch else ""
        found = schema_errors(statement, prefix)
        if not found:
            found = statement_errors(statement, prefix)
        errors.extend(found)
        if len(errors) >= MAX_REPORTED_ERRORS:
            break
    if errors:
        where = f"{errors[0].path or 'statement'}: {errors[0].message}"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise StatementInvalid(f"invalid statement: {where}{more}", errors[:MAX_REPORTED_ERRORS])


def _path(prefix: str, parts: Sequence[str | int]) -> str:
    path = prefix
    for part in parts:
        if isinstance(part, int):
            path = f"{path}[{part}]"
        else:
            path = f"{path}.{part}" if path else part
    return path or "$"


def _message(error: jsonschema.ValidationError) -> str:
    validator = error.validator
    if validator == "additionalProperties" and isinstance(error.schema, dict):
        known = error.schema.get("properties", {})
        instance: Any = error.instance
        extra = sorted(set(instance) - set(known))
        allowed = ", ".join(sorted(known))
        return f"unknown property {', '.join(map(repr, extra))}; allowed here: {allowed}"
    if validator == "pattern":
        return f"{error.instance!r} is not in the required format"
    if validator == "propertyNames":
        return f"key {error.instance!r} is not in the required format"
    if validator == "type" and error.instance is None:
        return "null is not allowed here"
    if validator == "not":
        return f"{error.instance!r} is not allowed here (a SubStatement cannot contain another)"
    if validator == "const":
        return f"{error.instance!r} is not allowed here; expected {error.validator_value!r}"
    return str(error.message)
