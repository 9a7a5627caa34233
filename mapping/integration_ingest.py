"""What the service records for an LMS integration itself (what its polls read, its LTI
launches and rosters): stored through the one ingest path under the integration's own
authority, and only the statements not stored before, their ids being deterministic."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mapping.models import LMSIntegrationConfig
from statements import ingest
from statements.credentials import integration_authority
from statements.db import chunks, one_of
from statements.keys import agent_key
from statements.models import Company, StatementRow


def store_new(
    session: Session,
    company: Company,
    integration: LMSIntegrationConfig,
    statements: list[dict[str, Any]],
    source: str,
    *,
    hand_on: bool = True,
) -> list[uuid.UUID]:
    """Store those of `statements` not stored already (once each); return their ids.
    `source` names what recorded them in the authority ("API", "LTI")."""
    known: set[uuid.UUID] = set()
    for chunk in chunks([uuid.UUID(s["id"]) for s in statements]):
        known.update(
            session.scalars(
                select(StatementRow.id).where(
                    one_of(session, StatementRow.id, chunk), StatementRow.company_id == company.id
                )
            )
        )
    new = list({s["id"]: s for s in statements if uuid.UUID(s["id"]) not in known}.values())
    if not new:
        return []
    by = integration_authority(
        company.home_page, integration.id, f"{integration.lms_name} ({source})"
    )
    return ingest.receive(
        session,
        company.id,
        new,
        authority=by,
        authority_key=agent_key(by) or "",
        may_define=True,
        integration_id=integration.id,
        hand_on=hand_on,
    )
