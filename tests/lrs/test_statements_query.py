"""GET /statements query filters (xAPI Communication 2.1.3)."""

from __future__ import annotations

import hashlib
import time
import uuid

import pytest

from tests.factories import COMPLETED, EXPERIENCED, PASSED, activity, agent, statement


def ids(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert set(response.json) <= {"statements", "more"}
    return [s["id"] for s in response.json["statements"]]


def found(xapi, **params) -> set[str]:
    return set(ids(xapi.get(params)))


def group(*names, **ifi):
    result = {"objectType": "Group", "member": [agent(n) for n in names]}
    result.update(ifi)
    return result


ACCOUNT = {"homePage": "http://hr.example.com", "name": "emp-7"}
SHA1 = hashlib.sha1(b"mailto:sha@example.com").hexdigest()


def test_query_without_filters_returns_all_statements_newest_first(xapi):
    first = xapi.store(statement("ann"))
    second = xapi.store(statement("bob"))
    response = xapi.get()
    assert ids(response) == second + first
    assert response.json.get("more", "") == ""


def test_query_with_no_matches_returns_200_and_empty_statement_result(xapi):
    response = xapi.get({"verb": PASSED})
    assert response.status_code == 200
    assert response.json["statements"] == []
    assert response.json.get("more", "") == ""


def test_agent_filter_matches_actor_by_mbox_regardless_of_name(xapi):
    [mine] = xapi.store(statement("ann"))
    renamed = statement("ann")
    renamed["actor"]["name"] = "Someone Else"
    [also_mine] = xapi.store(renamed)
    xapi.store(statement("bob"))
    assert found(xapi, agent=agent("ann")) == {mine, also_mine}
    assert found(xapi, agent={"mbox": "mailto:ann@example.com"}) == {mine, also_mine}


def test_agent_filter_does_not_match_on_name_alone(xapi):
    impostor = statement("bob")
    impostor["actor"]["name"] = "Ann"
    xapi.store(impostor)
    assert found(xapi, agent=agent("ann")) == set()


@pytest.mark.parametrize(
    "ifi",
    [
        {"account": ACCOUNT},
        {"mbox_sha1sum": SHA1},
        {"openid": "http://openid.example.com/ann"},
    ],
    ids=lambda ifi: next(iter(ifi)),
)
def test_agent_filter_matches_every_kind_of_identifier(xapi, ifi):
    actor = {"objectType": "Agent", **ifi}
    body = statement()
    body["actor"] = actor
    [match] = xapi.store(body)
    xapi.store(statement("bob"))
    assert found(xapi, agent=ifi) == {match}


def test_agent_filter_with_different_account_home_page_does_not_match(xapi):
    body = statement()
    body["actor"] = {"objectType": "Agent", "account": ACCOUNT}
    xapi.store(body)
    other = {"account": {**ACCOUNT, "homePage": "http://other.example.com"}}
    assert found(xapi, agent=other) == set()


def test_agent_filter_matches_agent_as_object(xapi):
    [match] = xapi.store(statement("bob", obj=agent("ann")))
    xapi.store(statement("bob"))
    assert found(xapi, agent=agent("ann")) == {match}


def test_agent_filter_matches_group_actor_containing_the_agent(xapi):
    body = statement()
    body["actor"] = group("ann", "bob")
    [anonymous] = xapi.store(body)
    identified = statement()
    identified["actor"] = group("bob", "ann", mbox="mailto:team@example.com", name="Team")
    [with_ifi] = xapi.store(identified)
    xapi.store(statement("cat"))
    assert found(xapi, agent=agent("ann")) == {anonymous, with_ifi}


def test_agent_filter_with_identified_group_matches_that_group(xapi):
    body = statement()
    body["actor"] = group("bob", mbox="mailto:team@example.com")
    [match] = xapi.store(body)
    xapi.store(statement("bob"))
    filter_group = {"objectType": "Group", "mbox": "mailto:team@example.com"}
    assert found(xapi, agent=filter_group) == {match}


def test_agent_filter_ignores_context_and_authority_unless_related_agents(xapi):
    body = statement("bob", context={"instructor": agent("ann")})
    [instructed] = xapi.store(body)
    assert found(xapi, agent=agent("ann")) == set()
    assert found(xapi, agent=agent("ann"), related_agents="true") == {instructed}


@pytest.mark.parametrize(
    "value",
    [
        "not json",
        '{"name": "Ann"}',
        '{"mbox": "mailto:a@example.com", "openid": "http://a.example.com"}',
        '{"mbox": "ann@example.com"}',
        '["mailto:a@example.com"]',
        '{"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]}',
    ],
    ids=["not-json", "no-ifi", "two-ifis", "bad-mbox", "array", "anonymous-group"],
)
def test_agent_filter_that_is_not_an_agent_or_identified_group_is_400(xapi, value):
    assert xapi.get({"agent": value}).status_code == 400


def test_verb_filter_matches_exact_verb_iri_only(xapi):
    [completed] = xapi.store(statement(verb=COMPLETED))
    xapi.store(statement(verb=PASSED), statement(verb=COMPLETED + "/extra"))
    assert found(xapi, verb=COMPLETED) == {completed}


def test_verb_filter_must_be_an_iri(xapi):
    assert xapi.get({"verb": "completed"}).status_code == 400


def test_activity_filter_matches_object_activity_id_only(xapi):
    [match] = xapi.store(statement(obj=activity("course/a")))
    in_context = statement(
        obj=activity("course/b"),
        context={"contextActivities": {"parent": [activity("course/a")]}},
    )
    xapi.store(in_context, statement(obj=activity("course/a/sub")))
    assert found(xapi, activity=activity("course/a")["id"]) == {match}


def test_activity_filter_must_be_an_iri(xapi):
    assert xapi.get({"activity": "course a"}).status_code == 400


def test_related_activities_widens_activity_to_context_and_substatement(xapi):
    target = activity("course/a")
    context_bodies = [
        statement(obj=activity("x"), context={"contextActivities": {key: [target]}})
        for key in ("parent", "grouping", "category", "other")
    ]
    sub = {"objectType": "SubStatement", **statement("bob", obj=target)}
    sub_context = {
        "objectType": "SubStatement",
        **statement(
            "bob", obj=activity("y"), context={"contextActivities": {"grouping": [target]}}
        ),
    }
    related = xapi.store(*context_bodies, statement(obj=sub), statement(obj=sub_context))
    [direct] = xapi.store(statement(obj=target))
    xapi.store(statement(obj=activity("unrelated")))
    assert found(xapi, activity=target["id"]) == {direct}
    assert found(xapi, activity=target["id"], related_activities="true") == {*related, direct}
    assert found(xapi, activity=target["id"], related_activities="false") == {direct}


def test_related_agents_widens_agent_to_authority_instructor_team_and_substatement(xapi):
    ann = agent("ann")
    team = group("ann", "bob", mbox="mailto:team@example.com")
    sub_actor = {"objectType": "SubStatement", **statement("ann")}
    sub_object = {"objectType": "SubStatement", **statement("bob", obj=ann)}
    sub_instructor = {
        "objectType": "SubStatement",
        **statement("bob", context={"instructor": ann}),
    }
    related = xapi.store(
        statement("cat", context={"instructor": ann}),
        statement("cat", context={"team": team}),
        statement("cat", obj=sub_actor),
        statement("cat", obj=sub_object),
        statement("cat", obj=sub_instructor),
    )
    [direct] = xapi.store(statement("ann"))
    xapi.store(statement("cat"))
    assert found(xapi, agent=ann) == {direct}
    assert found(xapi, agent=ann, related_agents="true") == {*related, direct}


def test_related_agents_matches_the_authority_of_the_credential(xapi):
    all_ids = set(xapi.store(statement("ann"), statement("bob")))
    authority = xapi.get().json["statements"][0]["authority"]
    assert found(xapi, agent=authority) == set()
    assert found(xapi, agent=authority, related_agents="true") == all_ids


def test_registration_filter_matches_context_registration(xapi):
    registration = str(uuid.uuid4())
    [match] = xapi.store(statement(context={"registration": registration}))
    xapi.store(statement(context={"registration": str(uuid.uuid4())}), statement())
    assert found(xapi, registration=registration) == {match}
    assert found(xapi, registration=registration.upper()) == {match}


def test_registration_filter_must_be_a_uuid(xapi):
    assert xapi.get({"registration": "reg-1"}).status_code == 400


def test_since_is_exclusive_and_until_is_inclusive_on_stored(xapi):
    [first] = xapi.store(statement("ann"))
    time.sleep(0.01)
    [second] = xapi.store(statement("bob"))
    time.sleep(0.01)
    [third] = xapi.store(statement("cat"))
    stored = {s["id"]: s["stored"] for s in xapi.get().json["statements"]}
    assert found(xapi, since=stored[first]) == {second, third}
    assert found(xapi, until=stored[second]) == {first, second}
    assert found(xapi, since=stored[first], until=stored[third]) == {second, third}
    assert found(xapi, since=stored[third]) == set()


def test_since_and_until_accept_other_time_zones(xapi):
    [statement_id] = xapi.store(statement())
    assert found(xapi, since="2000-01-01T02:00:00+02:00") == {statement_id}
    assert found(xapi, until="2000-01-01T02:00:00+02:00") == set()


def test_since_and_until_do_not_use_the_statement_timestamp(xapi):
    [statement_id] = xapi.store(statement(timestamp="2001-01-01T00:00:00Z"))
    assert found(xapi, until="2002-01-01T00:00:00Z") == set()
    assert found(xapi, since="2002-01-01T00:00:00Z") == {statement_id}


@pytest.mark.parametrize("param", ["since", "until"])
@pytest.mark.parametrize("value", ["yesterday", "2020-13-01T00:00:00Z", ""])
def test_malformed_since_and_until_are_400(xapi, param, value):
    assert xapi.get({param: value}).status_code == 400


@pytest.mark.parametrize("param", ["related_activities", "related_agents", "ascending"])
@pytest.mark.parametrize("value", ["1", "yes", "True", ""])
def test_boolean_parameters_accept_only_true_or_false(xapi, param, value):
    assert xapi.get({param: value}).status_code == 400


@pytest.mark.parametrize("value", ["-1", "ten", "1.5", ""])
def test_malformed_limit_is_400(xapi, value):
    assert xapi.get({"limit": value}).status_code == 400


def test_filters_combine_with_and(xapi):
    registration = str(uuid.uuid4())
    ctx = {"registration": registration}
    [match] = xapi.store(statement("ann", PASSED, activity("a"), context=ctx))
    xapi.store(
        statement("bob", PASSED, activity("a"), context=ctx),
        statement("ann", COMPLETED, activity("a"), context=ctx),
        statement("ann", PASSED, activity("b"), context=ctx),
        statement("ann", PASSED, activity("a")),
    )
    params = {
        "agent": agent("ann"),
        "verb": PASSED,
        "activity": activity("a")["id"],
        "registration": registration,
    }
    assert found(xapi, **params) == {match}


def test_filter_values_are_compared_as_plain_strings(xapi):
    xapi.store(statement(EXPERIENCED.upper().replace("HTTP", "http")))
    assert found(xapi, verb=EXPERIENCED) == set()


def test_statements_with_statement_ref_in_context_are_not_matched_through_it(xapi):
    [target] = xapi.store(statement("ann", PASSED, activity("a")))
    ref = {"objectType": "StatementRef", "id": target}
    xapi.store(statement("bob", COMPLETED, activity("b"), context={"statement": ref}))
    assert found(xapi, agent=agent("ann")) == {target}
    assert found(xapi, verb=PASSED) == {target}
    assert found(xapi, activity=activity("a")["id"]) == {target}


def test_query_response_has_json_content_type_and_consistent_through(xapi):
    xapi.store(statement())
    response = xapi.get({"verb": COMPLETED})
    assert response.content_type.startswith("application/json")
    assert "X-Experience-API-Consistent-Through" in response.headers


def test_agent_filter_by_sha1sum_does_not_match_the_same_person_by_mbox(xapi):
    xapi.store(statement("ann"))
    digest = hashlib.sha1(b"mailto:ann@example.com").hexdigest()
    assert found(xapi, agent={"mbox_sha1sum": digest}) == set()


def test_agent_filter_matches_group_object_containing_the_agent(xapi):
    [match] = xapi.store(statement("bob", obj=group("ann", "cat")))
    xapi.store(statement("bob", obj=group("cat")))
    assert found(xapi, agent=agent("ann")) == {match}


def test_substatement_parts_match_only_with_related_filters(xapi):
    sub = {"objectType": "SubStatement", **statement("ann", obj=activity("inner"))}
    [outer] = xapi.store(statement("bob", obj=sub))
    assert found(xapi, agent=agent("ann")) == set()
    assert found(xapi, activity=activity("inner")["id"]) == set()
    assert found(xapi, agent=agent("ann"), related_agents="true") == {outer}
    assert found(xapi, activity=activity("inner")["id"], related_activities="true") == {outer}


def test_related_agents_matches_team_member_and_substatement_team(xapi):
    team = group("ann", "bob")
    sub = {"objectType": "SubStatement", **statement("cat", context={"team": team})}
    related = xapi.store(statement("cat", context={"team": team}), statement("dan", obj=sub))
    assert found(xapi, agent=agent("bob"), related_agents="true") == set(related)


def test_related_flags_without_their_filter_change_nothing(xapi):
    all_ids = set(xapi.store(statement("ann"), statement("bob", obj=activity("x"))))
    assert found(xapi, related_agents="true", related_activities="true") == all_ids


def test_agent_filter_accepts_whitespace_and_extra_agent_properties(xapi):
    [match] = xapi.store(statement("ann"))
    value = '{ "objectType": "Agent", "name": "Whoever", "mbox": "mailto:ann@example.com" }'
    assert set(ids(xapi.get({"agent": value}))) == {match}


@pytest.mark.parametrize("param", ["verb", "activity", "agent", "registration"])
def test_empty_filter_values_are_400(xapi, param):
    assert xapi.get({param: ""}).status_code == 400


def test_absurd_limit_is_capped_at_the_page_size(xapi):
    xapi.store(statement())
    response = xapi.get({"limit": "9" * 30})
    assert response.status_code == 200
    assert len(response.json["statements"]) == 1


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999Z",
        "2020-01-01T00:00:00.123456789Z",
        "2020-01-01T00:00:00.5-05:30",
    ],
)
def test_extreme_since_and_until_values_work(xapi, value):
    xapi.store(statement())
    assert xapi.get({"since": value}).status_code == 200
    assert xapi.get({"until": value}).status_code == 200


@pytest.mark.parametrize(
    "value",
    [
        {"objectType": "Group", "member": [{"mbox": "mailto:zed@example.com"}]},
        {"objectType": "Group", "member": []},
    ],
    ids=["anonymous-group-of-stranger", "empty-group"],
)
def test_agent_filter_is_never_silently_ignored(xapi, value):
    xapi.store(statement("ann"), statement("bob"))
    response = xapi.get({"agent": value})
    assert response.status_code == 400
    assert response.json["errors"][0]["path"].startswith("agent")
