"""GET /xapi/about (Communication 2.8)."""

from __future__ import annotations

import pytest


def about(client, method: str = "GET", **kwargs):
    return client.open("/xapi/about", method=method, **kwargs)


def test_about_needs_no_credentials_or_version_header(app):
    response = about(app.test_client())
    assert response.status_code == 200
    assert response.content_type.startswith("application/json")
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_about_lists_every_1_0_patch_version(app):
    versions = about(app.test_client()).json["version"]
    assert {"1.0.3", "1.0.2", "1.0.1", "1.0.0"} <= set(versions)
    assert all(v.startswith(("1.0.", "0.9")) for v in versions)
    assert len(set(versions)) == len(versions)


def test_about_has_only_version_and_extensions(app):
    body = about(app.test_client()).json
    assert set(body) <= {"version", "extensions"}
    if "extensions" in body:
        assert isinstance(body["extensions"], dict)


@pytest.mark.parametrize("version", ["0.9", "2.0.0", "garbage", "1.0.3"])
def test_about_does_not_reject_on_version_header(app, version):
    response = about(app.test_client(), headers={"X-Experience-API-Version": version})
    assert response.status_code == 200
    assert "1.0.3" in response.json["version"]


def test_about_works_with_credentials_too(xapi):
    response = xapi.request("GET", "about")
    assert response.status_code == 200
    assert "1.0.3" in response.json["version"]


def test_about_ignores_wrong_credentials(xapi):
    response = xapi.request("GET", "about", auth=("nobody", "nothing"))
    assert response.status_code == 200


def test_head_about_returns_headers_without_body(app):
    client = app.test_client()
    head = about(client, "HEAD")
    assert head.status_code == 200
    assert head.get_data() == b""
    assert head.headers["X-Experience-API-Version"] == "1.0.3"
    assert head.headers["Content-Type"] == about(client).headers["Content-Type"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_about_is_read_only(app, method):
    response = about(app.test_client(), method, headers={"X-Experience-API-Version": "1.0.3"})
    assert response.status_code == 405
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_about_rejects_unknown_query_parameters(app):
    response = about(app.test_client(), query_string={"verbose": "true"})
    assert response.status_code == 400


def test_about_answers_cors_requests(app):
    response = about(app.test_client(), headers={"Origin": "https://course.example.com"})
    assert response.headers["Access-Control-Allow-Origin"] in ("*", "https://course.example.com")


def test_about_lists_the_page_size_as_an_extension(app, settings):
    body = app.test_client().get("/xapi/about").json
    assert body["extensions"] == {
        "urn:x-hr-lrs:about:statement-page-max": settings.statement_page_max
    }
