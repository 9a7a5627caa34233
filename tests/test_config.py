"""No secret known to anyone but the installation: none in the code, a development install
makes its own, production refuses to start without them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from config import ConfigError, Settings
from lrs.cli import main

REPO = Path(__file__).resolve().parents[1]


def tracked_files() -> list[Path]:
    names = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    return [REPO / name for name in names if (REPO / name).is_file()]


def test_a_development_install_makes_its_own_secret_once(tmp_path):
    first = Settings.from_env({"LRS_VAR_DIR": str(tmp_path)})
    again = Settings.from_env({"LRS_VAR_DIR": str(tmp_path)})
    elsewhere = Settings.from_env({"LRS_VAR_DIR": str(tmp_path / "other")})
    assert first.secret_key == again.secret_key
    assert first.secret_key != elsewhere.secret_key
    assert len(first.secret_key) >= 32
    assert (tmp_path / "secret-key").stat().st_mode & 0o777 == 0o600
    # The token secret is derived from it, for that use alone.
    assert first.jwt_secret not in ("", first.secret_key) and len(first.jwt_secret) == 64


def test_no_secret_used_at_run_time_is_written_in_the_code(tmp_path):
    settings = Settings.from_env({"LRS_VAR_DIR": str(tmp_path)})
    # The encryption key of a development install is derived from its secret.
    runtime = {settings.secret_key, settings.jwt_secret, Settings().secret_key}
    for path in tracked_files():
        text = path.read_text(errors="ignore")
        for secret in runtime:
            assert secret not in text, f"{path} holds a secret the service uses"
    config = (REPO / "config.py").read_text()
    assert "do-not-use" not in config and "DEV_SECRET" not in config


@pytest.mark.parametrize("environment", ["prod", "Production", "staging"])
def test_an_unknown_environment_is_refused_not_taken_for_development(environment):
    with pytest.raises(ConfigError, match="LRS_ENV must be one of development, production"):
        Settings.from_env({"LRS_ENV": environment, "SECRET_KEY": "k" * 40})


def test_production_refuses_to_start_without_its_secret():
    with pytest.raises(ConfigError, match="SECRET_KEY must be set"):
        Settings.from_env({"LRS_ENV": "production"})


def test_a_broken_secret_file_is_refused(tmp_path):
    (tmp_path / "secret-key").write_text("short")
    with pytest.raises(ConfigError, match="delete it to make a new one"):
        Settings.from_env({"LRS_VAR_DIR": str(tmp_path)})


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "lrs.example.com", "::"])
def test_a_development_server_refuses_to_listen_beyond_loopback(tmp_path, host):
    env = {"LRS_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/lrs.sqlite3"}
    result = CliRunner().invoke(main, ["serve", "--host", host], env=env)
    assert result.exit_code == 1
    assert f"refusing to serve a development installation on {host}" in result.output
