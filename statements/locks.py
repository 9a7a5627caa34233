"""Transaction-scoped advisory locks (PostgreSQL), which serialise writers that touch the
same thing: statement ids, enrollments, a company's audit chain. (Outbox rows are shared out
with SKIP LOCKED instead.)

Locks are taken in one sorted pass, so two transactions wanting overlapping sets never
deadlock. SQLite needs none of it: BEGIN IMMEDIATE serialises its writers already. The keys
are those earlier versions took, so processes of two versions exclude each other while a
deployment rolls.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session


def lock_key(thing_id: uuid.UUID) -> int:
    """The lock key of a thing with an id of its own (an enrollment, a company)."""
    return thing_id.int & 0x7FFF_FFFF_FFFF_FFFF


def statement_lock_key(company_id: uuid.UUID, statement_id: uuid.UUID) -> int:
    """The lock key of a statement id within a company (ids are chosen by clients)."""
    value = (company_id.int ^ statement_id.int) & 0xFFFF_FFFF_FFFF_FFFF
    return value - (1 << 64) if value >= 1 << 63 else value


def lock(session: Session, keys: Iterable[int]) -> None:
    """Wait for and take these locks until the transaction ends."""
    ordered = sorted(set(keys))
    if not ordered or session.get_bind().dialect.name != "postgresql":
        return
    session.execute(
        text(
            "SELECT pg_advisory_xact_lock(k) FROM "
            "(SELECT unnest(CAST(:keys AS bigint[])) AS k ORDER BY 1) AS ordered"
        ),
        {"keys": ordered},
    )


def try_lock(session: Session, keys: Iterable[int]) -> set[int]:
    """Take those of these locks no other transaction holds; return them (all of them when
    there are no locks to take)."""
    wanted = set(keys)
    if not wanted or session.get_bind().dialect.name != "postgresql":
        return wanted
    taken = session.scalars(
        text(
            "SELECT k FROM unnest(CAST(:keys AS bigint[])) AS k WHERE pg_try_advisory_xact_lock(k)"
        ),
        {"keys": sorted(wanted)},
    )
    return set(taken)
