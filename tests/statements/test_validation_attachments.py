"""Attachment objects (xAPI Data 2.4.11)."""

from __future__ import annotations

from typing import Any

import pytest

from statements.errors import StatementInvalid
from statements.validate import validate_statements
from tests.factories import activity, agent, statement
from tests.statements.validation import assert_rejected_at

SHA256 = "672fa5fa658017f1b72d65036f13379c6ab05d4ab3b6664908d8acf0b6a0c634"
REQUIRED = ("usageType", "display", "contentType", "length", "sha2")


def attachment(**changes: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "usageType": "http://adlnet.gov/expapi/attachments/signature",
        "display": {"en-US": "Signature"},
        "description": {"en-US": "A test signature"},
        "contentType": "application/octet-stream",
        "length": 4235,
        "sha2": SHA256,
    }
    result.update(changes)
    return result


def with_attachments(*attachments: Any) -> dict[str, Any]:
    return statement(attachments=list(attachments))


def test_attachment_example_from_the_specification_is_accepted():
    assert validate_statements([with_attachments(attachment())]) is None


@pytest.mark.parametrize(
    "changes",
    [
        {"fileUrl": "http://example.com/files/certificate.pdf"},
        {"description": {"en-US": "x", "de": "y"}},
        {"contentType": "text/plain; charset=utf-8"},
        {"contentType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        {"length": 0},
        {"length": 10_000_000_000},
        {"sha2": "a" * 56},
        {"sha2": "b" * 96},
        {"sha2": "c" * 128},
        {"sha2": SHA256.upper()},
        {"usageType": "http://id.tincanapi.com/attachment/certificate-of-completion"},
    ],
)
def test_attachment_with_valid_optional_or_alternative_values_is_accepted(changes):
    assert validate_statements([with_attachments(attachment(**changes))]) is None


def test_attachment_without_description_is_accepted():
    item = attachment()
    del item["description"]
    assert validate_statements([with_attachments(item)]) is None


def test_several_attachments_and_an_empty_list_are_accepted():
    assert validate_statements([with_attachments(attachment(), attachment(length=1))]) is None
    assert validate_statements([with_attachments()]) is None


@pytest.mark.parametrize("prop", REQUIRED)
def test_attachment_without_a_required_property_is_rejected(prop):
    item = attachment(fileUrl="http://example.com/file")
    del item[prop]
    errors = pytest.raises(StatementInvalid, validate_statements, [with_attachments(item)])
    found = errors.value.errors
    assert any(e.path == "attachments[0]" and prop in e.message for e in found), found


@pytest.mark.parametrize(
    "sha2",
    [
        "",
        "not-a-hash",
        "ebd31e95054c018b10727ccffd2ef2ec3a016ee9",  # SHA-1, not SHA-2
        SHA256[:-1],
        SHA256 + "0",
        "g" * 64,
        " " + SHA256,
        SHA256 + "\n",
        "sha256:" + SHA256,
        12345,
        None,
    ],
)
def test_attachment_sha2_that_is_not_a_sha2_hex_digest_is_rejected(sha2):
    assert_rejected_at(with_attachments(attachment(sha2=sha2)), "attachments[0].sha2")


@pytest.mark.parametrize("length", ["4235", 42.5, -1, True, None, [4235]])
def test_attachment_length_that_is_not_a_non_negative_integer_is_rejected(length):
    assert_rejected_at(with_attachments(attachment(length=length)), "attachments[0].length")


@pytest.mark.parametrize(
    "usage_type", ["signature", "", "/attachments/signature", "http://x.com/a b", 1, None]
)
def test_attachment_usage_type_that_is_not_an_iri_is_rejected(usage_type):
    item = attachment(usageType=usage_type)
    assert_rejected_at(with_attachments(item), "attachments[0].usageType")


@pytest.mark.parametrize("file_url", ["files/certificate.pdf", "", "//example.com/f", 5, None])
def test_attachment_file_url_that_is_not_an_irl_is_rejected(file_url):
    item = attachment(fileUrl=file_url)
    assert_rejected_at(with_attachments(item), "attachments[0].fileUrl")


@pytest.mark.parametrize("content_type", ["", "textplain", "text/", "/plain", 5, None])
def test_attachment_content_type_that_is_not_a_media_type_is_rejected(content_type):
    item = attachment(contentType=content_type)
    assert_rejected_at(with_attachments(item), "attachments[0].contentType")


@pytest.mark.parametrize("prop", ["display", "description"])
@pytest.mark.parametrize(
    ("value", "suffix"),
    [
        ("Signature", ""),
        (["Signature"], ""),
        (None, ""),
        ({"en_US": "Signature"}, ""),
        ({"": "Signature"}, ""),
        ({"en-US": 5}, ".en-US"),
        ({"en-US": None}, ".en-US"),
    ],
)
def test_attachment_display_and_description_must_be_language_maps(prop, value, suffix):
    item = attachment(**{prop: value})
    assert_rejected_at(with_attachments(item), f"attachments[0].{prop}{suffix}")


@pytest.mark.parametrize(
    "changes",
    [
        {"fileURL": "http://example.com/file"},
        {"fileName": "certificate.pdf"},
        {"Sha2": SHA256},
        {"data": "base64..."},
        {"usagetype": "http://example.com/usage"},
    ],
)
def test_attachment_with_unknown_or_miscased_property_is_rejected(changes):
    assert_rejected_at(with_attachments(attachment(**changes)), "attachments[0]")


@pytest.mark.parametrize("attachments", [attachment(), "attachment", None, {"0": attachment()}])
def test_attachments_that_is_not_an_array_is_rejected(attachments):
    assert_rejected_at(statement(attachments=attachments), "attachments")


@pytest.mark.parametrize("item", ["attachment", None, 5, [attachment()]])
def test_attachment_that_is_not_an_object_is_rejected(item):
    assert_rejected_at(with_attachments(attachment(), item), "attachments[1]")


def test_each_attachment_in_the_list_is_validated():
    stmt = with_attachments(attachment(), attachment(), attachment(sha2="xyz"))
    assert_rejected_at(stmt, "attachments[2].sha2")


def test_sub_statement_attachments_are_validated():
    sub = {
        "objectType": "SubStatement",
        "actor": agent("bob"),
        "verb": {"id": "http://example.com/planned"},
        "object": activity(),
        "attachments": [attachment(length="big")],
    }
    assert_rejected_at(statement(obj=sub), "object.attachments[0].length")
