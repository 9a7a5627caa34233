"""Concurrent writers on one document: preconditions hold under real, committed transactions."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from config import Settings
from lrs.app import create_app
from statements.credentials import create_credential, get_or_create_company
from statements.models import Company
from tests.xapi_client import XapiClient

PARAMS = {"activityId": "http://example.com/course/race", "profileId": "shared"}


@pytest.fixture
def committed_client(engine: Engine, settings: Settings) -> Iterator[XapiClient]:
    """A client whose requests commit for real (other tests roll back instead)."""
    app = create_app(settings, bind=engine)
    with Session(engine) as session, session.begin():
        company = get_or_create_company(session, f"race-{id(app)}", "http://lrs.test")
        issued = create_credential(session, company, "racer", ["all"])
        company_id = company.id
    yield XapiClient(app.test_client(), issued.key, issued.secret, company)
    with Session(engine) as session, session.begin():
        session.execute(delete(Company).where(Company.id == company_id))


def race(client: XapiClient, bodies: list[bytes], headers: dict[str, str]) -> list[int]:
    """PUT each body from its own thread at the same moment; return the status codes."""
    barrier = threading.Barrier(len(bodies))
    statuses: list[int] = []

    def write(body: bytes) -> None:
        own = XapiClient(
            client.client.application.test_client(), client.key, client.secret, client.company
        )
        barrier.wait()
        response = own.request(
            "PUT", "activities/profile", query_string=PARAMS, data=body,
            content_type="application/json", headers=headers,
        )  # fmt: skip
        statuses.append(response.status_code)

    threads = [threading.Thread(target=write, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


def test_two_writers_with_the_same_if_match_exactly_one_wins(committed_client):
    client = committed_client
    assert client.request("PUT", "activities/profile", query_string=PARAMS, data=b'{"v":0}',
                          content_type="application/json",
                          headers={"If-None-Match": "*"}).status_code == 204  # fmt: skip
    etag = client.request("GET", "activities/profile", query_string=PARAMS).headers["ETag"]

    assert race(client, [b'{"v":1}', b'{"v":2}'], {"If-Match": etag}) == [204, 412]
    final = client.request("GET", "activities/profile", query_string=PARAMS).json
    assert final in ({"v": 1}, {"v": 2})


def test_two_creators_with_if_none_match_exactly_one_wins(committed_client):
    assert race(committed_client, [b'{"v":1}', b'{"v":2}'], {"If-None-Match": "*"}) == [204, 412]
