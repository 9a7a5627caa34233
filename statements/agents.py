"""The Person object of the Agents resource (xAPI Communication 2.4)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import orjson
from sqlalchemy import and_, select, true
from sqlalchemy.orm import Session

from statements.keys import agent_key
from statements.models import StatementAgent, StatementRow
from statements.rules import IFI_PROPERTIES

Json = Mapping[str, Any]
# How many recent statements about an agent are read for the names it goes by.
_RECENT = 25


def person(session: Session, company_id: uuid.UUID, agent: Json) -> dict[str, Any]:
    """Everything the LRS knows identifies the person behind `agent`.

    Names come from the latest statements where the agent is actor or object; the
    identifiers are the agent's own.
    """
    key = agent_key(agent)
    result: dict[str, Any] = {"objectType": "Person"}
    names: list[str] = []
    payloads = session.scalars(
        select(StatementRow.payload)
        .join(
            StatementAgent,
            and_(
                StatementAgent.company_id == StatementRow.company_id,
                StatementAgent.statement_id == StatementRow.id,
            ),
        )
        .where(
            StatementAgent.company_id == company_id,
            StatementAgent.agent_key == key,
            StatementAgent.direct == true(),
        )
        .order_by(StatementAgent.stored.desc())
        .limit(_RECENT)
    )
    for payload in payloads:
        for seen in _agents_in(orjson.loads(payload)):
            if agent_key(seen) == key and "name" in seen and seen["name"] not in names:
                names.append(seen["name"])
    if "name" in agent and agent["name"] not in names:
        names.insert(0, agent["name"])
    if names:
        result["name"] = names
    for ifi in IFI_PROPERTIES:
        if ifi in agent:
            result[ifi] = [agent[ifi]]
    return result


def _agents_in(statement: Json) -> Iterator[Json]:
    actors = [statement["actor"]]
    if statement["object"].get("objectType") in ("Agent", "Group"):
        actors.append(statement["object"])
    for actor in actors:
        yield actor
        yield from actor.get("member", ())
