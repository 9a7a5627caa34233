"""The JSON Schema of an xAPI 1.0.3 statement (xAPI Data section 2).

It covers structure: required and allowed properties (unknown ones are rejected, extensions
excepted), JSON types, enumerations and string formats. Rules that relate several values (one
inverse functional identifier, score ranges, context properties that need an Activity object)
are in `statements.rules`.
"""

from __future__ import annotations

from typing import Any

from statements import formats


def _string(pattern: str) -> dict[str, Any]:
    return {"type": "string", "pattern": pattern}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/definitions/{name}"}


def _when_object_type(
    value: str, then: dict[str, Any], otherwise: dict[str, Any]
) -> dict[str, Any]:
    return {
        "if": {
            "type": "object",
            "required": ["objectType"],
            "properties": {"objectType": {"const": value}},
        },
        "then": then,
        "else": otherwise,
    }


INTERACTION_TYPES = [
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
]
COMPONENT_LISTS = ["choices", "scale", "source", "target", "steps"]

_IFI_PROPERTIES: dict[str, Any] = {
    "mbox": _string(formats.MAILTO),
    "mbox_sha1sum": _string(formats.SHA1_HEX),
    "openid": _string(formats.IRI),
    "account": _ref("account"),
}

_DEFINITIONS: dict[str, Any] = {
    "iri": _string(formats.IRI),
    "uuid": _string(formats.UUID),
    "timestamp": _string(formats.TIMESTAMP),
    "language_map": {
        "type": "object",
        "propertyNames": {"pattern": formats.LANGUAGE_TAG},
        "additionalProperties": {"type": "string"},
    },
    # xAPI Data 4.1: keys are IRIs; values are anything, null included, and never rejected.
    "extensions": {"type": "object", "propertyNames": {"pattern": formats.IRI}},
    "account": {
        "type": "object",
        "required": ["homePage", "name"],
        "additionalProperties": False,
        "properties": {"homePage": _ref("iri"), "name": {"type": "string"}},
    },
    "agent": {
        "type": "object",
        "additionalProperties": False,
        "properties": {"objectType": {"const": "Agent"}, "name": {"type": "string"}}
        | _IFI_PROPERTIES,
    },
    "group": {
        "type": "object",
        "required": ["objectType"],
        "additionalProperties": False,
        "properties": {
            "objectType": {"const": "Group"},
            "name": {"type": "string"},
            # xAPI Data 2.4.2.2: members are Agents; a Group never contains a Group.
            "member": {"type": "array", "items": _ref("agent")},
        }
        | _IFI_PROPERTIES,
    },
    "actor": _when_object_type("Group", _ref("group"), _ref("agent")),
    "verb": {
        "type": "object",
        "required": ["id"],
        "additionalProperties": False,
        "properties": {"id": _ref("iri"), "display": _ref("language_map")},
    },
    "interaction_components": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["id"],
            "additionalProperties": False,
            "properties": {"id": {"type": "string"}, "description": _ref("language_map")},
        },
    },
    "activity_definition": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "name": _ref("language_map"),
            "description": _ref("language_map"),
            "type": _ref("iri"),
            "moreInfo": _ref("iri"),
            "extensions": _ref("extensions"),
            "interactionType": {"enum": INTERACTION_TYPES},
            "correctResponsesPattern": {"type": "array", "items": {"type": "string"}},
        }
        | {name: _ref("interaction_components") for name in COMPONENT_LISTS},
    },
    "activity": {
        "type": "object",
        "required": ["id"],
        "additionalProperties": False,
        "properties": {
            "objectType": {"const": "Activity"},
            "id": _ref("iri"),
            "definition": _ref("activity_definition"),
        },
    },
    "statement_ref": {
        "type": "object",
        "required": ["objectType", "id"],
        "additionalProperties": False,
        "properties": {"objectType": {"const": "StatementRef"}, "id": _ref("uuid")},
    },
    "score": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "scaled": {"type": "number", "minimum": -1, "maximum": 1},
            "raw": {"type": "number"},
            "min": {"type": "number"},
            "max": {"type": "number"},
        },
    },
    "result": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "score": _ref("score"),
            "success": {"type": "boolean"},
            "completion": {"type": "boolean"},
            "response": {"type": "string"},
            "duration": _string(formats.DURATION),
            "extensions": _ref("extensions"),
        },
    },
    # xAPI Data 2.4.6.2: each value is one Activity or an array of them.
    "context_activity_list": {
        "if": {"type": "array"},
        "then": {"items": _ref("activity")},
        "else": _ref("activity"),
    },
    "context": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "registration": _ref("uuid"),
            "instructor": _ref("actor"),
            "team": _ref("group"),
            "contextActivities": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    key: _ref("context_activity_list")
                    for key in ("parent", "grouping", "category", "other")
                },
            },
            "revision": {"type": "string"},
            "platform": {"type": "string"},
            "language": _string(formats.LANGUAGE_TAG),
            "statement": _ref("statement_ref"),
            "extensions": _ref("extensions"),
        },
    },
    "attachment": {
        "type": "object",
        "required": ["usageType", "display", "contentType", "length", "sha2"],
        "additionalProperties": False,
        "properties": {
            "usageType": _ref("iri"),
            "display": _ref("language_map"),
            "description": _ref("language_map"),
            "contentType": {"type": "string", "pattern": r"^[^\s/]+/[^\s]+"},
            "length": {"type": "integer", "minimum": 0},
            "sha2": _string(formats.SHA2_HEX),
            "fileUrl": _ref("iri"),
        },
    },
    "attachments": {"type": "array", "items": _ref("attachment")},
    "sub_statement": {
        "type": "object",
        # xAPI Data 2.4.4.3: no id, stored, version or authority, and no nested SubStatement.
        "required": ["objectType", "actor", "verb", "object"],
        "additionalProperties": False,
        "properties": {
            "objectType": {"const": "SubStatement"},
            "actor": _ref("actor"),
            "verb": _ref("verb"),
            "object": _ref("sub_statement_object"),
            "result": _ref("result"),
            "context": _ref("context"),
            "timestamp": _ref("timestamp"),
            "attachments": _ref("attachments"),
        },
    },
    "sub_statement_object": _when_object_type(
        "Agent",
        _ref("agent"),
        _when_object_type(
            "Group",
            _ref("group"),
            _when_object_type(
                "StatementRef",
                _ref("statement_ref"),
                _when_object_type(
                    "SubStatement",
                    {"properties": {"objectType": {"not": {"const": "SubStatement"}}}},
                    _ref("activity"),
                ),
            ),
        ),
    ),
    "statement_object": _when_object_type(
        "Agent",
        _ref("agent"),
        _when_object_type(
            "Group",
            _ref("group"),
            _when_object_type(
                "StatementRef",
                _ref("statement_ref"),
                _when_object_type("SubStatement", _ref("sub_statement"), _ref("activity")),
            ),
        ),
    ),
}

STATEMENT_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["actor", "verb", "object"],
    "additionalProperties": False,
    "properties": {
        "id": _ref("uuid"),
        "actor": _ref("actor"),
        "verb": _ref("verb"),
        "object": _ref("statement_object"),
        "result": _ref("result"),
        "context": _ref("context"),
        "timestamp": _ref("timestamp"),
        "stored": _ref("timestamp"),
        "authority": _ref("actor"),
        "version": _string(formats.VERSION_1_0),
        "attachments": _ref("attachments"),
    },
    "definitions": _DEFINITIONS,
}


def schema_for(definition: str) -> dict[str, Any]:
    """A schema whose root is one of the statement's definitions (an agent, an activity...),
    for validating request parameters to the same rules as statement fields (Data 2.2)."""
    return {"$schema": STATEMENT_SCHEMA["$schema"], "definitions": _DEFINITIONS} | _ref(definition)
