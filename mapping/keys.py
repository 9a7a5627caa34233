"""What identifies an enrollment and every record derived from it: ids computed from the
enrollment's key, so that a rebuild from scratch writes the very same rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from statements.locks import lock_key

_RECORDS = uuid.UUID("6f1c2a43-2b7e-4c55-9d1e-4a8b0c3d2e10")


@dataclass(frozen=True, slots=True, order=True)
class EnrollmentKey:
    """What identifies an enrollment; its id and every derived record's id follow from it, so
    a rebuild writes the very same rows."""

    company_id: uuid.UUID
    integration_id: uuid.UUID
    employee_id: uuid.UUID
    course_id: str  # the course activity IRI

    @property
    def id(self) -> uuid.UUID:
        """The enrollment's id."""
        parts = f"{self.company_id}|{self.integration_id}|{self.employee_id}|{self.course_id}"
        return uuid.uuid5(_RECORDS, parts)

    @property
    def lock_key(self) -> int:
        """The advisory lock under which the enrollment is recomputed."""
        return lock_key(self.id)


def record_id(*parts: object) -> uuid.UUID:
    """The id of a record derived from an enrollment (a lesson, a finding)."""
    return uuid.uuid5(_RECORDS, "|".join(str(part) for part in parts))
