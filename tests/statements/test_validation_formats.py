"""Formatting rules (xAPI Data 2.2) and special data types (Data 4): UUIDs, timestamps, IRIs,
language maps, extensions, nulls, JSON types, key case, unknown properties, versions."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from statements.errors import StatementInvalid
from statements.validate import validate_statements
from tests.factories import activity, statement
from tests.statements.validation import assert_rejected_at, rejected_paths

UUID = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"
SHA256 = "672fa5fa658017f1b72d65036f13379c6ab05d4ab3b6664908d8acf0b6a0c634"


def full_statement() -> dict[str, Any]:
    """A statement with every optional part, for changing one value at a time."""
    return statement(
        obj=activity(
            "q1",
            name={"en-US": "Question 1"},
            type="http://adlnet.gov/expapi/activities/cmi.interaction",
            moreInfo="http://example.com/q1/info",
            interactionType="choice",
            correctResponsesPattern=["a"],
            choices=[{"id": "a", "description": {"en-US": "A"}}],
            extensions={"http://example.com/ext": 1},
        ),
        id=UUID,
        result={"score": {"raw": 5}, "success": True, "extensions": {"http://x.com/r": 1}},
        context={
            "registration": UUID,
            "contextActivities": {"parent": [activity()]},
            "extensions": {"http://example.com/ctx": 1},
        },
        timestamp="2015-11-18T12:17:00+00:00",
        version="1.0.0",
        attachments=[
            {
                "usageType": "http://example.com/usage",
                "display": {"en-US": "Certificate"},
                "contentType": "application/pdf",
                "length": 10,
                "sha2": SHA256,
            }
        ],
    )


def definition(stmt: dict[str, Any]) -> dict[str, Any]:
    return stmt["object"]["definition"]


def context_activities(stmt: dict[str, Any]) -> dict[str, Any]:
    return stmt["context"]["contextActivities"]


def changed(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    stmt = copy.deepcopy(full_statement())
    change(stmt)
    return stmt


def test_full_statement_is_accepted():
    assert validate_statements([full_statement()]) is None


# --- UUIDs (Data 2.4.1, 4.4) ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    # versions 4, 4 upper case, 3, 1 and 5
    [
        UUID,
        UUID.upper(),
        *"""6fa459ea-ee8a-3ca4-894e-db77e160355e
    c232ab00-9414-11ec-b3c8-9f6bdeced846 886313e1-3b8a-5372-9b90-0c9aee199e5d""".split(),
    ],
)
def test_statement_id_in_standard_uuid_form_is_accepted(value):
    assert validate_statements([statement(id=value)]) is None


@pytest.mark.parametrize(
    "value",
    [
        *"""fd41c918b88b4b20a0a5a4c32391aaa0 {fd41c918-b88b-4b20-a0a5-a4c32391aaa0}
    urn:uuid:fd41c918-b88b-4b20-a0a5-a4c32391aaa0 fd41c918-b88b-4b20-a0a5-a4c32391aaa
    fd41c918-b88b-4b20-a0a5-a4c32391aaa0a fd41c918-b88b-4b20-a0a5-a4c32391aaaz""".split()
    ]
    + ["", " " + UUID, UUID + "\n", 12345],
)
def test_statement_id_that_is_not_a_standard_uuid_is_rejected(value):
    assert_rejected_at(statement(id=value), "id")


# --- Timestamps (Data 2.4.7, 2.4.8, 4.5) ------------------------------------------------------


VALID_TIMESTAMPS = """
    2015-11-18T12:17:00+00:00 2013-05-18T05:32:34.804+00:00 2013-04-01T12:00:00Z
    2013-05-18T05:32:34.804-05:00 2013-05-18T05:32:34.804+05:30 2013-05-18T05:32:34.123456789Z
    2013-05-18T05:32:34 2016-02-29T00:00:00Z 2000-02-29T23:59:59.999Z 2999-01-01T00:00:00Z
""".split()
IMPOSSIBLE_TIMESTAMPS = """
    2013-02-30T00:00:00Z 2015-02-29T00:00:00Z 1900-02-29T00:00:00Z 2013-04-31T00:00:00Z
    2013-13-01T00:00:00Z 2013-00-10T00:00:00Z 2013-05-00T00:00:00Z 2013-05-32T00:00:00Z
    2013-05-18T25:00:00Z 2013-05-18T05:60:00Z 2013-05-18T05:32:61Z
""".split()


@pytest.mark.parametrize("value", VALID_TIMESTAMPS)
def test_iso_8601_timestamp_is_accepted(value):
    assert validate_statements([statement(timestamp=value)]) is None


@pytest.mark.parametrize("value", IMPOSSIBLE_TIMESTAMPS)
def test_timestamp_with_impossible_calendar_date_or_time_is_rejected(value):
    assert_rejected_at(statement(timestamp=value), "timestamp")


@pytest.mark.parametrize(
    "value",
    [
        *"""2013-05-18T05:32:34+25:00 2013-05-18T05:32:34+24:00 2013-05-18T05:32:34+05:60
    2013-05-18T05:32:34UTC 2013-05-18T05:32:34+5:00 2013-05-18T05:32:34Z+00:00""".split()
    ]
    + ["2013-05-18T05:32:34 EST", "2013-05-18T05:32:34 +00:00"]
    # ISO 8601 writes a zero offset with "+" only (the 1.0.3 conformance suite, XAPI-00123).
    + [
        "2008-09-15T15:53:00.601-00:00",
        "2008-09-15T15:53:00.601-0000",
        "2008-09-15T15:53:00.601-00",
    ],
)
def test_timestamp_with_invalid_time_zone_is_rejected(value):
    assert_rejected_at(statement(timestamp=value), "timestamp")


@pytest.mark.parametrize(
    "value",
    [
        *"""2013-05-18 05:32:34Z 2013-05-18T05:32:34.Z 2013-5-18T05:32:34Z 13-05-18T05:32:34Z
    yesterday""".split()
    ]
    + ["", "18/05/2013 05:32:34", "2013-05-18T05:32:34Z\n", 1368855154, None],
)
def test_timestamp_not_in_iso_8601_form_is_rejected(value):
    assert_rejected_at(statement(timestamp=value), "timestamp")


@pytest.mark.parametrize("value", ["2013-02-30T00:00:00Z", "not a time", ""])
def test_supplied_stored_is_validated_before_the_lrs_overwrites_it(value):
    assert_rejected_at(statement(stored=value), "stored")


# --- IRIs (Data 2.2, 4.3) ---------------------------------------------------------------------

IRI_FIELDS: dict[str, Callable[[dict[str, Any], Any], None]] = {
    "verb.id": lambda s, v: s["verb"].update(id=v),
    "object.id": lambda s, v: s["object"].update(id=v),
    "object.definition.type": lambda s, v: definition(s).update(type=v),
    "object.definition.moreInfo": lambda s, v: definition(s).update(moreInfo=v),
    "actor.openid": lambda s, v: s.update(actor={"openid": v}),
    "actor.account.homePage": lambda s, v: s.update(
        actor={"account": {"homePage": v, "name": "1"}}
    ),
    "attachments[0].usageType": lambda s, v: s["attachments"][0].update(usageType=v),
    "attachments[0].fileUrl": lambda s, v: s["attachments"][0].update(fileUrl=v),
    "context.contextActivities.parent[0].id": lambda s, v: context_activities(s)["parent"][
        0
    ].update(id=v),
}


@pytest.mark.parametrize("path", sorted(IRI_FIELDS))
@pytest.mark.parametrize(
    "value",
    ["example.com/x", "/relative/path", "#fragment", "", "http://example.com/a b", "ab=c://x.com"],
)
def test_iri_field_without_a_valid_scheme_or_with_spaces_is_rejected(path, value):
    assert_rejected_at(changed(lambda s: IRI_FIELDS[path](s, value)), path)


@pytest.mark.parametrize("path", sorted(IRI_FIELDS))
@pytest.mark.parametrize("value", ["http://example.com/été/日本", "urn:isbn:0451450523"])
def test_iri_field_accepts_international_and_non_http_iris(path, value):
    assert validate_statements([changed(lambda s: IRI_FIELDS[path](s, value))]) is None


# --- Language maps (Data 4.2, RFC 5646) -------------------------------------------------------


WELL_FORMED_TAGS = """
    en en-US es-MX es-419 zh-Hant zh-Hant-TW sr-Latn-RS de-CH-1996 sl-rozaj-biske tlh x-private
    en-US-x-twain en-a-bbb-x-a-ccc i-klingon i-enochian sgn-BE-FR zh-min-nan zh-yue-HK
    zh-cmn-Hans-CN hy-Latn-IT-arevela az-Arab-x-AZE-derbend EN-us
""".split()


@pytest.mark.parametrize("tag", WELL_FORMED_TAGS)
def test_language_map_key_that_is_a_well_formed_rfc_5646_tag_is_accepted(tag):
    stmt = statement()
    stmt["verb"]["display"] = {tag: "completed"}
    assert validate_statements([stmt]) is None


@pytest.mark.parametrize(
    "tag",
    [
        *"""e en_US en- -en en--US abcdefghi en-US-abcdefghi en-12 en-1 en-a en-x en-US- 123
    de-419-DE a-DE én""".split()
    ]
    + ["", "en US", "en-\u0661\u0662\u0663"],
)
def test_language_map_key_that_breaks_rfc_5646_token_lengths_is_rejected(tag):
    stmt = statement()
    stmt["verb"]["display"] = {tag: "completed"}
    assert_rejected_at(stmt, "verb.display")


# --- Extensions (Data 4.1) --------------------------------------------------------------------

EXTENSIONS = {
    "result.extensions": lambda s, e: s["result"].update(extensions=e),
    "context.extensions": lambda s, e: s["context"].update(extensions=e),
    "object.definition.extensions": lambda s, e: definition(s).update(extensions=e),
}


@pytest.mark.parametrize("path", sorted(EXTENSIONS))
@pytest.mark.parametrize("key", ["altitude", "", "/ext/altitude", "#ext", "http://x.com/a b"])
def test_extension_key_that_is_not_an_iri_is_rejected(path, key):
    assert_rejected_at(changed(lambda s: EXTENSIONS[path](s, {key: 1})), path)


@pytest.mark.parametrize("path", sorted(EXTENSIONS))
@pytest.mark.parametrize(
    "value",
    [
        None,
        [None, None],
        {"nested": None},
        {"not an iri": {"deeper": [None, {"x": None}]}},
        "",
        "true",
        0,
        -1.5e300,
        False,
        [],
        {},
        {"objectType": "SubStatement", "id": "not-a-uuid", "timestamp": "2013-02-30"},
    ],
)
def test_extension_values_are_never_rejected(path, value):
    extensions = {"http://example.com/ext/one": value, "urn:x-ext:two": value}
    assert validate_statements([changed(lambda s: EXTENSIONS[path](s, extensions))]) is None


@pytest.mark.parametrize("path", sorted(EXTENSIONS))
@pytest.mark.parametrize("extensions", [None, ["http://example.com/ext"], "ext"])
def test_extensions_that_is_not_a_map_is_rejected(path, extensions):
    assert_rejected_at(changed(lambda s: EXTENSIONS[path](s, extensions)), path)


# --- Nulls, JSON types, key case, unknown properties (Data 2.2) -------------------------------

NULLS = {
    "id": lambda s: s.update(id=None),
    "timestamp": lambda s: s.update(timestamp=None),
    "version": lambda s: s.update(version=None),
    "result": lambda s: s.update(result=None),
    "context": lambda s: s.update(context=None),
    "attachments": lambda s: s.update(attachments=None),
    "actor.name": lambda s: s["actor"].update(name=None),
    "actor.objectType": lambda s: s["actor"].update(objectType=None),
    "verb.display": lambda s: s["verb"].update(display=None),
    "verb.display.en-US": lambda s: s["verb"]["display"].update({"en-US": None}),
    "object.definition": lambda s: s["object"].update(definition=None),
    "object.definition.name.en-US": lambda s: definition(s)["name"].update({"en-US": None}),
    "object.definition.correctResponsesPattern[0]": lambda s: definition(s).update(
        correctResponsesPattern=[None]
    ),
    "result.score.raw": lambda s: s["result"]["score"].update(raw=None),
    "result.success": lambda s: s["result"].update(success=None),
    "context.registration": lambda s: s["context"].update(registration=None),
    "context.contextActivities.parent": lambda s: context_activities(s).update(parent=None),
    "attachments[0].description": lambda s: s["attachments"][0].update(description=None),
}


@pytest.mark.parametrize("path", sorted(NULLS))
def test_null_outside_extensions_is_rejected(path):
    assert_rejected_at(changed(NULLS[path]), path)


WRONG_TYPES = {
    "result.success": lambda s: s["result"].update(success="true"),
    "result.score.raw": lambda s: s["result"]["score"].update(raw="5"),
    "attachments[0].length": lambda s: s["attachments"][0].update(length="10"),
    "version": lambda s: s.update(version=1.0),
    "verb.id": lambda s: s["verb"].update(id=["http://example.com/verb"]),
    "actor.name": lambda s: s["actor"].update(name=["Ann"]),
    "object.definition.name": lambda s: definition(s).update(name=["Question"]),
    "context.contextActivities": lambda s: s["context"].update(contextActivities="parent"),
    "attachments": lambda s: s.update(attachments={"0": s["attachments"][0]}),
}


@pytest.mark.parametrize("path", sorted(WRONG_TYPES))
def test_value_of_the_wrong_json_type_is_rejected(path):
    assert_rejected_at(changed(WRONG_TYPES[path]), path)


@pytest.mark.parametrize("stmt", [[], "statement", None, 5])
def test_statement_that_is_not_a_json_object_is_rejected(stmt):
    assert_rejected_at(stmt, "$")


@pytest.mark.parametrize(
    ("old", "new"),
    [("actor", "Actor"), ("verb", "VERB"), ("object", "Object"), ("result", "Result")],
)
def test_top_level_key_in_the_wrong_case_is_rejected(old, new):
    stmt = full_statement()
    stmt[new] = stmt.pop(old)
    errors = pytest.raises(StatementInvalid, validate_statements, [stmt]).value.errors
    assert any(e.path == "$" and new in e.message for e in errors), errors


MISCASED = {
    "actor": lambda s: s["actor"].update(objecttype="Agent"),
    "object": lambda s: s["object"].update(objectType="activity"),
    "object.definition": lambda s: definition(s).update(moreinfo="http://x.com"),
    "object.definition.interactionType": lambda s: definition(s).update(interactionType="Choice"),
    "context": lambda s: s["context"].update(Registration=UUID),
    "context.contextActivities": lambda s: context_activities(s).update(Parent=[activity()]),
    "attachments[0]": lambda s: s["attachments"][0].update(fileURL="http://x.com/f"),
    "result.score": lambda s: s["result"]["score"].update(Raw=5),
}


@pytest.mark.parametrize("path", sorted(MISCASED))
def test_key_or_enumerated_value_in_the_wrong_case_is_rejected(path):
    paths = rejected_paths(changed(MISCASED[path]))
    assert any(p == path or p.startswith(path + ".") for p in paths), paths


UNKNOWN = {
    "$": lambda s: s.update(custom="x"),
    "actor": lambda s: s["actor"].update(age=30),
    "verb": lambda s: s["verb"].update(tense="past"),
    "object": lambda s: s["object"].update(title="x"),
    "object.definition": lambda s: definition(s).update(difficulty=3),
    "object.definition.choices[0]": lambda s: definition(s)["choices"][0].update(correct=True),
    "result": lambda s: s["result"].update(grade="A"),
    "result.score": lambda s: s["result"]["score"].update(percent=50),
    "context": lambda s: s["context"].update(location="room 1"),
    "context.contextActivities": lambda s: context_activities(s).update(related=[activity()]),
    "attachments[0]": lambda s: s["attachments"][0].update(filename="a.pdf"),
}


@pytest.mark.parametrize("path", sorted(UNKNOWN))
def test_property_not_defined_by_the_specification_is_rejected(path):
    assert_rejected_at(changed(UNKNOWN[path]), path)


# --- Version (Data 2.4.10) --------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.99", "1.0"])
def test_statement_version_1_0_x_is_accepted(version):
    assert validate_statements([statement(version=version)]) is None


@pytest.mark.parametrize(
    "version",
    ["0.9", "0.95", "0.9.5", "1.1.0", "1.1", "2.0.0", "2.0", "1", "", "v1.0.0", "1.0.3 ", "10.0.0"]
    + ["1.0.\u0663"],
)
def test_statement_version_other_than_1_0_x_is_rejected(version):
    assert_rejected_at(statement(version=version), "version")


# --- Batches ----------------------------------------------------------------------------------


def test_batch_of_valid_statements_is_accepted():
    assert validate_statements([statement(), full_statement(), statement("bob")]) is None


def test_batch_errors_are_prefixed_with_the_statement_index():
    bad_verb, bad_actor = statement(verb="completed"), statement()
    bad_actor["actor"] = {"name": "No IFI"}
    with pytest.raises(StatementInvalid) as caught:
        validate_statements([statement(), bad_verb, bad_actor])
    paths = [error.path for error in caught.value.errors]
    assert "[1].verb.id" in paths
    assert "[2].actor" in paths
    assert not any(p.startswith("[0]") for p in paths)


def test_single_statement_errors_have_no_index_prefix():
    assert_rejected_at(statement(verb="completed"), "verb.id")
