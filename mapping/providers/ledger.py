"""What an integration's polls last found of each enrolment (mapping.models.PolledEnrolment):
an enrolment whose statements are those of last time is passed over without a look at the
statements stored, and at the end of a poll that read every enrolment, those it did not
find are recorded as left.

Left, not voided: an LMS drops an enrolment when a learner withdraws, and also when the
course is over (Moodle sites unenrol learners who have finished), so what the learner did
stands and the fold reads the enrolment as dropped only where it was not finished
(mapping.fold). An enrolment that comes back is registered again. Voiding is kept for an
LMS that says a record was removed (a Cornerstone transcript row's `is_removed`)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from mapping.models import PolledEnrolment
from mapping.providers.statements import NAMESPACE, Read, verb
from mapping.vocabulary import AS
from statements.db import chunks, one_of


class Ledger:
    """One poll's use of its integration's polled enrolments."""

    def __init__(self, session: Session, integration_id: uuid.UUID, run_id: uuid.UUID) -> None:
        self.session = session
        self.integration_id = integration_id
        self.run_id = run_id
        self.seen = 0  # enrolments found by this poll

    def changed(self, reads: Iterable[Read], now: datetime) -> tuple[list[dict[str, Any]], int]:
        """The statements of the enrolments read that changed since they were last polled
        (with a registration anew for those that came back), and how many statements were
        passed over as unchanged."""
        by_registration: dict[uuid.UUID, list[dict[str, Any]]] = {}
        passed_over = 0
        for read in reads:
            if not read.statements:
                continue
            registration = uuid.UUID(read.statements[0]["context"]["registration"])
            # An LMS may list an enrolment twice (Cornerstone's warehouse, while it syncs).
            passed_over += len(by_registration.get(registration, ()))
            by_registration[registration] = read.statements
        self.seen += len(by_registration)
        known = self._states(list(by_registration))
        found: list[dict[str, Any]] = []
        for registration, statements in by_registration.items():
            print_ = fingerprint(statements)
            state = known.get(registration)
            if state == (print_, None):
                passed_over += len(statements)
                continue
            found.extend(statements)
            template = _template(statements)
            row = (
                None  # not polled before: nothing to read
                if state is None
                else self.session.get(PolledEnrolment, (self.integration_id, registration))
            )
            if row is None:
                self.session.add(
                    PolledEnrolment(
                        lms_integration_id=self.integration_id,
                        registration=registration,
                        fingerprint=print_,
                        template=template,
                        left_statement_id=None,
                        seen_run_id=self.run_id,
                        updated_at=now,
                    )
                )
                continue
            if row.left_statement_id is not None:
                found.append(_again(row, now))
                row.left_statement_id = None
            row.fingerprint, row.template, row.updated_at = print_, template, now
        return found, passed_over

    def forget(self, registrations: list[str]) -> None:
        """Registrations the LMS removed, whose statements are voided."""
        for chunk in chunks([uuid.UUID(r) for r in registrations]):
            self.session.execute(
                delete(PolledEnrolment).where(
                    PolledEnrolment.lms_integration_id == self.integration_id,
                    one_of(self.session, PolledEnrolment.registration, chunk),
                )
            )

    def departed(self, now: datetime) -> list[dict[str, Any]]:
        """At the end of a poll that read every enrolment: a statement that each enrolment it
        did not find was left. None when it found no enrolment at all: an LMS that lists
        nothing has more likely stopped showing the poller its courses than lost them all."""
        if not self.seen:
            return []
        gone = self.session.scalars(
            select(PolledEnrolment)
            .where(
                PolledEnrolment.lms_integration_id == self.integration_id,
                PolledEnrolment.left_statement_id.is_(None),
                or_(
                    PolledEnrolment.seen_run_id.is_(None),
                    PolledEnrolment.seen_run_id != self.run_id,
                ),
            )
            .execution_options(yield_per=1000)
        )
        found = []
        for row in gone:
            left = {
                "id": _id("left", row.registration, row.updated_at.isoformat()),
                **row.template,
                "verb": verb(AS + "leave"),
                "timestamp": now.isoformat(),
            }
            row.left_statement_id, row.updated_at = uuid.UUID(left["id"]), now
            found.append(left)
        return found

    def _states(self, registrations: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, Any]]:
        """Each known registration's fingerprint and left statement, marked as found by this
        poll (in one statement, without loading the rows)."""
        states: dict[uuid.UUID, tuple[str, Any]] = {}
        for chunk in chunks(registrations):
            mine = (
                PolledEnrolment.lms_integration_id == self.integration_id,
                one_of(self.session, PolledEnrolment.registration, chunk),
            )
            for registration, print_, left in self.session.execute(
                select(
                    PolledEnrolment.registration,
                    PolledEnrolment.fingerprint,
                    PolledEnrolment.left_statement_id,
                ).where(*mine)
            ):
                states[registration] = (print_, left)
            self.session.execute(
                update(PolledEnrolment).where(*mine).values(seen_run_id=self.run_id),
                execution_options={"synchronize_session": False},
            )
        return states


def fingerprint(statements: list[dict[str, Any]]) -> str:
    """The enrolment's state as read: its statements' ids are over the state."""
    return hashlib.sha256("\n".join(sorted(s["id"] for s in statements)).encode()).hexdigest()


def _template(statements: list[dict[str, Any]]) -> dict[str, Any]:
    """The actor, course and context of an enrolment's statements about the course itself."""
    course = next((s for s in statements if "contextActivities" not in s["context"]), statements[0])
    return {key: course[key] for key in ("actor", "object", "context")}


def _again(row: PolledEnrolment, now: datetime) -> dict[str, Any]:
    return {
        "id": _id("again", row.left_statement_id),
        **row.template,
        "verb": verb("registered"),
        "timestamp": now.isoformat(),
    }


def _id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join(map(str, parts))))
