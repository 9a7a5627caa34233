"""The HR API's own table: the tamper-evident audit trail."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mapping.models import JSONType
from statements.db import Base


class AuditEvent(Base):
    """One create, update, delete, credential or read event; rows are only ever appended.

    Each row's `hash` covers its content and the previous row's hash (per company), so a
    changed, removed or inserted row breaks the chain (`lrs audit verify`).
    """

    __tablename__ = "hr_audit_log"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    actor_user_id: Mapped[uuid.UUID | None]
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str] = mapped_column(String(100))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    request_id: Mapped[str] = mapped_column(String(64))
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("idx_audit_company", "company_id", "id"),
        Index("idx_audit_object", "company_id", "object_type", "object_id"),
    )
