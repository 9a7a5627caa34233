"""The LRS driven over HTTP by xapijs (the npm package @xapi/xapi) under node.

Each script in tests/e2e/js runs once per module against the module's server and prints one
JSON object of what it saw; the tests below assert on it. The node packages are installed by
`make unit` (npm ci --prefix tests/e2e/js).
"""

from __future__ import annotations

import base64
import email.policy
import hashlib
import json
import shutil
import subprocess
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import LrsServer

JS = Path(__file__).parent / "js"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"

Outcome = dict[str, Any]


def _run_script(server: LrsServer, script: str) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH; the xapijs tests need node 20 or later")
    if not (JS / "node_modules" / "@xapi" / "xapi").is_dir():
        pytest.fail("xapijs is not installed: run `npm ci --prefix tests/e2e/js` (make unit does)")
    done = subprocess.run(
        [node, script, server.endpoint, server.key, server.secret],
        cwd=JS,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0:
        pytest.fail(f"node {script} failed ({done.returncode}):\n{done.stderr}\n{done.stdout}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.fixture(scope="module")
def statements_run(lrs_server: LrsServer) -> dict[str, Any]:
    return _run_script(lrs_server, "statements.mjs")


@pytest.fixture(scope="module")
def documents_run(lrs_server: LrsServer) -> dict[str, Any]:
    return _run_script(lrs_server, "documents.mjs")


@pytest.fixture(scope="module")
def attachments_run(lrs_server: LrsServer) -> dict[str, Any]:
    return _run_script(lrs_server, "attachments.mjs")


def _ok(outcome: Outcome, status: int = 200) -> Any:
    assert outcome["status"] == status, outcome
    return outcome["data"]


def _sha1(content: bytes) -> str:
    return hashlib.sha1(content).hexdigest()


def _json_bytes(value: Any) -> bytes:
    """What JSON.stringify (and the LRS's own merge) writes for these simple documents."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _quoted_sha1_etag(outcome: Outcome, content: bytes) -> str:
    etag = outcome["headers"]["etag"]
    assert etag == f'"{_sha1(content)}"', (etag, content)
    return str(etag)


def _timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# --- statements -----------------------------------------------------------------------------


def test_statement_without_id_is_given_one(
    statements_run: dict[str, Any], lrs_server: LrsServer
) -> None:
    [statement_id] = _ok(statements_run["single"])
    assert str(uuid.UUID(statement_id)) == statement_id
    assert statements_run["single"]["headers"]["x-experience-api-version"] == "1.0.3"

    read = statements_run["singleRead"]
    statement = _ok(read)
    assert statement["id"] == statement_id
    assert statement["actor"] == statements_run["actor"]  # name with an umlaut kept
    assert statement["verb"]["id"] == COMPLETED
    assert statement["object"]["id"] == statements_run["course"]
    assert statement["result"] == {"completion": True}
    assert statement["version"] == "1.0.0"  # Data 2.4.10: set when the client sent none
    stored = _timestamp(statement["stored"])
    assert abs(datetime.now(UTC) - stored) < timedelta(minutes=5)
    assert statement["timestamp"] == statement["stored"]
    authority = statement["authority"]
    assert authority["objectType"] == "Agent" and authority["name"] == "e2e"
    assert authority["account"]["name"] == lrs_server.key
    assert authority["account"]["homePage"].startswith(f"{lrs_server.base_url}/")
    assert read["headers"]["last-modified"]
    assert read["headers"]["x-experience-api-consistent-through"]


def test_statement_with_client_id_is_idempotent_and_conflicts_on_change(
    statements_run: dict[str, Any],
) -> None:
    chosen_id = statements_run["chosenId"]
    assert _ok(statements_run["chosen"]) == [chosen_id]
    assert _ok(statements_run["chosenAgain"]) == [chosen_id]
    conflict = statements_run["chosenConflict"]
    assert conflict["status"] == 409, conflict
    read = _ok(statements_run["chosenRead"])
    assert read["id"] == chosen_id
    assert read["result"] == {"score": {"scaled": 0.5}}  # the conflicting one changed nothing


def test_batch_ids_follow_statement_order(statements_run: dict[str, Any]) -> None:
    ids = _ok(statements_run["batch"])
    assert len(ids) == len(set(ids)) == 6
    reads = [_ok(outcome) for outcome in statements_run["batchReads"]]
    assert [r["id"] for r in reads] == ids
    assert [r.get("result", {}).get("score", {}).get("raw") for r in reads[:4]] == [1, 2, 3, 4]
    assert reads[4]["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert reads[5]["object"]["id"] != statements_run["course"]
    assert len({r["stored"] for r in reads}) == 1  # one batch, one stored instant


def test_query_pages_follow_more_to_the_end(statements_run: dict[str, Any]) -> None:
    pages = [_ok(page) for page in statements_run["pages"]]
    batch = _ok(statements_run["batch"])
    expected = {_ok(statements_run["single"])[0], statements_run["chosenId"], *batch[:4]}

    seen = [s["id"] for page in pages for s in page["statements"]]

    assert [len(page["statements"]) for page in pages] == [2, 2, 2]
    assert sorted(seen) == sorted(expected)
    assert [bool(page["more"]) for page in pages] == [True, True, False]
    for page in pages:
        assert all(s["verb"]["id"] == COMPLETED for s in page["statements"])
    stored = [_timestamp(s["stored"]) for page in pages for s in page["statements"]]
    assert stored == sorted(stored, reverse=True)  # newest first across pages


def test_voiding_hides_the_target_and_keeps_the_voiding_statement(
    statements_run: dict[str, Any],
) -> None:
    target = statements_run["voidTarget"]
    [voiding_id] = _ok(statements_run["void"])
    after = statements_run["afterVoid"]

    assert after["get"]["status"] == 404
    voided = _ok(after["getVoided"])
    assert voided["id"] == target and voided["verb"]["id"] == COMPLETED
    voiding = _ok(after["voidingRead"])
    assert voiding["verb"]["id"] == VOIDED
    assert voiding["object"] == {"objectType": "StatementRef", "id": target}

    by_activity = [s["id"] for s in _ok(after["byActivity"])["statements"]]
    assert target not in by_activity
    assert voiding_id in by_activity  # its target matches the activity filter
    by_verb = [s["id"] for s in _ok(after["byVoidedVerb"])["statements"]]
    assert by_verb == [voiding_id]


def test_agents_and_activities_resources(statements_run: dict[str, Any]) -> None:
    actor = statements_run["actor"]
    person = _ok(statements_run["agentResource"])
    assert person == {"objectType": "Person", "name": [actor["name"]], "mbox": [actor["mbox"]]}
    activity = _ok(statements_run["activityResource"])
    assert activity["id"] == statements_run["course"]
    assert activity["definition"] == {"name": {"en-US": "First aid"}}


def test_library_cache_buster_is_an_unknown_parameter(statements_run: dict[str, Any]) -> None:
    """xapijs's useCacheBuster adds `cachebuster=<ms>`; Communication 3.2 requires 400 for
    parameters the LRS does not recognise, so the option cannot be used against an LRS."""
    assert statements_run["cacheBuster"]["status"] == 400


def test_every_response_carries_the_version_header(statements_run: dict[str, Any]) -> None:
    def outcomes(value: Any) -> list[Outcome]:
        if isinstance(value, dict) and "status" in value and "headers" in value:
            return [value]
        if isinstance(value, dict):
            return [o for v in value.values() for o in outcomes(v)]
        if isinstance(value, list):
            return [o for v in value for o in outcomes(v)]
        return []

    seen = outcomes(statements_run)
    assert len(seen) > 20
    assert {o["status"] for o in seen} >= {200, 400, 404, 409}
    for outcome in seen:
        assert outcome["headers"].get("x-experience-api-version") == "1.0.3", outcome


# --- documents ------------------------------------------------------------------------------


def test_state_documents(documents_run: dict[str, Any]) -> None:
    state = documents_run["state"]
    for step in ("put", "putText", "putOtherRegistration", "post", "putCurrent", "delete"):
        assert state[step]["status"] == 204, (step, state[step])

    progress = {"slide": 4, "score": 0.5}
    assert _ok(state["get"]) == progress
    assert state["get"]["headers"]["content-type"] == "application/json"
    _quoted_sha1_etag(state["get"], _json_bytes(progress))
    assert _ok(state["getText"]) == "plain notes, ünïcode"
    assert state["getText"]["headers"]["content-type"].startswith("text/plain")
    _quoted_sha1_etag(state["getText"], "plain notes, ünïcode".encode())

    assert _ok(state["ids"]) == ["notes", "progress"]
    assert _ok(state["idsAllRegistrations"]) == ["notes", "progress"]

    merged = {"slide": 4, "score": 0.75, "done": True}
    assert _ok(state["afterPost"]) == merged
    _quoted_sha1_etag(state["afterPost"], _json_bytes(merged))

    assert state["putStale"]["status"] == 412
    assert _ok(state["afterPut"]) == {"slide": 5}
    assert state["afterDelete"]["status"] == 404
    assert state["deleteAll"]["status"] == 204
    assert _ok(state["idsAfterDeleteAll"]) == []
    assert _ok(state["idsOtherRegistrationKept"]) == ["progress"]


@pytest.mark.parametrize("kind", ["activityProfile", "agentProfile"])
def test_profile_documents_with_etags(documents_run: dict[str, Any], kind: str) -> None:
    run = documents_run[kind]
    first, updated = {"theme": "dark", "size": 1}, {"theme": "light", "size": 2}

    assert run["createNoneMatch"]["status"] == 204
    assert run["createAgain"]["status"] == 412  # If-None-Match: * and it exists
    assert _ok(run["get"]) == first
    assert run["get"]["headers"]["content-type"] == "application/json"
    assert run["get"]["headers"]["last-modified"]
    first_etag = _quoted_sha1_etag(run["get"], _json_bytes(first))

    assert run["updateCurrent"]["status"] == 204
    assert _ok(run["afterUpdate"]) == updated
    updated_etag = _quoted_sha1_etag(run["afterUpdate"], _json_bytes(updated))
    assert updated_etag != first_etag

    assert run["updateStale"]["status"] == 412
    assert _ok(run["afterStale"]) == updated
    assert run["afterStale"]["headers"]["etag"] == updated_etag

    merged = {**updated, "lang": "de"}
    assert run["merge"]["status"] == 204
    assert _ok(run["afterMerge"]) == merged
    _quoted_sha1_etag(run["afterMerge"], _json_bytes(merged))

    assert run["text"]["status"] == 204
    text = "Read me first.\nZweite Zeile: ä"
    assert _ok(run["getText"]) == text
    assert run["getText"]["headers"]["content-type"].startswith("text/plain")
    _quoted_sha1_etag(run["getText"], text.encode())

    assert run["later"]["status"] == 204
    assert _ok(run["ids"]) == ["later", "readme", "settings"]
    assert _ok(run["idsSince"]) == ["later"]

    assert run["deleteStale"]["status"] == 412
    assert run["deleteCurrent"]["status"] == 204
    assert run["afterDelete"]["status"] == 404


# --- attachments ----------------------------------------------------------------------------


def _parts(raw: dict[str, Any]) -> list[EmailMessage]:
    """The parts of a multipart/mixed response body, read with the standard library."""
    assert raw["status"] == 200
    content_type = raw["contentType"]
    assert content_type.startswith("multipart/mixed")
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=email.policy.HTTP).parsebytes(head + base64.b64decode(raw["body"]))
    assert isinstance(message, EmailMessage) and message.is_multipart()
    assert not message.defects, message.defects
    return [part for part in message.iter_parts() if isinstance(part, EmailMessage)]


def _payload(part: EmailMessage) -> bytes:
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload


def _check_attachment_parts(parts: list[EmailMessage], run: dict[str, Any]) -> None:
    text, binary = base64.b64decode(run["text"]), base64.b64decode(run["binary"])
    by_hash = {str(part["X-Experience-API-Hash"]).strip(): part for part in parts[1:]}
    assert len(by_hash) == len(parts) - 1 == 2
    for declared, content in zip(run["declared"], (text, binary), strict=True):
        part = by_hash[declared["sha2"]]
        body = _payload(part)
        assert body == content
        assert hashlib.sha256(body).hexdigest() == declared["sha2"]
        assert part.get_content_type() == declared["contentType"]
        assert str(part.get("Content-Transfer-Encoding", "binary")).lower() == "binary"


def test_unterminated_attachment_part_is_refused(attachments_run: dict[str, Any]) -> None:
    """xapijs writes the second boundary straight after the first attachment's bytes; the
    first part then holds bytes whose hash is not the declared one, and nothing is stored."""
    assert attachments_run["unpadded"]["status"] == 400, attachments_run["unpadded"]
    assert attachments_run["unpaddedRead"]["status"] == 404


def test_statement_with_text_and_binary_attachments_round_trips(
    attachments_run: dict[str, Any],
) -> None:
    [statement_id] = _ok(attachments_run["sent"])
    declared = attachments_run["declared"]

    # The library's own reading of the multipart response.
    library_parts = _ok(attachments_run["read"])
    assert len(library_parts) == 3
    statement = library_parts[0]
    assert statement["id"] == statement_id
    assert statement["attachments"] == declared
    assert library_parts[1] == base64.b64decode(attachments_run["text"]).decode()

    # The bytes, from the raw response.
    parts = _parts(attachments_run["readRaw"])
    assert parts[0].get_content_type() == "application/json"
    assert json.loads(_payload(parts[0]))["id"] == statement_id
    _check_attachment_parts(parts, attachments_run)

    # Without attachments=true the statement comes as JSON with its attachment metadata.
    plain = _ok(attachments_run["plain"])
    assert plain["id"] == statement_id and plain["attachments"] == declared


def test_statement_query_with_attachments(attachments_run: dict[str, Any]) -> None:
    [statement_id] = _ok(attachments_run["sent"])

    library_parts = _ok(attachments_run["query"])
    assert [s["id"] for s in library_parts[0]["statements"]] == [statement_id]

    parts = _parts(attachments_run["queryRaw"])
    result = json.loads(_payload(parts[0]))
    assert [s["id"] for s in result["statements"]] == [statement_id]
    assert result["more"] == ""
    _check_attachment_parts(parts, attachments_run)


def test_batch_sharing_an_attachment_gets_it_once(attachments_run: dict[str, Any]) -> None:
    ids = _ok(attachments_run["batch"])
    assert len(ids) == 2

    library_parts = _ok(attachments_run["batchQuery"])
    # One batch shares one `stored`, so their order in the result is not defined.
    found = {s["id"]: s["attachments"] for s in library_parts[0]["statements"]}
    declared = attachments_run["declared"]
    assert found == {ids[0]: declared[:1], ids[1]: declared}

    parts = _parts(attachments_run["batchQueryRaw"])
    assert len(parts) == 3  # the statements, then the text and the binary once each
    _check_attachment_parts(parts, attachments_run)
