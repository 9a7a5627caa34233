"""End-to-end fixtures: a real `lrs serve` on 127.0.0.1 with a database of its own.

Each test module gets one server: a fresh database (an SQLite file in a temporary directory,
or, when LRS_TEST_DATABASE_URL names a PostgreSQL server, a new database there that is dropped
afterwards), migrated with `lrs db upgrade`, one all-scopes credential made with
`lrs companies create` and `lrs credentials create`, and `lrs serve` (gunicorn) on a free port. Everything runs as
subprocesses of the `lrs` script installed beside the running interpreter, exactly as an
operator would run it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.databases import empty_database

REPO = Path(__file__).resolve().parents[2]
LRS = Path(sys.executable).parent / "lrs"
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class LrsServer:
    """A running LRS and the credential the tests use."""

    base_url: str  # http://127.0.0.1:<port>
    endpoint: str  # <base_url>/xapi/
    key: str
    secret: str
    database_url: str
    log: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def e2e_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database for one module's server; PostgreSQL when LRS_TEST_DATABASE_URL is set."""
    with empty_database(tmp_path_factory.mktemp("e2e-db"), "lrs_e2e") as url:
        yield url


def _run_lrs(args: list[str], env: dict[str, str]) -> str:
    if not LRS.exists():
        pytest.fail(f"{LRS} is missing: install the project into this interpreter's environment")
    done = subprocess.run(
        [str(LRS), *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        pytest.fail(f"lrs {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def _wait_until_ready(process: subprocess.Popen[bytes], about: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"lrs serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(about, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    pytest.fail(f"lrs serve did not answer {about} within {START_TIMEOUT_S}s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn and its workers: they share the session (and process group) we started."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT_S)


@pytest.fixture(scope="module")
def lrs_server(
    e2e_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LrsServer]:
    """`lrs serve` on a free port of 127.0.0.1, migrated, with an all-scopes credential."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": e2e_database_url,
        "LRS_BASE_URL": base_url,
        "LRS_ENV": "development",
    }
    _run_lrs(["db", "upgrade"], env)
    _run_lrs(["companies", "create", "E2E"], env)
    issued = json.loads(
        _run_lrs(
            ["credentials", "create", "--company", "E2E", "--name", "e2e", "--scopes", "all"], env
        )
    )
    log = tmp_path_factory.mktemp("e2e-server") / "lrs-serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(LRS), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
            cwd=REPO,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_ready(process, f"{base_url}/xapi/about", log)
        yield LrsServer(
            base_url=base_url,
            endpoint=f"{base_url}/xapi/",
            key=issued["key"],
            secret=issued["secret"],
            database_url=e2e_database_url,
            log=log,
        )
    finally:
        _stop(process)
