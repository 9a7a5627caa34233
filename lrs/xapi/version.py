"""The X-Experience-API-Version header (xAPI Communication 3.3), negotiated per request.

The version a request asks for picks an `XapiVersion`; everything version-specific hangs off
it, so a 2.0 profile can be added beside 1.0.3 without touching the resources that do not
differ.
"""

from __future__ import annotations

from dataclasses import dataclass

from statements.errors import BadRequest
from statements.formats import VERSION_1_0_RE

HEADER = "X-Experience-API-Version"


@dataclass(frozen=True, slots=True)
class XapiVersion:
    """A specification version the LRS speaks."""

    # The value of the response header: the latest patch of this major.minor.
    latest: str
    # Versions About lists for it.
    listed: tuple[str, ...]
    # Whether the 1.0.3 alternate request syntax (Communication 1.3) is accepted.
    alternate_syntax: bool


XAPI_1_0 = XapiVersion(
    latest="1.0.3", listed=("1.0.3", "1.0.2", "1.0.1", "1.0.0"), alternate_syntax=True
)
SUPPORTED = (XAPI_1_0,)


def negotiate(header: str | None) -> XapiVersion:
    """The version a request's header selects; 400 for a missing or unsupported one."""
    if header is None or not header.strip():
        raise BadRequest(f"the {HEADER} header is required; send {HEADER}: {XAPI_1_0.latest}")
    value = header.strip()
    if VERSION_1_0_RE.match(value):
        return XAPI_1_0
    supported = ", ".join(v for version in SUPPORTED for v in version.listed)
    raise BadRequest(f"{HEADER} {value!r} is not supported; supported versions: {supported}")
