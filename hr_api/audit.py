"""The audit trail: append-only, secrets redacted, each row chained to the one before.

Writes take a per-company lock (PostgreSQL advisory lock; SQLite serialises writers), so the
chain has no forks however many requests write at once.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hr_api.models import AuditEvent
from statements.locks import lock, lock_key
from statements.timestamps import format_timestamp

GENESIS = "0" * 64
REDACTED = "***"
_SECRET_WORDS = ("secret", "password", "token", "authentication_config", "private_key", "api_key")


def redact(value: Any) -> Any:
    """`value` with every secret-looking field replaced by ***."""
    if isinstance(value, Mapping):
        return {
            key: REDACTED
            if any(word in str(key).lower() for word in _SECRET_WORDS)
            else redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


def record(
    session: Session,
    *,
    company_id: uuid.UUID,
    actor_user_id: uuid.UUID | None,
    action: str,
    object_type: str,
    object_id: str,
    request_id: str,
    at: datetime,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append an event to the company's chain."""
    lock(session, [lock_key(company_id)])
    previous = session.scalar(
        select(AuditEvent.hash)
        .where(AuditEvent.company_id == company_id)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    event = AuditEvent(
        company_id=company_id,
        at=at,
        actor_user_id=actor_user_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=_jsonable(redact(before)) if before is not None else None,
        after=_jsonable(redact(after)) if after is not None else None,
        request_id=request_id,
        previous_hash=previous or GENESIS,
    )
    event.hash = chain_hash(event)
    session.add(event)
    session.flush()
    return event


def chain_hash(event: AuditEvent) -> str:
    """SHA-256 over the previous hash and the event's content."""
    content = [
        event.previous_hash,
        str(event.company_id),
        format_timestamp(event.at),
        str(event.actor_user_id) if event.actor_user_id else None,
        event.action,
        event.object_type,
        event.object_id,
        event.before,
        event.after,
        event.request_id,
    ]
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """Where a company's chain stops verifying, and why."""

    company_id: uuid.UUID
    event_id: int
    reason: str


def verify(session: Session, company_id: uuid.UUID | None = None) -> list[ChainBreak]:
    """Every place the chain does not hold; an empty list means the log is intact."""
    query = select(AuditEvent).order_by(AuditEvent.company_id, AuditEvent.id)
    if company_id is not None:
        query = query.where(AuditEvent.company_id == company_id)
    breaks: list[ChainBreak] = []
    previous: dict[uuid.UUID, str] = {}
    for event in session.scalars(query.execution_options(yield_per=1000)):
        expected_previous = previous.get(event.company_id, GENESIS)
        if event.previous_hash != expected_previous:
            breaks.append(
                ChainBreak(event.company_id, event.id, "a row before it was changed or removed")
            )
        elif chain_hash(event) != event.hash:
            breaks.append(ChainBreak(event.company_id, event.id, "the row was changed"))
        previous[event.company_id] = event.hash
    return breaks


def _jsonable(value: Any) -> Any:
    # The standard library, not orjson: request bodies may hold integers beyond 64 bits.
    return json.loads(json.dumps(value, default=str))
