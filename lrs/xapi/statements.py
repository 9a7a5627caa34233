"""The Statement resource: PUT, POST and GET /xapi/statements (xAPI Communication 2.1)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from flask import Response, request, url_for
from werkzeug.http import http_date

from lrs.context import no_content, request_body, request_session, state
from lrs.guards import refuse_unstorable
from lrs.xapi import bp, cursor, multipart
from lrs.xapi.auth import STATEMENTS_READ, STATEMENTS_WRITE, principal, read_only_own, require
from lrs.xapi.params import (
    parse_agent,
    parse_bool,
    parse_choice,
    parse_iri,
    parse_non_negative_int,
    parse_timestamp_param,
    parse_uuid,
    single_values,
)
from statements import ingest, timestamps
from statements.activities import activities_in, canonical_definitions
from statements.attachments import AttachmentPart, load_attachments
from statements.errors import BadRequest, FieldError, NotFound
from statements.keys import agent_key, index_key
from statements.query import Cursor, StatementQuery, StoredStatement, find_statements, get_statement
from statements.render import canonical_format, ids_format

FORMATS = ("exact", "ids", "canonical")
QUERY_PARAMS = (
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
)
SINGLE_PARAMS = ("statementId", "voidedStatementId", "format", "attachments")


@bp.put("/statements")
def put_statement() -> Response:
    """Store one statement under the id given in `statementId` (Communication 2.1.1)."""
    p = principal()
    require(p, STATEMENTS_WRITE, "store statements")
    params = single_values(request.args, ("statementId",))
    if "statementId" not in params:
        raise BadRequest("PUT needs the statementId parameter; use POST to let the LRS assign ids")
    statement_id = parse_uuid("statementId", params["statementId"])
    statement, parts = _statements_body()
    if not isinstance(statement, dict):
        raise BadRequest("PUT stores exactly one statement: send a JSON object")
    if "id" in statement and str(statement["id"]).lower() != str(statement_id):
        raise BadRequest(
            "the statement id differs from the statementId parameter",
            [FieldError("id", f"must equal statementId {statement_id}")],
        )
    statement = {**statement, "id": str(statement_id)}
    _store([statement], parts)
    return no_content()


@bp.post("/statements")
def post_statements() -> Response:
    """Store one statement or a batch, all or nothing; return the ids (Communication 2.1.2)."""
    p = principal()
    require(p, STATEMENTS_WRITE, "store statements")
    single_values(request.args, ())
    body, parts = _statements_body()
    statements = body if isinstance(body, list) else [body]
    if not all(isinstance(s, dict) for s in statements):
        raise BadRequest("send a statement (a JSON object) or an array of statements")
    ids = _store(statements, parts)
    return _json_response(orjson.dumps([str(i) for i in ids]))


@bp.get("/statements")
def get_statements() -> Response:
    """One statement by id, or a page of statements matching the filters (Communication 2.1.3)."""
    p = principal()
    require(p, STATEMENTS_READ, "read statements")
    if "more" in request.args:
        return _more_page(single_values(request.args, ("more",))["more"])
    if "statementId" in request.args or "voidedStatementId" in request.args:
        return _single(single_values(request.args, SINGLE_PARAMS + QUERY_PARAMS))
    params = single_values(request.args, QUERY_PARAMS)
    query = _query_from(params)
    limit = _page_size(params.get("limit"))
    fmt = parse_choice("format", params.get("format", "exact"), FORMATS)
    attachments = parse_bool("attachments", params.get("attachments", "false"))
    return _page(query, limit, fmt, attachments, after=None)


def _store(
    statements: Sequence[dict[str, Any]], parts: list[AttachmentPart] | None
) -> list[uuid.UUID]:
    """Store a request's statements and attachment data in one transaction."""
    p = principal()
    session = request_session()
    ids = ingest.receive(
        session,
        p.company_id,
        statements,
        parts,
        authority=p.authority,
        authority_key=p.authority_key,
        may_define=p.allows("define", "all"),
        integration_id=p.integration_id,
    )
    session.commit()
    return ids


def _statements_body() -> tuple[Any, list[AttachmentPart] | None]:
    """The JSON body and, for multipart/mixed requests, the attachment parts."""
    if request.mimetype == "multipart/mixed":
        json_bytes, parts = multipart.parse(request.headers["Content-Type"], request_body())
        return _parse_json(json_bytes), parts
    if request.mimetype != "application/json":
        raise BadRequest(
            "Content-Type must be application/json, or multipart/mixed with attachments; "
            f"got {request.mimetype or 'none'!r}"
        )
    return _parse_json(request_body()), None


def _parse_json(data: bytes) -> Any:
    try:
        parsed = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"the body is not valid JSON: {exc}") from None
    refuse_unstorable(data, parsed)
    return parsed


def _single(params: dict[str, str]) -> Response:
    if "statementId" in params and "voidedStatementId" in params:
        raise BadRequest("send statementId or voidedStatementId, not both")
    extra = sorted(set(params) - {"statementId", "voidedStatementId", "format", "attachments"})
    if extra:
        raise BadRequest(
            "with statementId or voidedStatementId only format and attachments are allowed; "
            f"remove {', '.join(extra)}"
        )
    voided = "voidedStatementId" in params
    name = "voidedStatementId" if voided else "statementId"
    statement_id = parse_uuid(name, params[name])
    fmt = parse_choice("format", params.get("format", "exact"), FORMATS)
    p = principal()
    found = get_statement(
        request_session(),
        p.company_id,
        statement_id,
        voided=voided,
        authority_key=p.authority_key if read_only_own(p) else None,
    )
    if found is None:
        kind = "voided statement" if voided else "statement"
        raise NotFound(f"no {kind} with id {statement_id}")
    with_attachments = parse_bool("attachments", params.get("attachments", "false"))
    [body] = _render([found], fmt)
    response = _statements_response(body, [found], with_attachments)
    response.headers["Last-Modified"] = http_date(found.stored)
    return response


def _query_from(params: dict[str, str]) -> StatementQuery:
    p = principal()
    agent = parse_agent("agent", params["agent"]) if "agent" in params else None
    return StatementQuery(
        agent_key=agent_key(agent) if agent else None,
        verb_key=index_key(parse_iri("verb", params["verb"])) if "verb" in params else None,
        activity_key=index_key(parse_iri("activity", params["activity"]))
        if "activity" in params
        else None,
        registration=parse_uuid("registration", params["registration"])
        if "registration" in params
        else None,
        related_activities=parse_bool(
            "related_activities", params.get("related_activities", "false")
        ),
        related_agents=parse_bool("related_agents", params.get("related_agents", "false")),
        since=parse_timestamp_param("since", params["since"]) if "since" in params else None,
        until=parse_timestamp_param("until", params["until"]) if "until" in params else None,
        ascending=parse_bool("ascending", params.get("ascending", "false")),
        authority_key=p.authority_key if read_only_own(p) else None,
    )


def _page_size(raw: str | None) -> int:
    maximum = state().settings.statement_page_max
    limit = parse_non_negative_int("limit", raw) if raw is not None else 0
    return maximum if limit == 0 else min(limit, maximum)


def _page(
    query: StatementQuery, limit: int, fmt: str, attachments: bool, after: Cursor | None
) -> Response:
    p = principal()
    page = find_statements(request_session(), p.company_id, query, limit=limit, after=after)
    more = ""
    if page.next is not None:
        token = cursor.encode(
            {
                "company": str(p.company_id),
                "credential": str(p.credential_id),
                "query": _query_to_json(query),
                "limit": limit,
                "format": fmt,
                "attachments": attachments,
                "after": [timestamps.format_timestamp(page.next.stored), str(page.next.id)],
            },
            state().settings.secret_key,
        )
        more = url_for("xapi.get_statements", more=token)
    body = b'{"statements":[' + b",".join(_render(page.statements, fmt))
    body += b'],"more":' + orjson.dumps(more) + b"}"
    response = _statements_response(body, page.statements, attachments)
    if page.statements:
        response.headers["Last-Modified"] = http_date(max(s.stored for s in page.statements))
    return response


def _more_page(token: str) -> Response:
    p = principal()
    payload = cursor.decode(token, state().settings.secret_key)
    if payload.get("company") != str(p.company_id) or payload.get("credential") != str(
        p.credential_id
    ):
        raise BadRequest("this 'more' IRL belongs to another credential")
    stored_text, id_text = payload["after"]
    after = Cursor(timestamps.parse_timestamp(stored_text), uuid.UUID(id_text))
    return _page(
        _query_from_json(payload["query"]),
        payload["limit"],
        payload["format"],
        payload["attachments"],
        after,
    )


def _query_to_json(query: StatementQuery) -> dict[str, Any]:
    return {
        "agent": query.agent_key,
        "verb": query.verb_key,
        "activity": query.activity_key,
        "registration": str(query.registration) if query.registration else None,
        "related_activities": query.related_activities,
        "related_agents": query.related_agents,
        "since": timestamps.format_timestamp(query.since) if query.since else None,
        "until": timestamps.format_timestamp(query.until) if query.until else None,
        "ascending": query.ascending,
        "authority": query.authority_key,
    }


def _query_from_json(data: dict[str, Any]) -> StatementQuery:
    def when(value: str | None) -> datetime | None:
        return timestamps.parse_timestamp(value) if value else None

    return StatementQuery(
        agent_key=data["agent"],
        verb_key=data["verb"],
        activity_key=data["activity"],
        registration=uuid.UUID(data["registration"]) if data["registration"] else None,
        related_activities=data["related_activities"],
        related_agents=data["related_agents"],
        since=when(data["since"]),
        until=when(data["until"]),
        ascending=data["ascending"],
        authority_key=data["authority"],
    )


def _render(statements: Sequence[StoredStatement], fmt: str) -> list[bytes]:
    """The statements as JSON in the requested format (Communication 2.1.3 `format`)."""
    if fmt == "exact":
        return [s.payload.encode() for s in statements]
    data = [orjson.loads(s.payload) for s in statements]
    if fmt == "ids":
        return [orjson.dumps(ids_format(d)) for d in data]
    activity_ids = sorted({a["id"] for d in data for a in activities_in(d)})
    definitions = canonical_definitions(request_session(), principal().company_id, activity_ids)
    languages = list(request.accept_languages)
    return [orjson.dumps(canonical_format(d, languages, definitions)) for d in data]


def _json_response(body: bytes) -> Response:
    return Response(body, status=200, mimetype="application/json")


def _statements_response(
    body: bytes, statements: Sequence[StoredStatement], with_attachments: bool
) -> Response:
    """JSON, or with `attachments=true` multipart/mixed carrying each attachment once."""
    if not with_attachments:
        return _json_response(body)
    parts = load_attachments(
        request_session(), principal().company_id, (orjson.loads(s.payload) for s in statements)
    )
    content_type, multipart_body = multipart.build(body, parts)
    return Response(multipart_body, status=200, content_type=content_type)
