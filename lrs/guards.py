"""Input no database here can store, refused with a 400 before it reaches one.

PostgreSQL stores neither U+0000 in text, nor NaN and Infinity in JSON, and no driver can
encode an unpaired surrogate (U+D800 to U+DFFF, which JSON can spell as an escape). Each face
calls these on what it parses, so the error names the request, not a failed INSERT.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from statements.errors import BadRequest

# In a JSON body such characters can only arrive as escapes, so bodies without one of these
# need no walk.
SUSPECT_ESCAPES = (b"\\u0000", b"\\ud", b"\\uD")
UNSTORABLE = (
    "strings may not contain the NUL character (U+0000) or unpaired surrogates (U+D800 to U+DFFF)"
)


def unstorable(value: Any) -> bool:
    """True when a string anywhere in a JSON value holds U+0000 or an unpaired surrogate."""
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode()
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(unstorable(k) or unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(unstorable(item) for item in value)
    return False


def refuse_unstorable(body: bytes, parsed: Any) -> None:
    """400 for a JSON body with a string no database here can store."""
    if any(escape in body for escape in SUSPECT_ESCAPES) and unstorable(parsed):
        raise BadRequest(UNSTORABLE)


def refuse_nul_parameters(args: MultiDict[str, str]) -> None:
    """400 for a query parameter holding U+0000."""
    if any("\x00" in value for values in args.listvalues() for value in values):
        raise BadRequest("parameters may not contain the NUL character (U+0000)")
