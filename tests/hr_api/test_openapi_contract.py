"""The OpenAPI document is the contract: Schemathesis generates requests from it and checks
that no response is a 5xx or breaks the documented schema (bounded in examples and time).

The operations are driven directly from the schema's Hypothesis strategies rather than
through Schemathesis' pytest plugin, which does not support this pytest version yet.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

EXAMPLES_PER_OPERATION = 8


def test_responses_follow_the_openapi_document(app, admin):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    headers = {"Authorization": f"Bearer {admin.token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def conforms(case):
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        conforms()


def test_openapi_document_describes_bearer_auth_and_errors(app):
    document = app.test_client().get("/api/openapi.json").json
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "Problem" in document["components"]["schemas"]
    assert app.test_client().get("/api/docs").status_code == 200
