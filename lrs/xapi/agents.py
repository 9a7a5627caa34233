"""GET /xapi/agents (Communication 2.4) and GET /xapi/activities (Communication 2.5)."""

from __future__ import annotations

from flask import Response, jsonify, request

from lrs.context import request_session
from lrs.xapi import bp
from lrs.xapi.auth import principal, require
from lrs.xapi.params import parse_agent, parse_iri, single_values
from statements.activities import get_activity
from statements.agents import person
from statements.errors import BadRequest

READ = ("statements/read", "all/read", "all", "profile", "state")


@bp.get("/agents")
def agents() -> Response:
    """The Person object for an agent: every name and identifier the LRS knows it by."""
    p = principal()
    require(p, READ, "read agents")
    params = single_values(request.args, ("agent",))
    if "agent" not in params:
        raise BadRequest("the agent parameter is required")
    return jsonify(person(request_session(), p.company_id, parse_agent("agent", params["agent"])))


@bp.get("/activities")
def activities() -> Response:
    """The canonical definition of an activity the LRS has seen."""
    p = principal()
    require(p, READ, "read activities")
    params = single_values(request.args, ("activityId",))
    if "activityId" not in params:
        raise BadRequest("the activityId parameter is required")
    activity_id = parse_iri("activityId", params["activityId"])
    return jsonify(get_activity(request_session(), p.company_id, activity_id))
