"""Storing statements for the mapping suites the way every producer does, through the one
ingest entry point (statements.ingest), with no web request in between."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from mapping.outbox import process_batch
from statements import ingest
from statements.keys import agent_key
from statements.models import Company


@dataclass
class Feed:
    """Stores statements as an LMS integration's credential (or, without an integration,
    as a content credential) would."""

    session: Session
    company: Company
    integration_id: uuid.UUID | None = None

    @property
    def authority(self) -> dict[str, Any]:
        name = str(self.integration_id or "content")
        return {
            "objectType": "Agent",
            "account": {"homePage": self.company.home_page, "name": name},
        }

    def store(self, *statements: dict[str, Any]) -> list[str]:
        """Receive the statements as one batch; return their ids."""
        authority = self.authority
        ids = ingest.receive(
            self.session,
            self.company.id,
            list(statements),
            authority=authority,
            authority_key=agent_key(authority) or "",
            may_define=True,
            integration_id=self.integration_id,
        )
        self.session.flush()
        return [str(statement_id) for statement_id in ids]


def drain(session: Session) -> None:
    """Fold everything stored so far, as the workers would."""
    while process_batch(session):
        pass
