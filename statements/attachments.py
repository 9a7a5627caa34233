"""Attachments (xAPI Data 2.4.11, Communication 1.5.2): matching raw parts to the attachment
objects that declare them, and content-addressed storage of their bytes."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from statements.errors import BadRequest, FieldError
from statements.models import Attachment

Json = Mapping[str, Any]
SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
_HASHES = {56: hashlib.sha224, 64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}


@dataclass(frozen=True, slots=True)
class AttachmentPart:
    """The raw data of one attachment, as sent in a multipart part or read back."""

    sha2: str
    content_type: str
    content: bytes


def declared_attachments(statements: Sequence[Json]) -> Iterator[tuple[str, Json]]:
    """Every attachment object of a batch with its path (SubStatements included)."""
    batch = len(statements) > 1
    for index, statement in enumerate(statements):
        prefix = f"[{index}]." if batch else ""
        for position, attachment in enumerate(statement.get("attachments", ())):
            yield f"{prefix}attachments[{position}]", attachment
        obj = statement["object"]
        if obj.get("objectType") == "SubStatement":
            for position, attachment in enumerate(obj.get("attachments", ())):
                yield f"{prefix}object.attachments[{position}]", attachment


def match_parts(
    statements: Sequence[Json], parts: Sequence[AttachmentPart]
) -> list[AttachmentPart]:
    """Check that parts and attachment objects correspond; return the parts to store.

    Every attachment without a fileUrl needs a part with its sha2, and every part must be
    declared by some attachment object and really have the hash it claims (Communication
    1.5.2). Anything else rejects the whole request.
    """
    by_hash: dict[str, AttachmentPart] = {}
    for index, part in enumerate(parts):
        sha2 = part.sha2.lower()
        digest = _HASHES.get(len(sha2))
        if digest is None or digest(part.content).hexdigest() != sha2:
            raise BadRequest(
                f"attachment part {index + 1}: its content does not have the SHA-2 hash its "
                "X-Experience-API-Hash header claims"
            )
        by_hash[sha2] = AttachmentPart(sha2, part.content_type, part.content)
    declared: set[str] = set()
    errors: list[FieldError] = []
    for path, attachment in declared_attachments(statements):
        sha2 = attachment["sha2"].lower()
        declared.add(sha2)
        if sha2 not in by_hash and "fileUrl" not in attachment:
            errors.append(FieldError(path, f"no fileUrl and no part with hash {sha2} was sent"))
    if errors:
        raise BadRequest(
            "attachments without fileUrl must be sent as multipart/mixed parts", errors
        )
    undeclared = sorted(by_hash.keys() - declared)
    if undeclared:
        raise BadRequest(
            f"attachment parts with hashes {', '.join(undeclared)} match no attachment object"
        )
    return list(by_hash.values())


def store_attachments(
    session: Session, company_id: uuid.UUID, parts: Iterable[AttachmentPart], stored: datetime
) -> None:
    """Keep each part's bytes once per company; parts already stored are left as they are."""
    rows = [
        {
            "company_id": company_id,
            "sha2": part.sha2,
            "content_type": part.content_type,
            "length": len(part.content),
            "content": part.content,
            "stored": stored,
        }
        for part in sorted(parts, key=lambda p: p.sha2)  # a fixed order: no deadlocks
    ]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(Attachment).on_conflict_do_nothing(), rows)


def load_attachments(
    session: Session, company_id: uuid.UUID, statements: Iterable[Json]
) -> list[AttachmentPart]:
    """The stored data of every attachment the statements declare, each hash once."""
    wanted: list[str] = []
    for statement in statements:
        for _path, attachment in declared_attachments([statement]):
            sha2 = attachment["sha2"].lower()
            if sha2 not in wanted:
                wanted.append(sha2)
    if not wanted:
        return []
    rows = session.execute(
        select(Attachment.sha2, Attachment.content_type, Attachment.content).where(
            Attachment.company_id == company_id, Attachment.sha2.in_(wanted)
        )
    )
    found = {
        sha2: AttachmentPart(sha2, content_type, content) for sha2, content_type, content in rows
    }
    return [found[sha2] for sha2 in wanted if sha2 in found]
