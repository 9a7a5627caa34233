"""The `ids` and `canonical` statement formats (xAPI Communication 2.1.3, "format")."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from statements.rules import IFI_PROPERTIES
from statements.schema import COMPONENT_LISTS

Json = Mapping[str, Any]


def ids_format(statement: Json) -> dict[str, Any]:
    """Only what identifies each agent, group, activity and verb."""
    return _transform(statement, _agent_ids, _activity_ids, lambda verb: {"id": verb["id"]})


def canonical_format(
    statement: Json, languages: Sequence[tuple[str, float]], definitions: Mapping[str, Json]
) -> dict[str, Any]:
    """Activities with the LRS's canonical definitions (`definitions`, by activity id), and
    every language map of activities and verbs cut to the one entry `languages` prefers.

    `languages` are the client's Accept-Language ranges with their qualities, most preferred
    first; each map is filtered on its own, as Communication 2.1.3 asks.
    """

    def activity(value: Json) -> dict[str, Any]:
        result = dict(value)
        definition = definitions.get(value["id"]) or value.get("definition")
        if definition:
            result["definition"] = _definition_in(definition, languages)
        return result

    def verb(value: Json) -> dict[str, Any]:
        result = dict(value)
        if "display" in value:
            result["display"] = pick_language(value["display"], languages)
        return result

    return _transform(statement, dict, activity, verb)


def pick_language(language_map: Json, languages: Sequence[tuple[str, float]]) -> dict[str, str]:
    """The single best entry of a language map for an Accept-Language list.

    `languages` are (range, quality) pairs, best first. A range matches a tag equal to it or
    starting with it and '-' (RFC 4647 basic filtering); '*' matches any tag no other range
    names. Tags a range with quality 0 matches are never chosen (RFC 7231 5.3.5). With no
    match the first acceptable entry is returned, so that the map still says something.
    """
    if not language_map:
        return {}
    tags = list(language_map)
    refused = {tag for wanted, q in languages if q <= 0 for tag in tags if _matches(tag, wanted)}
    acceptable = [tag for tag in tags if tag not in refused] or tags
    named = [wanted for wanted, _q in languages if wanted != "*"]
    for wanted, quality in languages:
        if quality <= 0:
            continue
        for tag in acceptable:
            if wanted == "*":
                if not any(_matches(tag, other) for other in named):
                    return {tag: language_map[tag]}
            elif _matches(tag, wanted):
                return {tag: language_map[tag]}
    return {acceptable[0]: language_map[acceptable[0]]}


def _matches(tag: str, wanted: str) -> bool:
    tag, wanted = tag.lower(), wanted.lower()
    return wanted == "*" or tag == wanted or tag.startswith(wanted + "-")


def _definition_in(definition: Json, languages: Sequence[tuple[str, float]]) -> dict[str, Any]:
    result = dict(definition)
    for key in ("name", "description"):
        if key in definition:
            result[key] = pick_language(definition[key], languages)
    for key in COMPONENT_LISTS:
        if key in definition:
            result[key] = [
                {**c, "description": pick_language(c["description"], languages)}
                if "description" in c
                else dict(c)
                for c in definition[key]
            ]
    return result


def _agent_ids(agent: Json) -> dict[str, Any]:
    result: dict[str, Any] = {"objectType": agent.get("objectType", "Agent")}
    for key in IFI_PROPERTIES:
        if key in agent:
            result[key] = agent[key]
            return result
    # An anonymous group is identified by its members.
    result["member"] = [_agent_ids(member) for member in agent.get("member", ())]
    return result


def _activity_ids(activity: Json) -> dict[str, Any]:
    return {"id": activity["id"]}


def _transform(
    statement: Json,
    agent: Callable[[Json], dict[str, Any]],
    activity: Callable[[Json], dict[str, Any]],
    verb: Callable[[Json], dict[str, Any]],
) -> dict[str, Any]:
    result = dict(statement)
    result["actor"] = agent(statement["actor"])
    result["verb"] = verb(statement["verb"])
    if "authority" in statement:
        result["authority"] = agent(statement["authority"])
    obj = statement["object"]
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        result["object"] = activity(obj)
    elif object_type in ("Agent", "Group"):
        result["object"] = agent(obj)
    elif object_type == "SubStatement":
        result["object"] = _transform(obj, agent, activity, verb)
    if "context" in statement:
        context = dict(statement["context"])
        for role in ("instructor", "team"):
            if role in context:
                context[role] = agent(context[role])
        if "contextActivities" in context:
            context["contextActivities"] = {
                kind: [activity(a) for a in activities]
                for kind, activities in context["contextActivities"].items()
            }
        result["context"] = context
    return result
