"""Test data: factory_boy factories for the models and builders for xAPI statements."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import factory
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy.orm import scoped_session, sessionmaker

from statements.models import Company

TestSession = scoped_session(sessionmaker())

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"
PASSED = "http://adlnet.gov/expapi/verbs/passed"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


class BaseFactory(SQLAlchemyModelFactory):  # type: ignore[misc]
    class Meta:
        abstract = True
        sqlalchemy_session = TestSession
        sqlalchemy_session_persistence = "flush"


class CompanyFactory(BaseFactory):
    class Meta:
        model = Company

    id = factory.LazyFunction(uuid.uuid4)
    name = factory.Sequence(lambda n: f"Company {n} {uuid.uuid4().hex[:6]}")
    home_page = factory.LazyAttribute(lambda c: f"http://lrs.test/companies/{c.id}")
    created_at = factory.LazyFunction(lambda: datetime.now(UTC))


def agent(name: str = "ann") -> dict[str, Any]:
    return {"objectType": "Agent", "name": name.title(), "mbox": f"mailto:{name}@example.com"}


def activity(slug: str = "course/safety", **definition: Any) -> dict[str, Any]:
    result: dict[str, Any] = {"objectType": "Activity", "id": f"http://example.com/{slug}"}
    if definition:
        result["definition"] = definition
    return result


def statement(
    actor: str = "ann", verb: str = COMPLETED, obj: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    """A valid statement; keyword arguments add or replace top-level properties."""
    return {
        "actor": agent(actor),
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
        "object": obj if obj is not None else activity(),
        **extra,
    }


def voiding(target_id: str, actor: str = "admin") -> dict[str, Any]:
    return statement(actor, VOIDED, {"objectType": "StatementRef", "id": target_id})
