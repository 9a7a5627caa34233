"""Patterns for the formatted strings of xAPI Data section 4 (IRIs, UUIDs, times, languages).

Patterns end in `\\Z` rather than `$`, which would also match before a trailing newline.
"""

from __future__ import annotations

import re

# xAPI Data 4.3: an IRI needs a scheme; whitespace is never part of one.
IRI = r"^[A-Za-z][A-Za-z0-9+.\-]*:\S*\Z"
# xAPI Data 4.4: standard string form, variant 2 (RFC 4122 / RFC 9562 versions 1 to 8).
UUID = (
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}\Z"
)
MAILTO = r"^mailto:[^@\s]+@[^@\s]+\Z"
SHA1_HEX = r"^[0-9a-fA-F]{40}\Z"
# SHA-224, SHA-256, SHA-384 or SHA-512 in hex.
SHA2_HEX = r"^(?:[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128})\Z"
# xAPI Data 4.5: ISO 8601 combined date and time, extended format; the zone is optional (UTC is
# assumed without one). Calendar validity (month 13, 30 February) is checked by parsing.
TIMESTAMP = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
    r"(?:[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?\Z"
)
# xAPI Data 4.6: ISO 8601:2004 4.4.3.2 durations (PnYnMnDTnHnMnS or PnW); the alternative
# format of 4.4.3.3 (P0001-02-03T...) is rejected. Only the last component may have a fraction.
_NUM = r"[0-9]+(?:[.,][0-9]+(?=[YMWDHS]\Z))?"
DURATION = (
    rf"^P(?:{_NUM}W|(?=[0-9]|T[0-9])(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}D)?"
    rf"(?:T(?=[0-9])(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?)\Z"
)
# The statement version property and the X-Experience-API-Version header (Communication 3.3).
VERSION_1_0 = r"^1\.0(?:\.[0-9]+)?\Z"

# RFC 5646 section 2.1 "Language-Tag" (well-formedness; subtags are not checked against the
# IANA registry, which the specification does not ask for). Digits are ASCII only: Python's \d
# would also match other scripts' digits.
_IRREGULAR = (
    "en-GB-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn"
    "|i-tao|i-tay|i-tsu|sgn-BE-FR|sgn-BE-NL|sgn-CH-DE"
)
_REGULAR = "art-lojban|cel-gaulish|no-bok|no-nyn|zh-guoyu|zh-hakka|zh-min|zh-min-nan|zh-xiang"
_LANGTAG = (
    r"(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4}|[A-Za-z]{5,8})"  # language (+extlang)
    r"(?:-[A-Za-z]{4})?"  # script
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"  # region
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"  # variants
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"  # extensions
    r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?"  # private use
)
LANGUAGE_TAG = rf"^(?:{_LANGTAG}|[Xx](?:-[A-Za-z0-9]{{1,8}})+|{_IRREGULAR}|{_REGULAR})\Z"

IRI_RE = re.compile(IRI)
UUID_RE = re.compile(UUID)
TIMESTAMP_RE = re.compile(TIMESTAMP)
LANGUAGE_TAG_RE = re.compile(LANGUAGE_TAG)
VERSION_1_0_RE = re.compile(VERSION_1_0)
