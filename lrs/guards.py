"""Input no database here can store, refused with a 400 before it reaches one.

PostgreSQL stores neither U+0000 in text nor NaN and Infinity in JSON. Each face calls these
on what it parses, so the error names the request, not a failed INSERT.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from statements.errors import BadRequest

# In a JSON body a NUL can only arrive as this escape, so bodies without it need no walk.
NUL_ESCAPE = b"\\u0000"


def contains_nul(value: Any) -> bool:
    """True when a string anywhere in a JSON value holds U+0000."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_nul(item) for item in value)
    return False


def refuse_nul(body: bytes, parsed: Any) -> None:
    """400 for a JSON body with U+0000 in a string."""
    if NUL_ESCAPE in body and contains_nul(parsed):
        raise BadRequest("strings may not contain the NUL character (U+0000)")


def refuse_nul_parameters(args: MultiDict[str, str]) -> None:
    """400 for a query parameter holding U+0000."""
    if any("\x00" in value for values in args.listvalues() for value in values):
        raise BadRequest("parameters may not contain the NUL character (U+0000)")
