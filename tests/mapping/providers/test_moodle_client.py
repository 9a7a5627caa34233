"""Moodle's web services as the client meets them: PHP-encoded parameters, errors in 200
bodies, paging by limitfrom, and the HTTP client's retries, waits and timeouts."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs

import pytest
import responses

from mapping.providers.errors import (
    AuthError,
    PermissionDenied,
    ProviderError,
    TransientError,
)
from mapping.providers.http import LONGEST_WAIT_S, HttpClient, Politeness
from mapping.providers.moodle import PAGE, MoodleClient, php_params
from tests.mapping.providers.fake_lms import Fault, serving
from tests.mapping.providers.fixtures import load

SITE = "https://lms.acme.example/moodle"
ENDPOINT = f"{SITE}/webservice/rest/server.php"


def fixture(name: str):
    return load("moodle", name)


def client(retries: int = 2) -> MoodleClient:
    return MoodleClient(
        SITE + "/", "s3cr3t", HttpClient(Politeness(5, retries, 0, private_networks=True))
    )


def function_of(call) -> str:
    return parse_qs(call.request.body)["wsfunction"][0]


def answer(by_function: dict):
    """A callback answering each web service function with its fixture body."""

    def reply(request):
        form = parse_qs(request.body)
        assert form["wstoken"] == ["s3cr3t"] and form["moodlewsrestformat"] == ["json"]
        return 200, {}, json.dumps(by_function[form["wsfunction"][0]])

    return reply


@responses.activate
def test_a_connection_test_names_the_missing_functions_and_the_courses():
    responses.add_callback(
        responses.POST, ENDPOINT,
        callback=answer({"core_webservice_get_site_info": fixture("site_info"),
                         "core_course_get_courses_by_field": fixture("courses")}),
    )  # fmt: skip
    report = client().test()
    assert (report.site_name, report.release) == ("Acme Learning", "4.5.1 (Build: 20241209)")
    assert report.missing_permissions == [
        "core_course_get_contents",
        "gradereport_user_get_grade_items",
    ]
    assert report.courses == ["ISA24", "GDPR101"]  # the site's front page is no course
    assert [function_of(c) for c in responses.calls] == [
        "core_webservice_get_site_info", "core_course_get_courses_by_field",
    ]  # fmt: skip


@responses.activate
def test_a_bad_token_says_where_to_make_one():
    body = {"exception": "moodle_exception", "errorcode": "invalidtoken", "message": "Invalid token - token not found"}  # fmt: skip
    responses.add(responses.POST, ENDPOINT, json=body, status=200)
    with pytest.raises(AuthError) as raised:
        client().site_info()
    assert raised.value.code == "invalidtoken"
    assert "Manage tokens" in raised.value.message


@responses.activate
def test_a_function_missing_from_the_service_is_named():
    body = {"exception": "webservice_access_exception", "errorcode": "accessexception", "message": "Access control exception"}  # fmt: skip
    responses.add(responses.POST, ENDPOINT, json=body, status=200)
    with pytest.raises(PermissionDenied) as raised:
        client().activities_completion(12, 57)
    assert raised.value.message.startswith(
        "the token lacks core_completion_get_activities_completion_status: add it to the Moodle external service"
    )


@responses.activate
def test_a_course_without_completion_criteria_tracks_none():
    body = {"exception": "moodle_exception", "errorcode": "nocriteriaset", "message": "No completion criteria set for this course"}  # fmt: skip
    responses.add(responses.POST, ENDPOINT, json=body, status=200)
    assert client().course_completion(15, 57) is None


@responses.activate
def test_enrolled_users_are_read_a_page_at_a_time():
    people = [
        {"id": n, "fullname": f"Jörg Nummer {n}", "email": f"u{n}@acme.example"}
        for n in range(PAGE + 3)
    ]

    def reply(request):
        form = parse_qs(request.body)
        assert form["courseid"] == ["12"] and form["options[0][name]"] == ["limitfrom"]
        start = int(form["options[0][value]"][0])
        return 200, {}, json.dumps(people[start : start + PAGE])

    responses.add_callback(responses.POST, ENDPOINT, callback=reply)
    assert [user["id"] for user in client().enrolled_users(12)] == list(range(PAGE + 3))
    assert len(responses.calls) == 2


@responses.activate
def test_a_server_error_is_retried_and_then_the_answer_read():
    responses.add(responses.POST, ENDPOINT, body="Internal error", status=500)
    responses.add(responses.POST, ENDPOINT, json=fixture("site_info"), status=200)
    assert client().site_info()["sitename"] == "Acme Learning"
    assert len(responses.calls) == 2


@responses.activate
def test_failures_beyond_the_retries_allowed_fail_the_request():
    responses.add(responses.POST, ENDPOINT, body="Service Unavailable", status=503)
    with pytest.raises(TransientError):
        client(retries=2).site_info()
    assert len(responses.calls) == 3  # the request and two retries


def test_retry_after_is_waited_for_over_real_http(monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)
    with serving() as lms:
        lms.answer("core_webservice_get_site_info", fixture("site_info"))
        lms.faults = [Fault(429, {"Retry-After": "7"}), Fault(503, {"Retry-After": "3"})]
        moodle = MoodleClient(
            lms.url, "s3cr3t", HttpClient(Politeness(5, 3, 0, private_networks=True))
        )
        assert moodle.site_info()["release"].startswith("4.5.1")
    assert waits == [7, 3]
    assert len(lms.requests) == 3


def test_a_retry_after_too_long_to_wait_within_a_request_is_cut_short(monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)
    with serving() as lms:
        lms.answer("core_webservice_get_site_info", fixture("site_info"))
        lms.faults = [Fault(429, {"Retry-After": "3600"})]
        MoodleClient(
            lms.url, "s3cr3t", HttpClient(Politeness(5, 1, 0, private_networks=True))
        ).site_info()
    assert waits == [LONGEST_WAIT_S]


@responses.activate
def test_rest_turned_off_and_a_wrong_site_url_are_told_apart():
    responses.add(responses.POST, ENDPOINT, body="", status=403)
    with pytest.raises(PermissionDenied):
        client().site_info()
    responses.replace(responses.POST, ENDPOINT, body="<html>Welcome</html>", status=200)
    with pytest.raises(ProviderError) as raised:
        client().site_info()
    assert "wwwroot" in raised.value.message


def test_parameters_are_encoded_as_php_arrays():
    assert php_params({"courseid": 12, "options": [{"name": "onlyactive", "value": True}]}) == {
        "courseid": "12", "options[0][name]": "onlyactive", "options[0][value]": "1",
    }  # fmt: skip


@pytest.mark.parametrize(
    "site",
    ["http://127.0.0.1:9", "http://169.254.169.254/latest", "http://10.1.2.3", "http://[::1]:80"],
)
def test_a_site_on_a_private_network_is_refused_unless_allowed(site):
    """An HR admin cannot make the server probe the networks it runs in."""
    moodle = MoodleClient(site, "t", HttpClient(Politeness(5, 0, 0)))
    with pytest.raises(PermissionDenied) as raised:
        moodle.site_info()
    assert "LRS_PROVIDERS_PRIVATE_NETWORKS=true" in raised.value.message
