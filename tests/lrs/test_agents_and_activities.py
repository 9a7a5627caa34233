"""GET agents (Person objects) and GET activities (canonical definitions)."""

from __future__ import annotations

import orjson

from tests.factories import activity, agent, statement
from tests.xapi_client import new_credential

COURSE = "http://example.com/course/safety"


def get_activity(xapi, activity_id=COURSE):
    return xapi.request("GET", "activities", query_string={"activityId": activity_id})


def test_person_lists_names_and_identifier(xapi):
    xapi.store(
        statement("ann"), {**statement("ann"), "actor": {**agent("ann"), "name": "Ann Smith"}}
    )
    response = xapi.request(
        "GET",
        "agents",
        query_string={"agent": orjson.dumps({"mbox": "mailto:ann@example.com"}).decode()},
    )
    assert response.status_code == 200
    person = response.json
    assert person["objectType"] == "Person"
    assert person["mbox"] == ["mailto:ann@example.com"]
    assert sorted(person["name"]) == ["Ann", "Ann Smith"]


def test_person_for_an_unknown_agent_has_its_identifier(xapi):
    response = xapi.request(
        "GET",
        "agents",
        query_string={"agent": orjson.dumps({"openid": "http://id.example.com/x"}).decode()},
    )
    assert response.json == {"objectType": "Person", "openid": ["http://id.example.com/x"]}


def test_agents_requires_a_valid_agent(xapi):
    assert xapi.request("GET", "agents").status_code == 400
    assert xapi.request("GET", "agents", query_string={"agent": '{"name":"x"}'}).status_code == 400


def test_activity_definition_is_assembled_from_statements(xapi):
    xapi.store(
        statement(
            obj=activity(
                name={"en-US": "Safety"}, type="http://adlnet.gov/expapi/activities/course"
            )
        )
    )
    xapi.store(statement(obj=activity(name={"de": "Sicherheit"})))
    response = get_activity(xapi)
    assert response.status_code == 200
    assert response.json == {
        "objectType": "Activity",
        "id": COURSE,
        "definition": {
            "name": {"en-US": "Safety", "de": "Sicherheit"},
            "type": "http://adlnet.gov/expapi/activities/course",
        },
    }


def test_context_activities_are_recorded_too(xapi):
    parent = {"id": "http://example.com/program", "definition": {"name": {"en": "Program"}}}
    xapi.store(statement(context={"contextActivities": {"parent": parent}}))
    assert get_activity(xapi, "http://example.com/program").json["definition"] == {
        "name": {"en": "Program"}
    }


def test_unknown_activity_is_404(xapi):
    assert get_activity(xapi, "http://example.com/never").status_code == 404


def test_without_define_scope_definitions_are_not_changed(app, db_session, xapi):
    xapi.store(statement(obj=activity(name={"en-US": "Safety"})))
    writer = new_credential(app, scopes=["statements/write"], company=xapi.company)
    writer.store(statement(obj=activity(name={"en-US": "Hijacked"}, description={"en-US": "x"})))
    assert get_activity(xapi).json["definition"] == {"name": {"en-US": "Safety"}}


def test_activity_seen_without_define_scope_exists_without_definition(app, db_session):
    writer = new_credential(app, scopes=["statements/write", "statements/read"])
    writer.store(statement(obj=activity(name={"en-US": "Safety"})))
    assert get_activity(writer).json == {"objectType": "Activity", "id": COURSE}


def test_canonical_format_uses_canonical_definition_in_preferred_language(xapi):
    [first] = xapi.store(statement(obj=activity(name={"en-US": "Safety", "fr": "Sécurité"})))
    xapi.store(
        statement(obj=activity(name={"de": "Sicherheit"}, description={"en-US": "About safety"}))
    )
    response = xapi.get(
        {"statementId": first, "format": "canonical"}, headers={"Accept-Language": "de, en;q=0.5"}
    )
    definition = response.json["object"]["definition"]
    assert definition == {"name": {"de": "Sicherheit"}, "description": {"en-US": "About safety"}}


def test_activities_are_isolated_between_companies(app, db_session, xapi):
    xapi.store(statement(obj=activity(name={"en-US": "Safety"})))
    other = new_credential(app, scopes=["all"])
    assert get_activity(other).status_code == 404
