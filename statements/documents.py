"""State, Activity Profile and Agent Profile documents (xAPI Communication 2.2 to 2.7) with
the ETag concurrency rules of Communication 3.1.

A document is addressed by a `DocumentKey`; its bytes and content type are stored as they
came. Every write checks the caller's preconditions against the current ETag while holding
the row (or, for a new document, the unique key), so of two writers sending the same If-Match
exactly one succeeds.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import orjson
from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from statements import timestamps
from statements.errors import BadRequest, DocumentConflict, NotFound, PreconditionFailed
from statements.models import Document

JSON_TYPE = "application/json"


class DocumentKind(StrEnum):
    """The three document resources."""

    STATE = "state"
    ACTIVITY_PROFILE = "activity_profile"
    AGENT_PROFILE = "agent_profile"


@dataclass(frozen=True, slots=True)
class DocumentContext:
    """The resource and the activity, agent and registration documents are kept under."""

    kind: DocumentKind
    activity_key: str | None = None
    agent_key: str | None = None
    registration: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class DocumentKey:
    """Where one document lives: its context and its id."""

    context: DocumentContext
    document_id: str

    @property
    def scope_hash(self) -> str:
        context = self.context
        parts = [
            context.kind.value,
            context.activity_key or "",
            context.agent_key or "",
            str(context.registration or ""),
            self.document_id,
        ]
        return hashlib.sha256(orjson.dumps(parts)).hexdigest()


@dataclass(frozen=True, slots=True)
class Preconditions:
    """The If-Match and If-None-Match headers of a request, already parsed."""

    if_match: tuple[str, ...] | None = None  # ETags without quotes, or ("*",)
    if_none_match: tuple[str, ...] | None = None

    @property
    def present(self) -> bool:
        return self.if_match is not None or self.if_none_match is not None


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A document as read back."""

    content: bytes
    content_type: str
    etag: str
    updated: datetime


def etag_of(content: bytes) -> str:
    """Communication 3.1: the ETag is the SHA-1 of the content, in lowercase hex."""
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()


def get_document(session: Session, company_id: uuid.UUID, key: DocumentKey) -> StoredDocument:
    """The document at `key`; NotFound when there is none."""
    row = _find(session, company_id, key, lock=False)
    if row is None:
        kind = key.context.kind.value.replace("_", " ")
        raise NotFound(f"no {kind} document with id {key.document_id!r}")
    return StoredDocument(row.content, row.content_type, row.etag, row.updated)


def put_document(
    session: Session,
    company_id: uuid.UUID,
    key: DocumentKey,
    content: bytes,
    content_type: str,
    preconditions: Preconditions,
) -> None:
    """Store or replace a document (PUT)."""

    def replace(existing: Document | None) -> tuple[bytes, str]:
        if key.context.kind is not DocumentKind.STATE and not preconditions.present:
            # Communication 3.1: a client MUST send If-Match or If-None-Match when it PUTs a
            # profile, and an existing profile is never overwritten blindly (409).
            if existing is not None:
                raise DocumentConflict(
                    "this document already exists: GET it, then PUT again with If-Match set to "
                    "its ETag (or If-None-Match: * to write only when absent)"
                )
            raise BadRequest(
                "a PUT to a profile needs If-Match (the ETag you last read) or If-None-Match: *"
            )
        return content, content_type

    _save(session, company_id, key, preconditions, replace)


def post_document(
    session: Session,
    company_id: uuid.UUID,
    key: DocumentKey,
    content: bytes,
    content_type: str,
    preconditions: Preconditions,
) -> None:
    """Merge a JSON object into the stored one, or store the document when there is none."""

    def merge(existing: Document | None) -> tuple[bytes, str]:
        if existing is None:
            if _is_json(content_type):
                _json_object(content, content_type, "the posted document")
            return content, content_type
        posted = _json_object(content, content_type, "the posted document")
        stored = _json_object(existing.content, existing.content_type, "the stored document")
        # Communication 2.2: top-level properties of the posted object replace stored ones.
        return orjson.dumps({**stored, **posted}), JSON_TYPE

    _save(session, company_id, key, preconditions, merge)


def delete_document(
    session: Session, company_id: uuid.UUID, key: DocumentKey, preconditions: Preconditions
) -> None:
    """Delete one document; deleting one that does not exist is not an error."""
    existing = _find(session, company_id, key, lock=True)
    _check(existing, preconditions)
    if existing is not None:
        session.delete(existing)
        session.flush()


def list_document_ids(
    session: Session,
    company_id: uuid.UUID,
    context: DocumentContext,
    since: datetime | None = None,
) -> tuple[list[str], datetime | None]:
    """The ids of the documents in a context, and when the latest of them changed.

    Without a registration, State ids of every registration are listed (Communication 2.3).
    """
    query = select(Document.document_id, Document.updated).where(*_in_context(company_id, context))
    if since is not None:
        query = query.where(Document.updated > since)
    rows = session.execute(query).all()
    ids = sorted({document_id for document_id, _ in rows})
    return ids, max((updated for _, updated in rows), default=None)


def delete_states(session: Session, company_id: uuid.UUID, context: DocumentContext) -> None:
    """Delete every state of an activity and agent (and registration, when given)."""
    session.execute(delete(Document).where(*_in_context(company_id, context)))


def _in_context(company_id: uuid.UUID, context: DocumentContext) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Document.company_id == company_id,
        Document.kind == context.kind.value,
    ]
    for column, value in (
        (Document.activity_key, context.activity_key),
        (Document.agent_key, context.agent_key),
    ):
        conditions.append(column == value if value is not None else column.is_(None))
    if context.registration is not None:
        conditions.append(Document.registration == context.registration)
    return conditions


def _find(
    session: Session, company_id: uuid.UUID, key: DocumentKey, *, lock: bool
) -> Document | None:
    query = select(Document).where(
        Document.company_id == company_id, Document.scope_hash == key.scope_hash
    )
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def _check(existing: Document | None, preconditions: Preconditions) -> None:
    """RFC 7232 If-Match / If-None-Match against the current ETag (412 when they fail)."""
    current = existing.etag if existing is not None else None
    if preconditions.if_match is not None:
        if current is None or (
            "*" not in preconditions.if_match and current not in preconditions.if_match
        ):
            raise PreconditionFailed(
                "If-Match does not match the document's current ETag; GET it again and retry"
            )
    if preconditions.if_none_match is not None and current is not None:
        if "*" in preconditions.if_none_match or current in preconditions.if_none_match:
            raise PreconditionFailed("If-None-Match: the document already exists")


def _save(
    session: Session,
    company_id: uuid.UUID,
    key: DocumentKey,
    preconditions: Preconditions,
    new_content: Callable[[Document | None], tuple[bytes, str]],
) -> None:
    """Check preconditions against the locked current document, then write what
    `new_content` makes of it. A document created meanwhile by another request is read and
    checked again once, so preconditions always see the document that is overwritten."""
    for attempt in range(2):
        existing = _find(session, company_id, key, lock=True)
        _check(existing, preconditions)
        content, content_type = new_content(existing)
        now = timestamps.now()
        if existing is not None:
            existing.content, existing.content_type = content, content_type
            existing.etag, existing.updated = etag_of(content), now
            session.flush()
            return
        document = Document(
            company_id=company_id,
            scope_hash=key.scope_hash,
            kind=key.context.kind.value,
            activity_key=key.context.activity_key,
            agent_key=key.context.agent_key,
            registration=key.context.registration,
            document_id=key.document_id,
            content_type=content_type,
            content=content,
            etag=etag_of(content),
            updated=now,
        )
        try:
            with session.begin_nested():
                session.add(document)
            return
        except IntegrityError:
            if attempt:
                raise


def _is_json(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == JSON_TYPE


def _json_object(content: bytes, content_type: str, what: str) -> dict[str, object]:
    if not _is_json(content_type):
        raise BadRequest(f"{what} is not application/json, so it cannot be merged; use PUT")
    try:
        value = orjson.loads(content)
    except orjson.JSONDecodeError:
        raise BadRequest(f"{what} is not valid JSON, so it cannot be merged; use PUT") from None
    if not isinstance(value, dict):
        raise BadRequest(f"{what} is not a JSON object, so it cannot be merged; use PUT")
    return value
