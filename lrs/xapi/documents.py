"""The document resources: activities/state, activities/profile and agents/profile
(xAPI Communication 2.2, 2.3, 2.6, 2.7), with ETag preconditions (Communication 3.1)."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from flask import Response, request
from werkzeug.http import http_date, parse_etags

from lrs.context import no_content, request_body, request_session
from lrs.xapi import bp
from lrs.xapi.auth import principal, require
from lrs.xapi.params import parse_agent, parse_iri, parse_timestamp_param, parse_uuid, single_values
from statements.documents import (
    DocumentContext,
    DocumentKey,
    DocumentKind,
    Preconditions,
    delete_document,
    delete_states,
    get_document,
    list_document_ids,
    post_document,
    put_document,
)
from statements.errors import BadRequest
from statements.keys import agent_key, index_key


@dataclass(frozen=True, slots=True)
class DocumentResource:
    """What distinguishes the three document resources."""

    kind: DocumentKind
    id_param: str
    scope: str
    needs_activity: bool
    needs_agent: bool

    @property
    def params(self) -> tuple[str, ...]:
        names = ["activityId"] if self.needs_activity else []
        names += ["agent"] if self.needs_agent else []
        names += ["registration"] if self.kind is DocumentKind.STATE else []
        return (*names, self.id_param, "since")


STATE = DocumentResource(DocumentKind.STATE, "stateId", "state", True, True)
ACTIVITY_PROFILE = DocumentResource(
    DocumentKind.ACTIVITY_PROFILE, "profileId", "profile", True, False
)
AGENT_PROFILE = DocumentResource(DocumentKind.AGENT_PROFILE, "profileId", "profile", False, True)
READ_METHODS = ("GET", "HEAD")


@bp.route("/activities/state", methods=["GET", "PUT", "POST", "DELETE"])
def state_documents() -> Response:
    return _handle(STATE)


@bp.route("/activities/profile", methods=["GET", "PUT", "POST", "DELETE"])
def activity_profiles() -> Response:
    return _handle(ACTIVITY_PROFILE)


@bp.route("/agents/profile", methods=["GET", "PUT", "POST", "DELETE"])
def agent_profiles() -> Response:
    return _handle(AGENT_PROFILE)


def _handle(resource: DocumentResource) -> Response:
    p = principal()
    reading = request.method in READ_METHODS
    if reading:
        require(p, (resource.scope, "all/read", "all"), f"read {resource.scope} documents")
    else:
        require(p, (resource.scope, "all"), f"write {resource.scope} documents")
    params = single_values(request.args, resource.params)
    context = _context(resource, params)
    document_id = params.get(resource.id_param)
    if "since" in params and (document_id is not None or not reading):
        raise BadRequest(f"'since' is only for listing ids (GET without {resource.id_param})")
    session = request_session()
    if document_id is None:
        if reading:
            return _list(context, params)
        if request.method == "DELETE" and resource.kind is DocumentKind.STATE:
            delete_states(session, p.company_id, context)
            session.commit()
            return no_content()
        raise BadRequest(f"the {resource.id_param} parameter is required for {request.method}")
    key = DocumentKey(context, document_id)
    if reading:
        return _single(key)
    preconditions = _preconditions()
    if request.method == "DELETE":
        delete_document(session, p.company_id, key, preconditions)
    else:
        write = put_document if request.method == "PUT" else post_document
        content_type = request.headers.get("Content-Type") or "application/octet-stream"
        write(session, p.company_id, key, request_body(), content_type, preconditions)
    session.commit()
    return no_content()


def _context(resource: DocumentResource, params: dict[str, str]) -> DocumentContext:
    for name, needed in (("activityId", resource.needs_activity), ("agent", resource.needs_agent)):
        if needed and name not in params:
            raise BadRequest(f"the {name} parameter is required")
    registration = params.get("registration")
    return DocumentContext(
        resource.kind,
        activity_key=index_key(parse_iri("activityId", params["activityId"]))
        if resource.needs_activity
        else None,
        agent_key=agent_key(parse_agent("agent", params["agent"]))
        if resource.needs_agent
        else None,
        registration=parse_uuid("registration", registration) if registration else None,
    )


def _single(key: DocumentKey) -> Response:
    document = get_document(request_session(), principal().company_id, key)
    response = Response(document.content, status=200, content_type=document.content_type)
    response.set_etag(document.etag)
    response.headers["Last-Modified"] = http_date(document.updated)
    return response


def _list(context: DocumentContext, params: dict[str, str]) -> Response:
    since = parse_timestamp_param("since", params["since"]) if "since" in params else None
    ids, latest = list_document_ids(request_session(), principal().company_id, context, since)
    response = Response(orjson.dumps(ids), status=200, mimetype="application/json")
    if latest is not None:
        response.headers["Last-Modified"] = http_date(latest)
    return response


def _preconditions() -> Preconditions:
    return Preconditions(
        if_match=_etags("If-Match"),
        if_none_match=_etags("If-None-Match"),
    )


def _etags(header: str) -> tuple[str, ...] | None:
    value = request.headers.get(header)
    if value is None:
        return None
    etags = parse_etags(value)
    if etags.star_tag:
        return ("*",)
    return tuple(etags.as_set(include_weak=True))
