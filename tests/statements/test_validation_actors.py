"""Actors (xAPI Data 2.4.2): Agents, Groups, inverse functional identifiers, Account objects."""

from __future__ import annotations

from typing import Any

import pytest

from statements.validate import validate_statements
from tests.factories import statement
from tests.statements.validation import assert_rejected_at

MBOX = "mailto:ann@example.com"
SHA1 = "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"
OPENID = "http://ann.openid.example.org/"
ACCOUNT = {"homePage": "http://www.example.com", "name": "1625378"}
IFIS: list[dict[str, Any]] = [
    {"mbox": MBOX},
    {"mbox_sha1sum": SHA1},
    {"openid": OPENID},
    {"account": ACCOUNT},
]
IFI_IDS = ["mbox", "mbox_sha1sum", "openid", "account"]
TWO_IFIS: list[dict[str, Any]] = [
    {"mbox": MBOX, "mbox_sha1sum": SHA1},
    {"mbox": MBOX, "openid": OPENID},
    {"openid": OPENID, "account": ACCOUNT},
    {"mbox_sha1sum": SHA1, "account": ACCOUNT},
    {"mbox": MBOX, "mbox_sha1sum": SHA1, "openid": OPENID, "account": ACCOUNT},
]


def with_actor(actor: Any) -> dict[str, Any]:
    result = statement()
    result["actor"] = actor
    return result


def member(name: str) -> dict[str, Any]:
    return {"objectType": "Agent", "name": name.title(), "mbox": f"mailto:{name}@example.com"}


# --- Agents -----------------------------------------------------------------------------------


@pytest.mark.parametrize("ifi", IFIS, ids=IFI_IDS)
@pytest.mark.parametrize("extra", [{}, {"objectType": "Agent"}, {"name": "Ann"}])
def test_agent_actor_with_exactly_one_ifi_is_accepted(ifi, extra):
    assert validate_statements([with_actor({**extra, **ifi})]) is None


@pytest.mark.parametrize("actor", [{}, {"objectType": "Agent"}, {"name": "Ann"}])
def test_agent_actor_without_ifi_is_rejected(actor):
    assert_rejected_at(with_actor(actor), "actor")


@pytest.mark.parametrize("ifis", TWO_IFIS)
def test_agent_actor_with_more_than_one_ifi_is_rejected(ifis):
    assert_rejected_at(with_actor({"objectType": "Agent", **ifis}), "actor")


@pytest.mark.parametrize(
    "mbox",
    ["mailto:ann@example.com", "mailto:ann.lee+tag@mail.example.co.uk", "mailto:a@b"],
)
def test_agent_mbox_in_mailto_form_is_accepted(mbox):
    assert validate_statements([with_actor({"mbox": mbox})]) is None


@pytest.mark.parametrize(
    "mbox",
    [
        "ann@example.com",
        "",
        "mailto:",
        "mailto:ann",
        "mailto:ann@",
        "mailto:@example.com",
        "mailto:ann @example.com",
        "http://example.com/ann",
        "mailto:ann@example.com mailto:bob@example.com",
    ],
)
def test_agent_mbox_not_in_mailto_form_is_rejected(mbox):
    assert_rejected_at(with_actor({"mbox": mbox}), "actor.mbox")


@pytest.mark.parametrize("value", [5, ["mailto:ann@example.com"], {"email": "ann@example.com"}])
def test_agent_mbox_of_wrong_type_is_rejected(value):
    assert_rejected_at(with_actor({"mbox": value}), "actor.mbox")


@pytest.mark.parametrize("sha1", [SHA1, SHA1.upper()])
def test_agent_mbox_sha1sum_of_40_hex_digits_is_accepted(sha1):
    assert validate_statements([with_actor({"mbox_sha1sum": sha1})]) is None


@pytest.mark.parametrize(
    "sha1", ["", "ebd31e95", SHA1 + "0", SHA1[:-1], "g" * 40, MBOX, " " + SHA1[1:], 1234]
)
def test_agent_mbox_sha1sum_that_is_not_a_sha1_hex_digest_is_rejected(sha1):
    assert_rejected_at(with_actor({"mbox_sha1sum": sha1}), "actor.mbox_sha1sum")


@pytest.mark.parametrize("openid", ["ann.openid.example.org", "", "/ann", "#ann", 42])
def test_agent_openid_that_is_not_an_iri_is_rejected(openid):
    assert_rejected_at(with_actor({"openid": openid}), "actor.openid")


def test_agent_account_with_home_page_and_name_is_accepted():
    assert validate_statements([with_actor({"account": ACCOUNT})]) is None


@pytest.mark.parametrize(
    ("account", "path"),
    [
        ({"name": "1625378"}, "actor.account"),
        ({"homePage": "http://www.example.com"}, "actor.account"),
        ({}, "actor.account"),
        ({**ACCOUNT, "homePage": "www.example.com"}, "actor.account.homePage"),
        ({**ACCOUNT, "homePage": ""}, "actor.account.homePage"),
        ({**ACCOUNT, "name": 1625378}, "actor.account.name"),
        ({**ACCOUNT, "name": None}, "actor.account.name"),
        ({**ACCOUNT, "id": "x"}, "actor.account"),
        ({"homepage": "http://www.example.com", "name": "1625378"}, "actor.account"),
        ("http://www.example.com/1625378", "actor.account"),
    ],
)
def test_agent_account_without_valid_home_page_and_name_is_rejected(account, path):
    assert_rejected_at(with_actor({"account": account}), path)


@pytest.mark.parametrize(
    ("actor", "path"),
    [
        ({"mbox": MBOX, "name": 5}, "actor.name"),
        ({"mbox": MBOX, "name": None}, "actor.name"),
        ({"mbox": MBOX, "email": "ann@example.com"}, "actor"),
        ({"mbox": MBOX, "member": [member("bob")]}, "actor"),
        ({"MBOX": MBOX}, "actor"),
        ({"mbox": MBOX, "objecttype": "Agent"}, "actor"),
    ],
)
def test_agent_actor_with_wrong_type_or_unknown_property_is_rejected(actor, path):
    assert_rejected_at(with_actor(actor), path)


@pytest.mark.parametrize("object_type", ["agent", "AGENT", "Person", "Activity", "StatementRef"])
def test_actor_object_type_other_than_agent_or_group_is_rejected(object_type):
    assert_rejected_at(with_actor({"objectType": object_type, "mbox": MBOX}), "actor.objectType")


@pytest.mark.parametrize("actor", ["mailto:ann@example.com", [{"mbox": MBOX}], None, 5])
def test_actor_that_is_not_an_object_is_rejected(actor):
    assert_rejected_at(with_actor(actor), "actor")


# --- Groups -----------------------------------------------------------------------------------


def test_anonymous_group_with_members_is_accepted():
    group = {"objectType": "Group", "name": "Team", "member": [member("ann"), member("bob")]}
    assert validate_statements([with_actor(group)]) is None


def test_anonymous_group_members_may_use_any_ifi_and_omit_object_type():
    members = [{"account": ACCOUNT}, {"openid": OPENID}, {"mbox_sha1sum": SHA1}, {"mbox": MBOX}]
    assert validate_statements([with_actor({"objectType": "Group", "member": members})]) is None


@pytest.mark.parametrize("group", [{"objectType": "Group"}, {"objectType": "Group", "name": "T"}])
def test_anonymous_group_without_member_list_is_rejected(group):
    assert_rejected_at(with_actor(group), "actor")


@pytest.mark.parametrize("ifi", IFIS, ids=IFI_IDS)
@pytest.mark.parametrize("members", [None, [], [member("bob")]])
def test_identified_group_with_one_ifi_is_accepted_with_or_without_members(ifi, members):
    group: dict[str, Any] = {"objectType": "Group", "name": "Team", **ifi}
    if members is not None:
        group["member"] = members
    assert validate_statements([with_actor(group)]) is None


@pytest.mark.parametrize("ifis", TWO_IFIS)
def test_identified_group_with_more_than_one_ifi_is_rejected(ifis):
    group = {"objectType": "Group", "member": [member("bob")], **ifis}
    assert_rejected_at(with_actor(group), "actor")


def test_group_without_object_type_is_not_taken_for_a_group():
    # Data 2.4.2.2: objectType is required for a Group; without it the value is an Agent,
    # and an Agent has no "member" property.
    assert_rejected_at(with_actor({"mbox": MBOX, "member": [member("bob")]}), "actor")


@pytest.mark.parametrize("ifi", [{}, {"mbox": "mailto:team@example.com"}], ids=["anon", "ident"])
def test_group_member_that_is_a_group_is_rejected(ifi):
    inner = {"objectType": "Group", "mbox": "mailto:inner@example.com"}
    group = {"objectType": "Group", **ifi, "member": [inner, member("bob")]}
    assert_rejected_at(with_actor(group), "actor.member[0].objectType")


@pytest.mark.parametrize("ifi", [{}, {"mbox": "mailto:team@example.com"}], ids=["anon", "ident"])
def test_group_member_without_ifi_is_rejected(ifi):
    group = {"objectType": "Group", **ifi, "member": [member("bob"), {"name": "Nobody"}]}
    assert_rejected_at(with_actor(group), "actor.member[1]")


def test_group_member_with_two_ifis_is_rejected():
    group = {"objectType": "Group", "member": [{"mbox": MBOX, "openid": OPENID}]}
    assert_rejected_at(with_actor(group), "actor.member[0]")


@pytest.mark.parametrize(
    ("bad_member", "path"),
    [
        ({"mbox": "ann@example.com"}, "actor.member[0].mbox"),
        ({"mbox_sha1sum": "abc"}, "actor.member[0].mbox_sha1sum"),
        ({"account": {"name": "x"}}, "actor.member[0].account"),
        ({"mbox": MBOX, "role": "lead"}, "actor.member[0]"),
        ("mailto:ann@example.com", "actor.member[0]"),
        (None, "actor.member[0]"),
    ],
)
def test_group_member_is_validated_as_an_agent(bad_member, path):
    assert_rejected_at(with_actor({"objectType": "Group", "member": [bad_member]}), path)


@pytest.mark.parametrize("members", [member("bob"), "bob", None, {"0": member("bob")}])
def test_group_member_property_that_is_not_an_array_is_rejected(members):
    assert_rejected_at(with_actor({"objectType": "Group", "member": members}), "actor.member")


@pytest.mark.parametrize(
    ("group", "path"),
    [
        ({"objectType": "Group", "name": 5, "member": [member("bob")]}, "actor.name"),
        ({"objectType": "Group", "members": [member("bob")]}, "actor"),
        ({"objectType": "Group", "Member": [member("bob")]}, "actor"),
        ({"objectType": "group", "member": [member("bob")]}, "actor.objectType"),
    ],
)
def test_group_with_wrong_type_key_or_object_type_case_is_rejected(group, path):
    assert_rejected_at(with_actor(group), path)


# --- Agents elsewhere in the statement --------------------------------------------------------


def test_authority_as_three_legged_oauth_group_is_accepted():
    authority = {
        "objectType": "Group",
        "member": [
            {"account": {"homePage": "http://example.com/xAPI/OAuth/Token", "name": "x75db"}},
            {"mbox": "mailto:bob@example.com"},
        ],
    }
    assert validate_statements([statement(authority=authority)]) is None


@pytest.mark.parametrize(
    ("authority", "path"),
    [
        ({"name": "No identifier"}, "authority"),
        ({"mbox": MBOX, "openid": OPENID}, "authority"),
        ({"mbox": "admin@example.com"}, "authority.mbox"),
        ({"objectType": "Group", "member": [{"name": "x"}]}, "authority.member[0]"),
    ],
)
def test_authority_follows_the_agent_rules(authority, path):
    assert_rejected_at(statement(authority=authority), path)


@pytest.mark.parametrize("count", [1, 3])
def test_group_authority_must_have_exactly_two_agents(count):
    # Data 2.4.9: an authority is an Agent, or in 3-legged OAuth a Group of two Agents.
    authority = {"objectType": "Group", "member": [member(f"m{n}") for n in range(count)]}
    assert_rejected_at(statement(authority=authority), "authority")
