"""format=ids|exact|canonical and attachments (Communication 2.1.3, 1.5)."""

from __future__ import annotations

import uuid

import orjson
import pytest

from tests.factories import activity, agent, statement
from tests.xapi_client import new_credential

CHOICE = {
    "interactionType": "choice",
    "correctResponsesPattern": ["a"],
    "choices": [
        {"id": "a", "description": {"en-US": "Yes", "fr-FR": "Oui", "de-DE": "Ja"}},
        {"id": "b", "description": {"en-US": "No", "fr-FR": "Non"}},
    ],
}


def rich_statement(**extra):
    obj = activity(
        "course/lang",
        name={"en-US": "Safety", "fr-FR": "Sécurité", "de-DE": "Sicherheit"},
        description={"de-DE": "Nur Deutsch"},
        type="http://adlnet.gov/expapi/activities/cmi.interaction",
        **CHOICE,
    )
    body = statement("ann", obj=obj, **extra)
    body["verb"]["display"] = {"en-US": "completed", "fr-FR": "terminé"}
    return body


def single(xapi, statement_id, fmt, **headers):
    response = xapi.get({"statementId": statement_id, "format": fmt}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def query(xapi, fmt, **headers):
    response = xapi.get({"format": fmt}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["statements"]


def test_exact_is_the_default_and_returns_objects_as_received(xapi):
    body = rich_statement()
    [statement_id] = xapi.store(body)
    for returned in (single(xapi, statement_id, "exact"), xapi.get().json["statements"][0]):
        assert returned["actor"] == body["actor"]
        assert returned["verb"] == body["verb"]
        assert returned["object"] == body["object"]


def test_ids_format_keeps_only_identifying_information(xapi):
    body = rich_statement(context={"instructor": agent("ivy")})
    [statement_id] = xapi.store(body)
    for returned in (single(xapi, statement_id, "ids"), query(xapi, "ids")[0]):
        assert returned["id"] == statement_id
        assert returned["actor"].get("mbox") == "mailto:ann@example.com"
        assert "name" not in returned["actor"]
        assert returned["verb"] == {"id": body["verb"]["id"]}
        assert "definition" not in returned["object"]
        assert returned["object"]["id"] == body["object"]["id"]
        assert "name" not in returned["context"]["instructor"]
        assert "name" not in returned["authority"]


def test_ids_format_keeps_each_member_of_an_anonymous_group(xapi):
    body = statement()
    body["actor"] = {"objectType": "Group", "name": "Crew", "member": [agent("ann"), agent("bob")]}
    [statement_id] = xapi.store(body)
    actor = single(xapi, statement_id, "ids")["actor"]
    assert "name" not in actor
    assert sorted(m["mbox"] for m in actor["member"]) == [
        "mailto:ann@example.com",
        "mailto:bob@example.com",
    ]
    assert all("name" not in m for m in actor["member"])


def test_ids_format_reduces_identified_group_to_its_identifier(xapi):
    body = statement()
    body["actor"] = {
        "objectType": "Group",
        "name": "Crew",
        "mbox": "mailto:crew@example.com",
        "member": [agent("ann")],
    }
    [statement_id] = xapi.store(body)
    actor = single(xapi, statement_id, "ids")["actor"]
    assert actor["mbox"] == "mailto:crew@example.com"
    assert "name" not in actor
    assert not actor.get("member")


def test_ids_format_applies_inside_substatements(xapi):
    sub = {"objectType": "SubStatement", **rich_statement()}
    [statement_id] = xapi.store(statement("bob", obj=sub))
    returned = single(xapi, statement_id, "ids")["object"]
    assert "name" not in returned["actor"]
    assert "definition" not in returned["object"]


@pytest.mark.parametrize(
    ("accept", "name", "choice_a"),
    [
        ("fr-FR", "Sécurité", "Oui"),
        ("de-DE", "Sicherheit", "Ja"),
        ("en-US", "Safety", "Yes"),
        ("de-DE;q=0.5, fr-FR;q=0.9", "Sécurité", "Oui"),
        ("fr", "Sécurité", "Oui"),
    ],
)
def test_canonical_picks_one_language_per_map_by_accept_language(xapi, accept, name, choice_a):
    [statement_id] = xapi.store(rich_statement())
    for returned in (
        single(xapi, statement_id, "canonical", **{"Accept-Language": accept}),
        query(xapi, "canonical", **{"Accept-Language": accept})[0],
    ):
        definition = returned["object"]["definition"]
        assert definition["name"] == {next(iter(definition["name"])): name}
        assert list(definition["description"].values()) == ["Nur Deutsch"]
        choices = {c["id"]: c["description"] for c in definition["choices"]}
        assert list(choices["a"].values()) == [choice_a]
        assert len(choices["b"]) == 1


def test_canonical_without_accept_language_still_returns_one_language_per_map(xapi):
    [statement_id] = xapi.store(rich_statement())
    definition = single(xapi, statement_id, "canonical")["object"]["definition"]
    assert len(definition["name"]) == 1
    assert len(definition["description"]) == 1
    assert all(len(c["description"]) == 1 for c in definition["choices"])


def test_canonical_applies_language_choice_to_each_map_separately(xapi):
    obj = activity("course/mixed", name={"en-US": "Name"}, description={"fr-FR": "Desc"})
    [statement_id] = xapi.store(statement(obj=obj))
    definition = single(xapi, statement_id, "canonical", **{"Accept-Language": "fr-FR, en;q=0.1"})
    definition = definition["object"]["definition"]
    assert definition["name"] == {"en-US": "Name"}
    assert definition["description"] == {"fr-FR": "Desc"}


def test_canonical_keeps_agents_as_received(xapi):
    body = rich_statement()
    [statement_id] = xapi.store(body)
    returned = single(xapi, statement_id, "canonical")
    assert returned["actor"] == body["actor"]
    assert returned["object"]["id"] == body["object"]["id"]


def test_canonical_returns_the_same_definition_for_every_statement_of_an_activity(xapi):
    first = statement("ann", obj=activity("course/c", name={"en-US": "First name"}))
    second = statement("bob", obj=activity("course/c", name={"en-US": "Second name"}))
    xapi.store(first)
    xapi.store(second)
    returned = query(xapi, "canonical", **{"Accept-Language": "en-US"})
    names = [s["object"]["definition"]["name"] for s in returned]
    assert names[0] == names[1]
    exact = query(xapi, "exact")
    assert {s["object"]["definition"]["name"]["en-US"] for s in exact} == {
        "First name",
        "Second name",
    }


def test_unknown_format_is_400(xapi):
    xapi.store(statement())
    for fmt in ("full", "IDS", "Exact", ""):
        assert xapi.get({"format": fmt}).status_code == 400, fmt


def file_url_statement():
    return statement(
        attachments=[
            {
                "usageType": "http://example.com/usage/cert",
                "display": {"en-US": "Certificate"},
                "contentType": "text/plain",
                "length": 5,
                "sha2": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                "fileUrl": "http://example.com/cert.txt",
            }
        ]
    )


def test_attachments_false_returns_application_json(xapi):
    [statement_id] = xapi.store(file_url_statement())
    for params in ({"attachments": "false"}, {"statementId": statement_id, "attachments": "false"}):
        response = xapi.get(params)
        assert response.status_code == 200
        assert response.content_type.startswith("application/json")


def test_attachments_true_returns_multipart_mixed_with_statements_first(xapi):
    [statement_id] = xapi.store(file_url_statement())
    for params in ({"attachments": "true"}, {"statementId": statement_id, "attachments": "true"}):
        response = xapi.get(params)
        assert response.status_code == 200
        assert response.mimetype == "multipart/mixed"
        boundary = response.mimetype_params["boundary"]
        body = response.get_data(as_text=True)
        first_part = body.split("--" + boundary)[1]
        assert "application/json" in first_part
        assert statement_id in first_part


def test_format_applies_to_voided_statement_lookup(xapi):
    [target] = xapi.store(rich_statement())
    xapi.store(
        statement(
            verb="http://adlnet.gov/expapi/verbs/voided",
            obj={"objectType": "StatementRef", "id": target},
        )
    )
    response = xapi.get({"voidedStatementId": target, "format": "ids"})
    assert response.status_code == 200
    assert "definition" not in response.json["object"]
    assert "name" not in response.json["actor"]


def test_formats_do_not_change_what_is_stored(xapi):
    body = rich_statement()
    [statement_id] = xapi.store(body)
    single(xapi, statement_id, "ids")
    single(xapi, statement_id, "canonical", **{"Accept-Language": "fr-FR"})
    assert single(xapi, statement_id, "exact")["object"] == body["object"]


def test_statement_id_is_kept_in_every_format(xapi):
    ids = set(xapi.store(rich_statement(), statement("bob", id=str(uuid.uuid4()))))
    for fmt in ("ids", "exact", "canonical"):
        assert {s["id"] for s in query(xapi, fmt)} == ids


def test_canonical_reduces_context_and_substatement_activities_too(xapi):
    names = {"en-US": "Program", "fr-FR": "Programme"}
    sub = {
        "objectType": "SubStatement",
        **statement("bob", obj=activity("inner", name={"en-US": "Inner", "fr-FR": "Intérieur"})),
    }
    body = statement(
        obj=sub, context={"contextActivities": {"parent": [activity("program", name=names)]}}
    )
    [statement_id] = xapi.store(body)
    returned = single(xapi, statement_id, "canonical", **{"Accept-Language": "fr-FR"})
    parent = returned["context"]["contextActivities"]["parent"][0]
    assert parent["definition"]["name"] == {"fr-FR": "Programme"}
    assert returned["object"]["object"]["definition"]["name"] == {"fr-FR": "Intérieur"}


def test_ids_format_strips_context_activities_and_substatement_verbs(xapi):
    sub = {"objectType": "SubStatement", **rich_statement()}
    program = activity("program", name={"en-US": "Program"})
    body = statement(obj=sub, context={"contextActivities": {"grouping": [program]}})
    [statement_id] = xapi.store(body)
    returned = single(xapi, statement_id, "ids")
    grouping = returned["context"]["contextActivities"]["grouping"][0]
    assert grouping["id"] == program["id"]
    assert "definition" not in grouping
    assert "display" not in returned["object"]["verb"]


def test_attachments_true_is_kept_by_the_more_link(xapi):
    xapi.store(file_url_statement())
    xapi.store(file_url_statement())
    first = xapi.get({"attachments": "true", "limit": 1})
    assert first.mimetype == "multipart/mixed"
    body = first.get_data(as_text=True)
    more = orjson.loads(body[body.index("{") : body.rindex("}") + 1])["more"]
    second = xapi.client.open(more, headers=xapi.headers, auth=(xapi.key, xapi.secret))
    assert second.status_code == 200
    assert second.mimetype == "multipart/mixed"


def test_statements_without_define_scope_do_not_change_the_canonical_definition(
    app, db_session, xapi
):
    writer = new_credential(app, scopes=["statements/write"], company=xapi.company)
    xapi.store(statement("ann", obj=activity("course/d", name={"en-US": "Original"})))
    [hijack] = writer.store(statement("bob", obj=activity("course/d", name={"en-US": "Hijacked"})))
    assert single(xapi, hijack, "exact")["object"]["definition"]["name"] == {"en-US": "Hijacked"}
    for returned in query(xapi, "canonical", **{"Accept-Language": "en-US"}):
        assert returned["object"]["definition"]["name"] == {"en-US": "Original"}


@pytest.mark.parametrize(
    ("accept", "forbidden"),
    [("en-US;q=0, fr-FR;q=0, *;q=0.1", {"en-US", "fr-FR"}), ("*, en-US;q=0", {"en-US"})],
)
def test_canonical_never_picks_a_language_with_quality_zero(xapi, accept, forbidden):
    [statement_id] = xapi.store(rich_statement())
    returned = single(xapi, statement_id, "canonical", **{"Accept-Language": accept})
    [language] = returned["object"]["definition"]["name"]
    assert language not in forbidden


def test_canonical_prefers_more_specific_then_primary_language_match(xapi):
    obj = activity("course/en", name={"en-GB": "Colour", "en-US": "Color", "fr-FR": "Couleur"})
    [statement_id] = xapi.store(statement(obj=obj))
    for accept, expected in (("en-US", "Color"), ("en-GB, en;q=0.5", "Colour")):
        returned = single(xapi, statement_id, "canonical", **{"Accept-Language": accept})
        assert list(returned["object"]["definition"]["name"].values()) == [expected], accept
    returned = single(xapi, statement_id, "canonical", **{"Accept-Language": "en"})
    assert next(iter(returned["object"]["definition"]["name"])).startswith("en")


@pytest.mark.parametrize("accept", ["!!!", "en-US;q=abc", ";;", "x" * 300])
def test_canonical_with_malformed_accept_language_still_returns_one_language(xapi, accept):
    [statement_id] = xapi.store(rich_statement())
    returned = single(xapi, statement_id, "canonical", **{"Accept-Language": accept})
    assert len(returned["object"]["definition"]["name"]) == 1
