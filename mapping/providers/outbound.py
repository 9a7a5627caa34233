"""Enrolling employees in LMS courses from the HR side: an assignment (by a manager, or a
compliance rule) of a course of an API integration whose `sync_direction` is bidirectional
or outbound_only asks for the enrolment here, and the scheduler makes it through the LMS's
API. One request per enrollment, so that assigning twice enrols once; what the LMS or the
identity map is not ready for is tried again later, and the enrollment shows where it stands.

The LMS's own record of the enrolment then comes back through the integration's polls like
any other, so nothing here writes HR records."""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mapping.choices import OutboundStatus
from mapping.models import EmployeeIdentity, LMSIntegrationConfig, OutboundEnrolment
from mapping.providers.connect import ENROLLED, course_of, enroller, politeness, sends
from mapping.providers.errors import ProviderError, RateLimited, TransientError
from mapping.providers.http import HttpClient
from mapping.providers.rate import pacer

ATTEMPTS = 5  # of an LMS that fails or throttles, before the enrolment is failed
WAIT_FOR_ACCOUNT = timedelta(minutes=15)
DUE_AT_ONCE = 200  # requests taken up per look
Secrets = Callable[[Mapping[str, Any]], Mapping[str, Any]]
log = logging.getLogger(__name__)


def request(
    session: Session,
    integration: LMSIntegrationConfig,
    employee_id: uuid.UUID,
    course_activity_id: str,
    enrollment_id: uuid.UUID,
    now: datetime,
) -> OutboundEnrolment | None:
    """Ask for the employee's enrolment in the course, where the integration enrols
    (the request there is already, if any); None where it does not."""
    if not sends(integration):
        return None
    known = session.scalars(
        select(OutboundEnrolment).where(OutboundEnrolment.enrollment_id == enrollment_id)
    ).first()
    if known is not None:
        return known
    found = OutboundEnrolment(
        id=uuid.uuid4(),
        company_id=integration.company_id,
        lms_integration_id=integration.id,
        employee_id=employee_id,
        course_activity_id=course_activity_id,
        enrollment_id=enrollment_id,
        status=OutboundStatus.PENDING,
        attempts=0,
        message="waiting for the scheduler to enrol them in the LMS",
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    if integration.lms_type not in ENROLLED:
        found.status = OutboundStatus.FAILED
        found.message = (
            f"{integration.lms_type.value}'s API does not enrol learners: enrol them in the "
            "LMS itself"
        )
    elif course_of(integration, course_activity_id) is None:
        found.status = OutboundStatus.FAILED
        found.message = (
            f"{course_activity_id} is not a course activity id of this LMS: assign the course "
            "by the id its polls give it (GET /api/lms-enrollments/ shows them)"
        )
    session.add(found)
    return found


def deliver_due(
    session: Session, secrets: Secrets, *, private_networks: bool, now: datetime
) -> list[OutboundEnrolment]:
    """Make the enrolments whose time has come, each in a transaction of its own that holds
    it (another scheduler passes over it); return them as they now stand."""
    clients: dict[uuid.UUID, Any] = {}
    done: list[OutboundEnrolment] = []
    while len(done) < DUE_AT_ONCE:
        row = session.scalars(
            select(OutboundEnrolment)
            .where(
                OutboundEnrolment.status == OutboundStatus.PENDING,
                OutboundEnrolment.next_attempt_at <= now,
            )
            .order_by(OutboundEnrolment.next_attempt_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            break
        integration = session.get(LMSIntegrationConfig, row.lms_integration_id)
        assert integration is not None  # its rows go with it
        if integration.id not in clients:
            clients[integration.id] = _enroller(session, integration, secrets, private_networks)
        client = clients[integration.id]
        if not integration.is_active:
            _fail(row, "the integration is deactivated", now)
        elif isinstance(client, str):
            _fail(row, client, now)
        else:
            _deliver(session, integration, client, row, now)
        session.commit()
        done.append(row)
    return done


def _enroller(
    session: Session, integration: LMSIntegrationConfig, secrets: Secrets, private_networks: bool
) -> Any:
    """The integration's client, or why there is none."""
    try:
        config = secrets(integration.authentication_config)
    except ValueError as exc:  # sealed with a key this installation lacks
        return f"{exc}: set the integration's authentication_config again"
    pace = pacer(session, integration.id, integration.rate_limit_per_hour)
    return enroller(
        integration, config, HttpClient(politeness(integration, private_networks), pace=pace)
    )


def _deliver(
    session: Session,
    integration: LMSIntegrationConfig,
    client: Any,
    row: OutboundEnrolment,
    now: datetime,
) -> None:
    row.updated_at = now
    user = lms_user_id(session, integration.id, row.employee_id)
    if user is None:
        row.message = (
            f"waiting for the employee's user id on {integration.lms_name}: add it to their "
            "LMS accounts (/api/employees/)"
        )
        row.next_attempt_at = now + WAIT_FOR_ACCOUNT
        return
    course = course_of(integration, row.course_activity_id)
    assert course is not None  # checked when asked for
    row.attempts += 1
    try:
        client.enrol(course, user)
    except (TransientError, RateLimited) as exc:
        if row.attempts >= ATTEMPTS:
            _fail(row, exc.message, now)
        else:
            row.message = f"will try again: {exc.message}"
            row.next_attempt_at = now + timedelta(minutes=2**row.attempts)
    except ProviderError as exc:
        _fail(row, exc.message, now)
    except Exception as exc:  # an answer the client did not expect: this one fails, not all
        where = "".join(traceback.format_tb(exc.__traceback__))
        log.error("outbound enrolment %s failed on %s\n%s", row.id, type(exc).__name__, where)
        _fail(row, f"the LMS's answer was not understood ({type(exc).__name__})", now)
    else:
        row.status, row.message = OutboundStatus.DONE, "enrolled in the LMS"


def lms_user_id(session: Session, integration_id: uuid.UUID, employee_id: uuid.UUID) -> str | None:
    """The employee's user id on the integration's LMS, from the identity map."""
    keys = session.scalars(
        select(EmployeeIdentity.agent_key).where(
            EmployeeIdentity.employee_id == employee_id,
            EmployeeIdentity.lms_integration_id == integration_id,
            EmployeeIdentity.agent_key.startswith("account:"),
        )
    ).all()
    return next((key.partition(" ")[2] for key in sorted(keys)), None)


def _fail(row: OutboundEnrolment, message: str, now: datetime) -> None:
    row.status, row.message, row.updated_at = OutboundStatus.FAILED, message, now
