"""The audit trail: append-only, secrets redacted, each row chained to the one before.

Each row's hash is an HMAC, keyed with the installation's audit key, over its content and
the previous row's hash: someone who can write to the database but does not hold the key can
neither change a row nor rewrite the hashes after it unnoticed. Deleting the newest rows
leaves an intact (shorter) chain, so `checkpoint` publishes the head of each company's chain
outside the table, signed with the same key and with the row count, and `verify` checks the
table against those checkpoints too. Rows written before the chain was keyed carry a plain
SHA-256: `seal` checks that old chain and re-chains it under the key, once, after an upgrade.

Writes take a per-company lock (PostgreSQL advisory lock; SQLite serialises writers), so the
chain has no forks however many requests write at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config import ConfigError, Settings
from hr_api.models import AuditEvent
from statements.locks import lock, lock_key
from statements.timestamps import format_timestamp, parse_timestamp

GENESIS = "0" * 64
NOT_SEALED = (
    "the row is not sealed by the key: it was forged, or written before the upgrade to the "
    "keyed chain (those are sealed once, right after the upgrade, with lrs audit seal)"
)
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


def audit_key(settings: Settings) -> bytes:
    """The key of the chain: LRS_AUDIT_KEY, else one derived from SECRET_KEY."""
    if settings.audit_key:
        return settings.audit_key.encode()
    return hmac.new(settings.secret_key.encode(), b"audit-chain", hashlib.sha256).digest()


def record(
    session: Session,
    key: bytes,
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
    event.hash = chain_hash(event, key)
    session.add(event)
    session.flush()
    return event


def chain_hash(event: AuditEvent, key: bytes | None) -> str:
    """HMAC-SHA256 with `key` over the previous hash and the event's content (with no key,
    the plain SHA-256 of rows written before the chain was keyed)."""
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
    if key is None:
        return hashlib.sha256(canonical.encode()).hexdigest()
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """Where a company's chain stops verifying, and why."""

    company_id: uuid.UUID
    event_id: int
    reason: str


def verify(
    session: Session,
    key: bytes,
    company_id: uuid.UUID | None = None,
    checkpoints: Iterable[Mapping[str, Any]] = (),
) -> list[ChainBreak]:
    """Every place the chain, or a checkpoint of it, does not hold; an empty list means the
    log is intact (as far as the newest checkpoint: rows deleted after it cannot be told)."""
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
        elif chain_hash(event, key) != event.hash:
            reason = "the row was changed"
            if chain_hash(event, None) == event.hash:
                reason = NOT_SEALED
            breaks.append(ChainBreak(event.company_id, event.id, reason))
        previous[event.company_id] = event.hash
    for checkpoint in checkpoints:
        if company_id is None or checkpoint.get("company_id") == str(company_id):
            breaks += _checkpoint_breaks(session, key, checkpoint)
    return breaks


def seal(session: Session, key: bytes) -> int:
    """Once, after the upgrade to the keyed chain: re-chain under `key` each company's rows
    written before it, and the keyed rows written on top of them since; return how many
    unkeyed rows were sealed. The old rows must form an unbroken plain SHA-256 chain from the
    start, and every row after them must verify under the key: an unkeyed row after a keyed
    one, or any row that verifies under neither, is a forgery, and nothing is sealed."""
    sealed = 0
    companies = session.scalars(select(AuditEvent.company_id).distinct()).all()
    for company_id in sorted(companies):
        lock(session, [lock_key(company_id)])
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.company_id == company_id).order_by(AuditEvent.id)
        ).all()
        old, keyed, previous = 0, False, GENESIS
        for event in events:
            unkeyed = chain_hash(event, None) == event.hash
            if event.previous_hash != previous or not (
                unkeyed or chain_hash(event, key) == event.hash
            ):
                raise ConfigError(
                    f"audit row {event.id} of company {company_id} verifies under neither the "
                    "key nor the unkeyed chain: it was changed, and nothing is sealed"
                )
            if unkeyed and keyed:
                raise ConfigError(
                    f"audit row {event.id} of company {company_id} is unkeyed after keyed rows: "
                    "it was forged, and nothing is sealed"
                )
            old += unkeyed
            keyed = keyed or not unkeyed
            previous = event.hash
        if not old:
            continue
        previous = GENESIS
        for event in events:
            event.previous_hash = previous
            event.hash = chain_hash(event, key)
            previous = event.hash
        sealed += old
    session.flush()
    return sealed


def checkpoint(session: Session, key: bytes, company_id: uuid.UUID, at: datetime) -> dict[str, Any]:
    """The head of a company's chain now, with its row count, signed: to be kept outside the
    database (a log, a ticket, another system) for `verify` to check the table against."""
    count, last_id = session.execute(
        select(func.count(), func.max(AuditEvent.id)).where(AuditEvent.company_id == company_id)
    ).one()
    head = session.scalar(select(AuditEvent.hash).where(AuditEvent.id == last_id)) or GENESIS
    body = {
        "company_id": str(company_id),
        "rows": count,
        "last_id": last_id or 0,
        "head": head,
        "at": format_timestamp(at),
    }
    return body | {"signature": _sign(key, body)}


def _sign(key: bytes, body: Mapping[str, Any]) -> str:
    canonical = json.dumps(
        {name: body[name] for name in ("company_id", "rows", "last_id", "head", "at")},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def _checkpoint_breaks(
    session: Session, key: bytes, checkpoint: Mapping[str, Any]
) -> list[ChainBreak]:
    try:
        company_id = uuid.UUID(str(checkpoint["company_id"]))
        last_id, rows = int(checkpoint["last_id"]), int(checkpoint["rows"])
        parse_timestamp(str(checkpoint["at"]))
        signed = hmac.compare_digest(str(checkpoint["signature"]), _sign(key, checkpoint))
    except (KeyError, ValueError, TypeError):
        return [ChainBreak(uuid.UUID(int=0), 0, "a checkpoint cannot be read")]
    if not signed:
        return [ChainBreak(company_id, last_id, "a checkpoint's signature does not verify")]
    count = session.scalar(
        select(func.count()).where(AuditEvent.company_id == company_id, AuditEvent.id <= last_id)
    )
    head = session.scalar(
        select(AuditEvent.hash).where(AuditEvent.company_id == company_id, AuditEvent.id == last_id)
    )
    if rows and head != checkpoint["head"]:
        return [
            ChainBreak(
                company_id,
                last_id,
                f"the row the checkpoint of {checkpoint['at']} ends at is gone or changed",
            )
        ]
    if count != rows:
        return [
            ChainBreak(
                company_id,
                last_id,
                f"the checkpoint of {checkpoint['at']} counted {rows} rows up to here; "
                f"the table holds {count}",
            )
        ]
    return []


def _jsonable(value: Any) -> Any:
    # The standard library, not orjson: request bodies may hold integers beyond 64 bits.
    return json.loads(json.dumps(value, default=str))
