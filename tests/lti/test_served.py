"""The LTI flow against the real `lrs serve` (gunicorn, two workers) on 127.0.0.1: a platform
registered with a company logs a browser in, launches, and the launch is stored, whichever
worker takes each request (the login's state lives in the database, not in a process)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mapping.choices import IntegrationMethod, LmsType
from mapping.lti import register
from mapping.models import LtiToolKey
from statements.credentials import get_or_create_company
from statements.models import Company, StatementOutbox, StatementRow
from tests.factories import IntegrationFactory
from tests.lti.platform import Platform
from tests.mapping.providers.fake_lms import serving

LRS = str(Path(sys.executable).with_name("lrs"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(database_url, tmp_path, engine):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LRS_VAR_DIR": str(tmp_path / "var"),
        "LRS_BASE_URL": base,
        "LRS_PROVIDERS_PRIVATE_NETWORKS": "true",  # the platform's key set is on 127.0.0.1
    }
    server = subprocess.Popen([LRS, "serve", "--port", str(port), "--workers", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/lti/jwks", timeout=10)
                break
            except requests.RequestException:
                assert time.monotonic() < deadline, "lrs serve did not answer within a minute"
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        # The keys it made are sealed with its own development key, not the tests'.
        with Session(engine) as session, session.begin():
            session.execute(delete(LtiToolKey))


def test_a_login_and_launch_through_the_served_tool_are_stored(served, engine):
    with serving() as lms:
        platform = Platform(lms)
        with Session(engine) as session, session.begin():
            company = get_or_create_company(session, f"lti-{uuid.uuid4().hex[:8]}", served)
            integration = IntegrationFactory.build(company_id=company.id, lms_type=LmsType.MOODLE, integration_method=IntegrationMethod.LTI)  # fmt: skip
            session.add(integration)
            session.flush()
            register(session, integration, platform.registration())
            company_id = company.id
        try:
            login = requests.get(f"{served}/lti/login", params={"iss": platform.issuer, "login_hint": "57", "target_link_uri": f"{served}/lti/launch"}, allow_redirects=False, timeout=10)  # fmt: skip
            sent = parse_qs(urlsplit(login.headers["Location"]).query)
            state, nonce = sent["state"][0], sent["nonce"][0]
            # As a browser on 127.0.0.1 sends the Secure cookie back.
            cookie = login.cookies.get(f"lti1p3-state-{state}")
            token = platform.sign(platform.claims(nonce))
            launched = requests.post(f"{served}/lti/launch", data={"id_token": token, "state": state}, cookies={f"lti1p3-state-{state}": cookie}, timeout=10)  # fmt: skip
            replayed = requests.post(f"{served}/lti/launch", data={"id_token": token, "state": state}, cookies={f"lti1p3-state-{state}": cookie}, timeout=10)  # fmt: skip
            keys = requests.get(f"{served}/lti/jwks", timeout=10).json()["keys"]
            with Session(engine) as session:
                stored = session.scalars(select(StatementRow.verb_key).where(StatementRow.company_id == company_id)).all()  # fmt: skip
        finally:
            with Session(engine) as session, session.begin():
                session.execute(
                    delete(StatementOutbox).where(StatementOutbox.company_id == company_id)
                )
                session.execute(delete(Company).where(Company.id == company_id))
    assert (login.status_code, sent["redirect_uri"]) == (302, [f"{served}/lti/launch"])
    assert cookie == "1"
    assert launched.status_code == 200 and "<h1>Forklift safety</h1>" in launched.text
    assert (replayed.status_code, replayed.json()["detail"]) == (400, "this login was launched already: launch again from the LMS")  # fmt: skip
    assert len(stored) == 1 and stored[0].endswith("launched")
    assert len(keys) == 1 and keys[0]["alg"] == "RS256"
