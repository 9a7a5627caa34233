"""The employee identity map: who a statement's actor is in HR terms.

HR systems load employees in bulk. Each employee is known by agent keys (statements.keys):
their work e-mail (and its SHA-1, which content may send instead), and per integration the
LMS user id and account name they have there. Loading employees makes their unmatched
statements foldable: they go back through the outbox.

A feed may carry only some fields: what it leaves out stays as it is, and only an explicit
null (or empty list of accounts) clears a value. A partial feed must never unlink people
from their LMS accounts or their logins.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Literal, TypeVar

from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.orm import Session

from mapping.choices import EmploymentStatus
from mapping.models import Employee, EmployeeIdentity, LMSIntegrationConfig, UnmatchedStatement
from statements.db import chunks, one_of
from statements.errors import BadRequest
from statements.keys import agent_key
from statements.models import StatementOutbox


@dataclass(frozen=True, slots=True)
class LmsAccount:
    """An employee's account on one LMS integration."""

    integration_id: uuid.UUID
    name: str  # the account name (login or user id) on that LMS
    home_page: str | None = None  # the LMS's homePage in xAPI accounts; default: its API URL


class Unchanged(Enum):
    """A field the feed left out."""

    UNCHANGED = "unchanged"


UNCHANGED = Unchanged.UNCHANGED
Keep = Literal[Unchanged.UNCHANGED]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class EmployeeRecord:
    """One employee as an HR system sends it; UNCHANGED for what it left out."""

    employee_number: str
    name: str
    work_email: str | None | Keep = UNCHANGED
    user_id: uuid.UUID | None | Keep = UNCHANGED
    department_id: uuid.UUID | None | Keep = UNCHANGED
    department_name: str | Keep = UNCHANGED
    team_id: uuid.UUID | None | Keep = UNCHANGED
    team_name: str | Keep = UNCHANGED
    manager_number: str | None | Keep = UNCHANGED
    employment_status: EmploymentStatus | Keep = UNCHANGED
    accounts: Sequence[LmsAccount] | Keep = UNCHANGED


def _given(value: T | Keep, current: T) -> T:
    return current if value is UNCHANGED else value


EMAIL_SOURCES = ("email", "email_sha1")
ACCOUNT_SOURCES = ("lms_account",)


def email_keys(email: str) -> list[tuple[str, str]]:
    """The agent keys an e-mail address appears as: mbox and mbox_sha1sum."""
    mbox = f"mailto:{email.strip()}"
    digest = hashlib.sha1(mbox.lower().encode(), usedforsecurity=False).hexdigest()
    return [
        ("email", agent_key({"mbox": mbox}) or ""),
        ("email_sha1", agent_key({"mbox_sha1sum": digest}) or ""),
    ]


def upsert_employees(
    session: Session, company_id: uuid.UUID, records: Sequence[EmployeeRecord], now: datetime
) -> list[Employee]:
    """Create or update employees by employee number, replace their identities, and queue
    their so-far unmatched statements for folding. Managers are linked by employee number,
    within the batch or among employees already stored."""
    numbers = [r.employee_number for r in records]
    existing = {
        e.employee_number: e
        for e in session.scalars(
            select(Employee).where(
                Employee.company_id == company_id,
                one_of(session, Employee.employee_number, numbers),
            )
        )
    }
    employees: list[Employee] = []
    for record in records:
        employee = existing.get(record.employee_number) or Employee(
            id=uuid.uuid4(),
            company_id=company_id,
            employee_number=record.employee_number,
            department_name="",
            team_name="",
            employment_status=EmploymentStatus.ACTIVE,
        )
        employee.name = record.name
        employee.user_id = _given(record.user_id, employee.user_id)
        employee.work_email = _given(record.work_email, employee.work_email)
        employee.department_id = _given(record.department_id, employee.department_id)
        employee.department_name = _given(record.department_name, employee.department_name)
        employee.team_id = _given(record.team_id, employee.team_id)
        employee.team_name = _given(record.team_name, employee.team_name)
        employee.employment_status = _given(record.employment_status, employee.employment_status)
        employee.updated_at = now
        session.add(employee)
        employees.append(employee)
    session.flush()
    _link_managers(session, company_id, records, employees)
    keys = _replace_identities(session, company_id, records, employees)
    requeue_unmatched(session, company_id, keys, now)
    return employees


def _link_managers(
    session: Session,
    company_id: uuid.UUID,
    records: Sequence[EmployeeRecord],
    employees: Sequence[Employee],
) -> None:
    wanted = {r.manager_number for r in records if isinstance(r.manager_number, str)}
    by_number = {
        number: employee_id
        for number, employee_id in session.execute(
            select(Employee.employee_number, Employee.id).where(
                Employee.company_id == company_id,
                one_of(session, Employee.employee_number, list(wanted)),
            )
        )
    }
    for record, employee in zip(records, employees, strict=True):
        if record.manager_number is UNCHANGED:
            continue
        if record.manager_number == record.employee_number:
            raise BadRequest(f"employee {record.employee_number} cannot be their own manager")
        employee.manager_id = (
            by_number.get(record.manager_number) if record.manager_number else None
        )
    session.flush()
    _refuse_manager_cycles(session, company_id, employees)


def _refuse_manager_cycles(
    session: Session, company_id: uuid.UUID, employees: Sequence[Employee]
) -> None:
    """400 when following managers up from an employee of the batch comes back to them."""
    managers = {
        employee_id: manager_id
        for employee_id, manager_id in session.execute(
            select(Employee.id, Employee.manager_id).where(
                Employee.company_id == company_id, Employee.manager_id.is_not(None)
            )
        )
    }
    numbers = {e.id: e.employee_number for e in employees}
    for employee in employees:
        seen = {employee.id}
        current = managers.get(employee.id)
        while current is not None:
            if current in seen:
                raise BadRequest(
                    f"the managers of employee {numbers[employee.id]} form a cycle; "
                    "someone in the chain must report outside it"
                )
            seen.add(current)
            current = managers.get(current)


def _replace_identities(
    session: Session,
    company_id: uuid.UUID,
    records: Sequence[EmployeeRecord],
    employees: Sequence[Employee],
) -> set[str]:
    home_pages = {
        integration_id: url
        for integration_id, url in session.execute(
            select(LMSIntegrationConfig.id, LMSIntegrationConfig.api_endpoint_url).where(
                LMSIntegrationConfig.company_id == company_id
            )
        )
    }
    # Only the kinds of identity the feed sent are replaced.
    for kinds, sent in (
        (
            EMAIL_SOURCES,
            [
                e.id
                for r, e in zip(records, employees, strict=True)
                if r.work_email is not UNCHANGED
            ],
        ),
        (
            ACCOUNT_SOURCES,
            [e.id for r, e in zip(records, employees, strict=True) if r.accounts is not UNCHANGED],
        ),
    ):
        for chunk in chunks(sent):
            session.execute(
                delete(EmployeeIdentity).where(
                    EmployeeIdentity.company_id == company_id,
                    one_of(session, EmployeeIdentity.employee_id, chunk),
                    EmployeeIdentity.source.in_(kinds),
                )
            )
    rows: list[dict[str, object]] = []
    for record, employee in zip(records, employees, strict=True):
        identities: list[tuple[uuid.UUID | None, str, str]] = []
        if isinstance(record.work_email, str) and record.work_email:
            identities += [(None, source, key) for source, key in email_keys(record.work_email)]
        for account in record.accounts if record.accounts is not UNCHANGED else ():
            home_page = account.home_page or home_pages.get(account.integration_id) or ""
            key = agent_key({"account": {"homePage": home_page, "name": account.name}}) or ""
            identities.append((account.integration_id, "lms_account", key))
        rows += [
            {
                "company_id": company_id,
                "employee_id": employee.id,
                "lms_integration_id": integration_id,
                "agent_key": key,
                "source": source,
            }
            for integration_id, source, key in identities
        ]
    if rows:
        session.execute(insert(EmployeeIdentity), rows)
    return {str(row["agent_key"]) for row in rows}


def requeue_unmatched(
    session: Session, company_id: uuid.UUID, keys: Iterable[str], now: datetime
) -> int:
    """Send the unmatched statements of these agent keys back through the outbox."""
    keys = list(keys)
    statement_ids = list(
        session.scalars(
            select(UnmatchedStatement.statement_id).where(
                UnmatchedStatement.company_id == company_id,
                one_of(session, UnmatchedStatement.agent_key, keys),
            )
        )
    )
    if not statement_ids:
        return 0
    session.execute(
        insert(StatementOutbox),
        [{"company_id": company_id, "statement_id": sid, "created": now} for sid in statement_ids],
    )
    session.execute(
        delete(UnmatchedStatement).where(
            UnmatchedStatement.company_id == company_id,
            one_of(session, UnmatchedStatement.statement_id, statement_ids),
        )
    )
    return len(statement_ids)


def find_employees(
    session: Session, company_id: uuid.UUID, wanted: Iterable[tuple[uuid.UUID, str]]
) -> dict[tuple[uuid.UUID, str], uuid.UUID | None]:
    """The employee each (integration, agent key) belongs to, or None for unknown learners.

    An integration's own account beats a company-wide key such as the e-mail.
    """
    wanted = set(wanted)
    found: dict[str, list[tuple[uuid.UUID | None, uuid.UUID]]] = {}
    keys = {key for _integration, key in wanted}
    for employee_id, integration_id, key in _identities(session, company_id, "agent_key", keys):
        found.setdefault(key, []).append((integration_id, employee_id))
    result: dict[tuple[uuid.UUID, str], uuid.UUID | None] = {}
    for integration_id, key in wanted:
        rows = found.get(key, [])
        specific = [e for i, e in rows if i == integration_id]
        general = [e for i, e in rows if i is None]
        candidates = specific or general
        result[(integration_id, key)] = min(candidates) if candidates else None
    return result


def employees_keys(
    session: Session, company_id: uuid.UUID, wanted: Iterable[tuple[uuid.UUID, uuid.UUID]]
) -> dict[tuple[uuid.UUID, uuid.UUID], list[str]]:
    """Every agent key each (integration, employee) appears as in that integration's statements."""
    wanted = set(wanted)
    by_employee: dict[uuid.UUID, list[tuple[uuid.UUID | None, str]]] = {}
    employees = {employee_id for _integration, employee_id in wanted}
    for employee_id, integration_id, key in _identities(
        session, company_id, "employee_id", employees
    ):
        by_employee.setdefault(employee_id, []).append((integration_id, key))
    return {
        (integration_id, employee_id): sorted(
            {key for i, key in by_employee.get(employee_id, []) if i in (integration_id, None)}
        )
        for integration_id, employee_id in wanted
    }


def _identities(
    session: Session, company_id: uuid.UUID, column: str, values: Iterable[Any]
) -> Iterator[tuple[uuid.UUID, uuid.UUID | None, str]]:
    """(employee, integration, agent key) of the identities whose `column` is in `values`."""
    identity = EmployeeIdentity.__table__.c
    for chunk in chunks(sorted(values)):
        yield from session.execute(
            select(identity.employee_id, identity.lms_integration_id, identity.agent_key).where(
                identity.company_id == company_id, one_of(session, identity[column], chunk)
            )
        ).tuples()


@dataclass(frozen=True, slots=True)
class UnmatchedLearner:
    """Someone statements are about whom the identity map does not know (yet)."""

    lms_integration_id: uuid.UUID | None
    agent_key: str
    agent: dict[str, object]
    statements: int
    first_stored: datetime
    last_stored: datetime


def unmatched_learners(
    session: Session,
    company_id: uuid.UUID,
    integration_id: uuid.UUID | None = None,
    *,
    offset: int = 0,
    limit: int | None = None,
) -> list[UnmatchedLearner]:
    """The unknown learners of a company (or one integration), most statements first; a page
    of them with `offset` and `limit`, counted, ordered and cut in the database."""
    count = func.count()
    query = (
        _unmatched_groups(company_id, integration_id)
        .add_columns(
            count, func.min(UnmatchedStatement.stored), func.max(UnmatchedStatement.stored)
        )
        .order_by(count.desc(), UnmatchedStatement.agent_key, UnmatchedStatement.lms_integration_id)
        .offset(offset)
        .limit(limit)
    )
    learners = []
    for integration, key, statements, first, last in session.execute(query):
        agent = session.scalar(
            select(UnmatchedStatement.agent)
            .where(UnmatchedStatement.company_id == company_id, UnmatchedStatement.agent_key == key)
            .order_by(UnmatchedStatement.stored.desc())
            .limit(1)
        )
        learners.append(UnmatchedLearner(integration, key, agent or {}, statements, first, last))
    return learners


def count_unmatched_learners(
    session: Session, company_id: uuid.UUID, integration_id: uuid.UUID | None = None
) -> int:
    groups = _unmatched_groups(company_id, integration_id).subquery()
    return session.scalar(select(func.count()).select_from(groups)) or 0


def _unmatched_groups(company_id: uuid.UUID, integration_id: uuid.UUID | None) -> Select[Any]:
    """One row per unknown learner: (integration, agent key)."""
    query = (
        select(UnmatchedStatement.lms_integration_id, UnmatchedStatement.agent_key)
        .where(UnmatchedStatement.company_id == company_id)
        .group_by(UnmatchedStatement.lms_integration_id, UnmatchedStatement.agent_key)
    )
    if integration_id is not None:
        query = query.where(UnmatchedStatement.lms_integration_id == integration_id)
    return query
