"""Tables of the statement store: tenants, statements and the index rows every filter uses.

A statement is kept as the exact JSON the LRS returns (`payload`) plus one column per
one-per-statement filter value. One-to-many values (agents and activities a statement relates
to, and the statements it targets through StatementRefs) live in link tables. No query reads
`payload` to filter: xAPI queries are answered from indexes alone.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from statements.db import Base, table_of

# Index key columns hold IRIs and agent identifiers; longer values are stored as a digest
# (statements.keys.index_key) so that no B-tree entry outgrows PostgreSQL's row limit.
KEY_LENGTH = 255


class Company(Base):
    """A tenant: every statement, document and credential belongs to exactly one company."""

    __tablename__ = "companies"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # The homePage of accounts the LRS makes for this company (authority agents).
    home_page: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime]


class StatementRow(Base):
    """One stored statement: its returned JSON and its one-per-statement index values."""

    __tablename__ = "statements"

    company_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    stored: Mapped[datetime]
    verb_key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    # Set when the object is an Activity.
    activity_key: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    # Set when the object is a StatementRef (voiding statements included).
    ref_id: Mapped[uuid.UUID | None]
    registration: Mapped[uuid.UUID | None]
    authority_key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    # The LMS integration whose credential stored the statement, when there is one.
    integration_id: Mapped[uuid.UUID | None]
    voided: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    payload: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        # Keys lead with the row's own id and end with the tenant: a query for one company
        # must never find the primary key attractive for scanning that company's rows, which
        # is what a planner does while a new company has no statistics of its own. For the
        # same reason, lookups by values that are unique across tenants (ids, StatementRef
        # targets, registrations) leave the tenant out of the query and check it on the rows
        # found: with it in, such a planner walks all of the company's rows in
        # ix_statements_stored, which costs more the more the company stores.
        PrimaryKeyConstraint("id", "company_id"),
        Index("ix_statements_stored", "company_id", "stored", "id"),
        # Filter indexes lead with the filtered value: see statement_agents.
        Index("ix_statements_verb", "verb_key", "company_id", "stored", "id"),
        Index("ix_statements_activity", "activity_key", "company_id", "stored", "id"),
        Index(
            "ix_statements_registration",
            "registration",
            "company_id",
            "stored",
            "id",
            postgresql_where=text("registration IS NOT NULL"),
            sqlite_where=text("registration IS NOT NULL"),
        ),
        Index("ix_statements_authority", "authority_key", "company_id", "stored", "id"),
        Index(
            "ix_statements_ref",
            "ref_id",
            "company_id",
            postgresql_where=text("ref_id IS NOT NULL"),
            sqlite_where=text("ref_id IS NOT NULL"),
        ),
    )


class StatementAgent(Base):
    """An agent or identified group a statement relates to.

    `direct` marks the actor and object (and their group members), which the `agent` filter
    matches; the others (instructor, team, SubStatement agents) match only with
    `related_agents=true`. The authority is not repeated here: it is the statement's
    `authority_key` column.
    """

    __tablename__ = "statement_agents"

    company_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    statement_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    agent_key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    stored: Mapped[datetime]
    direct: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (
        PrimaryKeyConstraint("statement_id", "agent_key", "company_id"),
        # The agent key leads: its statistics are about one person, where a tenant's are
        # about everyone (or, for a new tenant, nothing). `direct` last: an agent filter reads
        # the index in (stored, id) order and skips related-only rows without the table.
        Index(
            "ix_statement_agents_key", "agent_key", "company_id", "stored", "statement_id", "direct"
        ),
    )


class StatementActivity(Base):
    """An activity anywhere in a statement (object, context activities, SubStatement)."""

    __tablename__ = "statement_activities"

    company_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    statement_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    activity_key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    stored: Mapped[datetime]

    __table_args__ = (
        PrimaryKeyConstraint("statement_id", "activity_key", "company_id"),
        Index(
            "ix_statement_activities_key", "activity_key", "company_id", "stored", "statement_id"
        ),
    )


class StatementTarget(Base):
    """A statement reachable from `statement_id` through a chain of StatementRef objects.

    The transitive closure is kept so that the StatementRef filter rule (xAPI Communication
    2.1.3, "Filter Conditions for StatementRefs") is one join, however long the chain.
    """

    __tablename__ = "statement_targets"

    company_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    statement_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    target_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    stored: Mapped[datetime]

    __table_args__ = (
        PrimaryKeyConstraint("statement_id", "target_id", "company_id"),
        Index("ix_statement_targets_target", "target_id", "company_id"),
    )


class Attachment(Base):
    """Attachment bytes, stored once per company and SHA-2 however many statements use them
    (xAPI Data 2.4.11: attachments are matched by their hash alone)."""

    __tablename__ = "attachments"

    company_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    sha2: Mapped[str] = mapped_column(String(128), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(255))
    length: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)
    stored: Mapped[datetime]


class Document(Base):
    """A State, Activity Profile or Agent Profile document (xAPI Communication 2.2 to 2.7).

    `scope_hash` identifies the document: a digest of its kind, activity, agent,
    registration and id, unique per company. The other key columns serve listings.
    """

    __tablename__ = "documents"

    company_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    scope_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    activity_key: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    agent_key: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    registration: Mapped[uuid.UUID | None]
    document_id: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    etag: Mapped[str] = mapped_column(String(40))
    updated: Mapped[datetime]

    __table_args__ = (
        Index("ix_documents_scope", "company_id", "kind", "activity_key", "agent_key", "updated"),
    )


class ActivityDefinition(Base):
    """The LRS's canonical definition of an activity, assembled from the statements that used
    it (xAPI Data 2.4.4.1) and returned by GET activities and the canonical format."""

    __tablename__ = "activities"

    company_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    activity_key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    activity_id: Mapped[str] = mapped_column(Text)
    # The definition as JSON text; "{}" while no credential allowed to define it has.
    definition: Mapped[str] = mapped_column(Text)
    updated: Mapped[datetime]


class StatementOutbox(Base):
    """A stored statement waiting to be folded into HR records.

    Written in the transaction that stores the statement, so a statement is folded if and
    only if it was stored; workers take rows with FOR UPDATE SKIP LOCKED and delete them once
    folded.
    """

    __tablename__ = "statement_outbox"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    company_id: Mapped[uuid.UUID]
    statement_id: Mapped[uuid.UUID]
    created: Mapped[datetime]


# The Core tables, for the hot paths that skip the ORM (bulk writes, statement queries).
STATEMENTS = table_of(StatementRow)
AGENTS = table_of(StatementAgent)
ACTIVITIES = table_of(StatementActivity)
TARGETS = table_of(StatementTarget)
OUTBOX = table_of(StatementOutbox)
