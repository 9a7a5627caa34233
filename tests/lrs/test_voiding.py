"""Voiding (Data 2.3.2, Communication 2.1.4) and the StatementRef filter rule (2.1.3)."""

from __future__ import annotations

import time
import uuid

import pytest

from hr_api.tokens import development_token
from mapping.identity import EmployeeRecord, upsert_employees
from statements.timestamps import now
from tests.factories import (
    COMPLETED,
    PASSED,
    VOIDED,
    IntegrationFactory,
    activity,
    agent,
    statement,
    voiding,
)
from tests.hr_api.users import HrUser, grant
from tests.xapi_client import new_credential


def ids(xapi, **params) -> list[str]:
    response = xapi.get(params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [s["id"] for s in response.json["statements"]]


def ref(statement_id: str) -> dict[str, str]:
    return {"objectType": "StatementRef", "id": statement_id}


def is_voided(xapi, statement_id: str) -> bool:
    by_id = xapi.get({"statementId": statement_id}).status_code
    by_voided = xapi.get({"voidedStatementId": statement_id}).status_code
    assert {by_id, by_voided} == {200, 404}, (by_id, by_voided)
    return by_voided == 200


def test_voided_statement_disappears_from_queries_but_stays_reachable_by_voided_id(xapi):
    [target, other] = xapi.store(statement("ann"), statement("bob"))
    [voiding_id] = xapi.store(voiding(target))
    assert set(ids(xapi)) == {other, voiding_id}
    assert xapi.get({"statementId": target}).status_code == 404
    response = xapi.get({"voidedStatementId": target})
    assert response.status_code == 200
    assert response.json["id"] == target
    assert response.json["actor"] == agent("ann")


def test_voiding_statement_is_returned_by_queries_and_statement_id(xapi):
    [target] = xapi.store(statement())
    [voiding_id] = xapi.store(voiding(target))
    assert voiding_id in ids(xapi, verb=VOIDED)
    assert xapi.get({"statementId": voiding_id}).json["object"] == ref(target)


def test_voided_id_lookup_of_a_live_statement_is_404(xapi):
    [live] = xapi.store(statement())
    assert xapi.get({"voidedStatementId": live}).status_code == 404
    assert xapi.get({"statementId": live}).status_code == 200


def test_voiding_statement_arriving_before_its_target_voids_it(xapi):
    target = str(uuid.uuid4())
    [voiding_id] = xapi.store(voiding(target))
    assert ids(xapi) == [voiding_id]
    xapi.store(statement(id=target))
    assert is_voided(xapi, target)
    assert ids(xapi) == [voiding_id]


def test_voiding_statement_arriving_before_its_target_voids_a_put_target(xapi):
    target = str(uuid.uuid4())
    xapi.store(voiding(target))
    assert xapi.put(target, statement()).status_code == 204
    assert is_voided(xapi, target)
    assert target not in ids(xapi)


def test_voiding_and_target_in_one_batch_in_either_order(xapi):
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    xapi.store(statement("ann", id=first), voiding(first))
    xapi.store(voiding(second), statement("bob", id=second))
    assert is_voided(xapi, first)
    assert is_voided(xapi, second)
    assert not {first, second} & set(ids(xapi))


def test_voiding_a_voiding_statement_has_no_effect(xapi):
    [target] = xapi.store(statement())
    [voiding_id] = xapi.store(voiding(target))
    [second_voiding] = xapi.store(voiding(voiding_id))
    assert not is_voided(xapi, voiding_id)
    assert is_voided(xapi, target)
    assert set(ids(xapi)) == {voiding_id, second_voiding}


def test_voiding_statement_stored_before_a_voiding_target_does_not_void_it(xapi):
    voiding_target = str(uuid.uuid4())
    [target] = xapi.store(statement())
    xapi.store(voiding(voiding_target))
    xapi.store({**voiding(target), "id": voiding_target})
    assert not is_voided(xapi, voiding_target)
    assert is_voided(xapi, target)


def test_voiding_an_unknown_statement_is_accepted(xapi):
    response = xapi.post(voiding(str(uuid.uuid4())))
    assert response.status_code == 200


def test_voided_statement_cannot_be_reused_by_reposting_the_same_id(xapi):
    [target] = xapi.store(statement())
    xapi.store(voiding(target))
    assert xapi.put(target, statement()).status_code == 204
    assert is_voided(xapi, target)
    assert xapi.put(target, statement(verb=PASSED)).status_code == 409


def test_voided_statements_are_hidden_from_every_filter(xapi):
    registration = str(uuid.uuid4())
    body = statement(
        "ann",
        PASSED,
        activity("a"),
        context={"registration": registration, "instructor": agent("ivy")},
    )
    [target] = xapi.store(body)
    xapi.store(voiding(target))
    for params in (
        {"agent": agent("ann")},
        {"agent": agent("ivy"), "related_agents": "true"},
        {"verb": PASSED},
        {"activity": activity("a")["id"]},
        {"activity": activity("a")["id"], "related_activities": "true"},
        {"registration": registration},
        {"since": "2000-01-01T00:00:00Z"},
        {"ascending": "true"},
    ):
        assert target not in ids(xapi, **params), params


# The StatementRef filter rule (Communication 2.1.3 "Filter Conditions for StatementRefs").


def test_statement_ref_matches_filters_through_its_target(xapi):
    registration = str(uuid.uuid4())
    [target] = xapi.store(
        statement("ben", PASSED, activity("explosives"), context={"registration": registration})
    )
    [confirm] = xapi.store(statement("andrew", COMPLETED, ref(target)))
    xapi.store(statement("cat", COMPLETED, activity("other")))
    assert set(ids(xapi, agent=agent("ben"))) == {target, confirm}
    assert set(ids(xapi, verb=PASSED)) == {target, confirm}
    assert set(ids(xapi, activity=activity("explosives")["id"])) == {target, confirm}
    assert set(ids(xapi, registration=registration)) == {target, confirm}
    both = {"agent": agent("ben"), "verb": PASSED, "activity": activity("explosives")["id"]}
    assert set(ids(xapi, **both)) == {target, confirm}


def test_statement_ref_rule_applies_recursively(xapi):
    [c] = xapi.store(statement("ben", PASSED, activity("explosives")))
    [b] = xapi.store(statement("andrew", COMPLETED, ref(c)))
    [a] = xapi.store(statement("zoe", COMPLETED, ref(b)))
    assert set(ids(xapi, agent=agent("ben"))) == {a, b, c}
    assert set(ids(xapi, activity=activity("explosives")["id"])) == {a, b, c}


def test_statement_ref_rule_uses_related_filters_of_the_target(xapi):
    body = statement(
        "ben",
        PASSED,
        activity("x"),
        context={
            "instructor": agent("ivy"),
            "contextActivities": {"parent": [activity("program")]},
        },
    )
    [target] = xapi.store(body)
    [confirm] = xapi.store(statement("andrew", COMPLETED, ref(target)))
    related_agent = {"agent": agent("ivy"), "related_agents": "true"}
    related_activity = {"activity": activity("program")["id"], "related_activities": "true"}
    assert set(ids(xapi, **related_agent)) == {target, confirm}
    assert set(ids(xapi, **related_activity)) == {target, confirm}


def test_statement_ref_still_matches_on_its_own_properties(xapi):
    [target] = xapi.store(statement("ben", PASSED))
    [confirm] = xapi.store(statement("andrew", COMPLETED, ref(target)))
    assert set(ids(xapi, agent=agent("andrew"))) == {confirm}
    assert set(ids(xapi, verb=COMPLETED)) == {confirm}


def test_time_and_limit_filters_apply_to_the_referring_statement(xapi):
    [target] = xapi.store(statement("ben", PASSED))
    time.sleep(0.01)
    [confirm] = xapi.store(statement("andrew", COMPLETED, ref(target)))
    stored = {s["id"]: s["stored"] for s in xapi.get().json["statements"]}
    assert ids(xapi, agent=agent("ben"), since=stored[target]) == [confirm]
    assert ids(xapi, agent=agent("ben"), until=stored[target]) == [target]
    assert ids(xapi, agent=agent("ben"), limit=1) == [confirm]
    assert ids(xapi, agent=agent("ben"), limit=1, ascending="true") == [target]


def test_statement_ref_to_a_missing_statement_matches_no_target_filter(xapi):
    [dangling] = xapi.store(statement("andrew", COMPLETED, ref(str(uuid.uuid4()))))
    assert ids(xapi, agent=agent("ben")) == []
    assert ids(xapi, agent=agent("andrew")) == [dangling]


def test_statement_ref_whose_target_arrives_later_matches_once_it_is_stored(xapi):
    target = str(uuid.uuid4())
    [confirm] = xapi.store(statement("andrew", COMPLETED, ref(target)))
    xapi.store(statement("ben", PASSED, id=target))
    assert set(ids(xapi, agent=agent("ben"))) == {target, confirm}


def test_statements_targeting_a_voided_statement_are_still_returned(xapi):
    [target] = xapi.store(statement("ben", PASSED, activity("explosives")))
    [confirm] = xapi.store(statement("andrew", COMPLETED, ref(target)))
    [voiding_id] = xapi.store(voiding(target))
    assert set(ids(xapi, agent=agent("ben"))) == {confirm, voiding_id}
    assert set(ids(xapi, activity=activity("explosives")["id"])) == {confirm, voiding_id}
    assert set(ids(xapi, verb=PASSED)) == {confirm, voiding_id}


def test_voided_statement_is_not_returned_through_the_statement_ref_rule(xapi):
    [target] = xapi.store(statement("ben", PASSED))
    [confirm] = xapi.store(statement("andrew", COMPLETED, ref(target)))
    [voiding_id] = xapi.store(voiding(confirm))
    assert set(ids(xapi, agent=agent("ben"))) == {target, voiding_id}
    assert ids(xapi, agent=agent("andrew")) == [voiding_id]


def test_voiding_verb_with_an_activity_object_is_rejected(xapi):
    body = statement("admin", VOIDED, activity("x"))
    response = xapi.post([statement("bob"), body])
    assert response.status_code == 400
    assert ids(xapi) == []


def test_head_on_voided_statement_id_is_404(xapi):
    [target] = xapi.store(statement())
    xapi.store(voiding(target))
    response = xapi.request("HEAD", "statements", query_string={"statementId": target})
    assert response.status_code == 404
    response = xapi.request("HEAD", "statements", query_string={"voidedStatementId": target})
    assert response.status_code == 200


def test_substatement_with_voided_verb_does_not_void_anything(xapi):
    [target] = xapi.store(statement())
    sub = {"objectType": "SubStatement", **statement("admin", VOIDED, ref(target))}
    xapi.store(statement("bob", obj=sub))
    assert not is_voided(xapi, target)


def test_statement_ref_in_context_does_not_void_anything(xapi):
    [target] = xapi.store(statement())
    xapi.store(statement("admin", COMPLETED, activity("x"), context={"statement": ref(target)}))
    assert not is_voided(xapi, target)


def test_statement_ref_chain_through_a_voided_statement_still_matches(xapi):
    [a] = xapi.store(statement("ben", PASSED))
    [b] = xapi.store(statement("andrew", COMPLETED, ref(a)))
    [c] = xapi.store(statement("zoe", COMPLETED, ref(b)))
    [v] = xapi.store(voiding(b))
    assert set(ids(xapi, agent=agent("ben"))) == {a, c, v}
    assert set(ids(xapi, agent=agent("andrew"))) == {c, v}


def test_statement_ref_cycles_terminate(xapi):
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    xapi.store(statement("ann", COMPLETED, ref(b), id=a), statement("bob", PASSED, ref(a), id=b))
    c = str(uuid.uuid4())
    [self_ref] = xapi.store(statement("cat", id=c, obj=ref(c)))
    assert set(ids(xapi, agent=agent("ann"))) == {a, b}
    assert set(ids(xapi, verb=PASSED)) == {a, b}
    assert ids(xapi, agent=agent("cat")) == [self_ref]
    assert ids(xapi, agent=agent("zed")) == []


def test_voiding_statements_targeting_each_other_are_both_kept(xapi):
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    xapi.store({**voiding(second), "id": first}, {**voiding(first), "id": second})
    assert not is_voided(xapi, first)
    assert not is_voided(xapi, second)
    assert set(ids(xapi)) == {first, second}


def test_voiding_statement_targeting_itself_is_kept(xapi):
    own = str(uuid.uuid4())
    xapi.store({**voiding(own), "id": own})
    assert not is_voided(xapi, own)
    assert ids(xapi) == [own]


def test_a_statement_is_voided_only_by_its_authority_or_its_integration(app, xapi):
    integration = IntegrationFactory(company_id=xapi.company.id)
    moodle = new_credential(
        app, scopes=["all"], company=xapi.company, integration_id=integration.id
    )
    rotated = new_credential(
        app, scopes=["all"], company=xapi.company, integration_id=integration.id
    )
    other_lms = new_credential(app, scopes=["all"], company=xapi.company,
                               integration_id=IntegrationFactory(company_id=xapi.company.id).id)  # fmt: skip
    [from_moodle] = moodle.store(statement("ann"))
    [from_content] = xapi.store(statement("bob"))
    for voider, target in ((other_lms, from_moodle), (moodle, from_content), (xapi, from_moodle)):
        response = voider.post(voiding(target))
        assert response.status_code == 403
        assert "stored by another authority" in response.json["detail"]
        assert not is_voided(xapi, target)
    rotated.store(voiding(from_moodle))  # a new credential of the same integration
    assert is_voided(xapi, from_moodle)


def test_a_voiding_statement_of_another_authority_leaves_a_later_target_alone(app, xapi):
    other = new_credential(app, scopes=["all"], company=xapi.company)
    target_id = str(uuid.uuid4())
    other.store(voiding(target_id))
    xapi.store(statement(id=target_id))
    assert not is_voided(xapi, target_id)


def test_the_hr_systems_statements_are_voided_by_no_lms(admin_and_lms):
    admin, lms, enrollment = admin_and_lms
    [hr_statement] = enrollment["statement_ids"]
    response = lms.post(voiding(hr_statement))
    assert response.status_code == 403
    [kept] = admin.get("lms-enrollments/").json["items"]
    assert kept["is_mandatory"] is True


@pytest.fixture
def admin_and_lms(app, db_session, settings, xapi):
    """An HR administrator who assigned a mandatory course, and the LMS of that course."""
    integration = IntegrationFactory(company_id=xapi.company.id)
    [ann] = upsert_employees(db_session, xapi.company.id, [EmployeeRecord("E1", "Ann", "ann@example.com")], now())  # fmt: skip
    user_id = uuid.uuid4()
    grant(db_session, xapi.company, user_id, "all")
    admin = HrUser(
        app, development_token(settings, user_id, xapi.company.id), user_id, xapi.company
    )
    body = {"employee_id": str(ann.id), "lms_integration_id": str(integration.id),
            "course_activity_id": "https://lms.example.com/courses/ethics", "is_mandatory": True}  # fmt: skip
    created = admin.post("lms-enrollments/", body).json
    progress = admin.get(f"lms-progress/{created['id']}/").json
    lms = new_credential(app, scopes=["all"], company=xapi.company, integration_id=integration.id)
    return admin, lms, progress
