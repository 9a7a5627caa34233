"""A thin xAPI client over the Flask test client: credentials and the version header."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import orjson
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from statements.models import Company
from tests.factories import CompanyFactory, CredentialFactory

VERSION = "1.0.3"


@dataclass
class XapiClient:
    """Sends xAPI requests as one credential."""

    client: FlaskClient
    key: str
    secret: str
    company: Company
    headers: dict[str, str] = field(default_factory=lambda: {"X-Experience-API-Version": VERSION})

    def request(self, method: str, path: str, **kwargs: Any) -> TestResponse:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        kwargs.setdefault("auth", (self.key, self.secret))
        return self.client.open(f"/xapi/{path}", method=method, headers=headers, **kwargs)

    def post(self, body: Any, **kwargs: Any) -> TestResponse:
        return self.request(
            "POST", "statements", data=orjson.dumps(body), content_type="application/json", **kwargs
        )

    def put(self, statement_id: str, body: Any, **kwargs: Any) -> TestResponse:
        return self.request(
            "PUT",
            "statements",
            query_string={"statementId": statement_id},
            data=orjson.dumps(body),
            content_type="application/json",
            **kwargs,
        )

    def get(self, params: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        query = {
            k: (orjson.dumps(v).decode() if isinstance(v, dict) else v)
            for k, v in (params or {}).items()
        }
        return self.request("GET", "statements", query_string=query, **kwargs)

    def store(self, *statements: dict[str, Any]) -> list[str]:
        """POST statements and return their ids; fails the test on any error."""
        response = self.post(list(statements))
        assert response.status_code == 200, response.get_data(as_text=True)
        return list(response.json)  # type: ignore[arg-type]


def new_credential(
    app: Flask,
    *,
    scopes: list[str],
    company: Company | None = None,
    name: str = "tester",
    integration_id: uuid.UUID | None = None,
) -> XapiClient:
    """A client with a new credential (and a new company unless one is given)."""
    company = company or CompanyFactory()
    secret = uuid.uuid4().hex
    credential = CredentialFactory(
        company_id=company.id,
        name=name,
        scopes=" ".join(scopes),
        integration_id=integration_id,
        secret=secret,
    )
    return XapiClient(app.test_client(), credential.key, secret, company)
