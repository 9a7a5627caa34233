"""limit, more, ascending, paging while writing (Communication 2.1.3, Data 2.5)."""

from __future__ import annotations

import time
import uuid
from urllib.parse import urljoin, urlsplit

import pytest

from tests.factories import COMPLETED, PASSED, statement, voiding


def follow(xapi, more: str):
    """GET a `more` IRL as a client would: resolved against the statements resource."""
    url = urljoin("/xapi/statements", more)
    return xapi.client.open(url, method="GET", headers=xapi.headers, auth=(xapi.key, xapi.secret))


def page_ids(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [s["id"] for s in response.json["statements"]]


def read_all(xapi, params) -> tuple[list[str], int]:
    """Every id over all pages, and how many pages it took."""
    response = xapi.get(params)
    result, pages = page_ids(response), 1
    while response.json.get("more"):
        response = follow(xapi, response.json["more"])
        result += page_ids(response)
        pages += 1
        assert pages < 100
    return result, pages


def store_one_by_one(xapi, count: int, **kwargs) -> list[str]:
    """Statements in separate requests so their `stored` values increase."""
    result = []
    for n in range(count):
        result += xapi.store(statement(f"user{n}", **kwargs))
        time.sleep(0.002)
    return result


def test_limit_returns_newest_first_and_more_pages_through_the_rest(xapi):
    stored = store_one_by_one(xapi, 5)
    first = xapi.get({"limit": 2})
    assert page_ids(first) == stored[::-1][:2]
    assert first.json["more"]
    everything, pages = read_all(xapi, {"limit": 2})
    assert everything == stored[::-1]
    assert pages == 3


def test_ascending_returns_oldest_first_across_pages(xapi):
    stored = store_one_by_one(xapi, 5)
    assert page_ids(xapi.get({"ascending": "true", "limit": 2})) == stored[:2]
    assert read_all(xapi, {"ascending": "true", "limit": 2})[0] == stored
    assert read_all(xapi, {"ascending": "false", "limit": 2})[0] == stored[::-1]


def test_more_is_empty_string_when_the_last_page_is_returned(xapi):
    store_one_by_one(xapi, 2)
    response = xapi.get({"limit": 2})
    if response.json["more"]:
        last = follow(xapi, response.json["more"])
        assert page_ids(last) == []
        assert last.json["more"] == ""
    response = xapi.get({"limit": 3})
    assert response.json["more"] == ""


def test_more_is_a_relative_irl_with_path(xapi):
    store_one_by_one(xapi, 3)
    more = xapi.get({"limit": 1}).json["more"]
    parts = urlsplit(more)
    assert not parts.scheme and not parts.netloc
    assert parts.path.startswith("/")
    assert len(more) < 2000


def test_limit_zero_and_limits_above_the_server_max_return_the_server_max(xapi):
    batch = [statement(f"user{n}") for n in range(55)]
    xapi.store(*batch)
    for params in ({"limit": 0}, {"limit": 1000}, {}):
        response = xapi.get(params)
        assert len(page_ids(response)) == 50, params
        assert response.json["more"], params
        rest = follow(xapi, response.json["more"])
        assert len(page_ids(rest)) == 5
        assert rest.json["more"] == ""


def test_statements_stored_together_are_ordered_by_stored_then_id(xapi):
    ids = xapi.store(*[statement(f"user{n}") for n in range(6)])
    response = xapi.get({"ascending": "true"})
    returned = response.json["statements"]
    keys = [(s["stored"], s["id"]) for s in returned]
    assert [s["id"] for s in returned] == [k[1] for k in sorted(keys)]
    assert set(page_ids(response)) == set(ids)
    assert read_all(xapi, {"ascending": "true", "limit": 4})[0] == page_ids(response)
    assert read_all(xapi, {"limit": 4})[0] == page_ids(response)[::-1]


def test_more_link_keeps_the_filters_and_format(xapi):
    completed = set(store_one_by_one(xapi, 3, verb=COMPLETED))
    store_one_by_one(xapi, 3, verb=PASSED)
    response = xapi.get({"verb": COMPLETED, "limit": 1, "format": "ids"})
    seen = page_ids(response)
    while response.json["more"]:
        response = follow(xapi, response.json["more"])
        seen += page_ids(response)
        for returned in response.json["statements"]:
            assert returned["verb"]["id"] == COMPLETED
            assert "display" not in returned["verb"]
            assert "name" not in returned["actor"]
    assert set(seen) == completed
    assert len(seen) == 3


def test_more_link_keeps_since_and_until(xapi):
    stored = store_one_by_one(xapi, 6)
    stamps = {s["id"]: s["stored"] for s in xapi.get().json["statements"]}
    params = {"since": stamps[stored[0]], "until": stamps[stored[4]], "limit": 2}
    assert read_all(xapi, params)[0] == stored[1:5][::-1]
    assert read_all(xapi, {**params, "ascending": "true"})[0] == stored[1:5]


def test_statements_written_while_paging_descending_are_not_duplicated_or_skipped(xapi):
    stored = store_one_by_one(xapi, 5)
    first = xapi.get({"limit": 2})
    seen = page_ids(first)
    store_one_by_one(xapi, 3)
    response = first
    while response.json["more"]:
        response = follow(xapi, response.json["more"])
        seen += page_ids(response)
    assert seen == stored[::-1]


def test_statements_written_while_paging_ascending_are_not_duplicated_and_nothing_is_skipped(
    xapi,
):
    stored = store_one_by_one(xapi, 5)
    first = xapi.get({"limit": 2, "ascending": "true"})
    seen = page_ids(first)
    late = store_one_by_one(xapi, 3)
    response = first
    while response.json["more"]:
        response = follow(xapi, response.json["more"])
        seen += page_ids(response)
    assert len(seen) == len(set(seen))
    assert seen[:5] == stored
    assert set(seen[5:]) <= set(late)


def test_statement_voided_between_pages_is_not_returned_on_later_pages(xapi):
    stored = store_one_by_one(xapi, 4)
    first = xapi.get({"limit": 2})
    assert page_ids(first) == stored[:1:-1]
    [voiding_id] = xapi.store(voiding(stored[0]))
    rest = []
    response = first
    while response.json["more"]:
        response = follow(xapi, response.json["more"])
        rest += page_ids(response)
    assert stored[0] not in rest
    assert rest == [stored[1]]


@pytest.mark.parametrize("more", ["/xapi/statements?more=garbage", "/xapi/statements?more="])
def test_tampered_more_link_is_400(xapi, more):
    store_one_by_one(xapi, 3)
    real = xapi.get({"limit": 1}).json["more"]
    response = follow(xapi, more)
    assert response.status_code == 400
    tampered = real[:-3] + ("AAA" if not real.endswith("AAA") else "BBB")
    response = follow(xapi, tampered)
    assert response.status_code == 400
    assert (
        response.json["detail"] == "the 'more' token is not valid; use the 'more' IRL as returned"
    )


def test_more_link_is_reusable(xapi):
    store_one_by_one(xapi, 3)
    more = xapi.get({"limit": 1}).json["more"]
    assert page_ids(follow(xapi, more)) == page_ids(follow(xapi, more))


def test_head_on_more_link_returns_no_body(xapi):
    store_one_by_one(xapi, 3)
    more = xapi.get({"limit": 1}).json["more"]
    url = urljoin("/xapi/statements", more)
    head = xapi.client.open(url, method="HEAD", headers=xapi.headers, auth=(xapi.key, xapi.secret))
    assert head.status_code == 200
    assert head.get_data() == b""


@pytest.mark.parametrize("ascending", ["true", "false"])
def test_rapid_single_posts_page_without_duplicates_or_gaps(xapi, ascending):
    stored = []
    for n in range(25):
        stored += xapi.store(statement(f"user{n}"))
    full = xapi.get({"ascending": ascending}).json["statements"]
    keys = [(s["stored"], s["id"]) for s in full]
    assert keys == sorted(keys, reverse=ascending == "false")
    for limit in (1, 2, 3):
        paged, _ = read_all(xapi, {"limit": limit, "ascending": ascending})
        assert paged == [s["id"] for s in full]
    assert set(stored) == {s["id"] for s in full}


@pytest.mark.parametrize("ascending", ["true", "false"])
def test_paging_over_mixed_case_supplied_ids_has_no_duplicates_or_gaps(xapi, ascending):
    supplied = [str(uuid.uuid4()) for _ in range(8)]
    batch = [statement(f"user{n}", id=i.upper() if n % 2 else i) for n, i in enumerate(supplied)]
    xapi.store(*batch[:4])
    xapi.store(*batch[4:])
    paged, _ = read_all(xapi, {"limit": 1, "ascending": ascending})
    assert len(paged) == len(set(paged)) == 8
    assert {i.lower() for i in paged} == set(supplied)
    full = xapi.get({"ascending": ascending}).json["statements"]
    assert paged == [s["id"] for s in full]
