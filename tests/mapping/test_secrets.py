"""Integration secrets: encrypted at rest, readable with any configured key, rotatable."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from sqlalchemy import delete
from sqlalchemy.orm import Session

from config import ConfigError
from lrs.app import create_app
from lrs.cli import main
from mapping.models import LMSIntegrationConfig
from mapping.secrets import SecretBox
from statements.models import Company
from tests.factories import CompanyFactory, IntegrationFactory


def test_sealed_values_open_and_hide_the_plaintext():
    box = SecretBox([Fernet.generate_key().decode()])
    sealed = box.seal({"client_secret": "abc"})
    assert "abc" not in str(sealed)
    assert box.open(sealed) == {"client_secret": "abc"}


def test_rotation_moves_values_to_the_newest_key():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = SecretBox([old]).seal({"k": 1})
    both = SecretBox([new, old])
    rotated = both.rotate(sealed)
    assert SecretBox([new]).open(rotated) == {"k": 1}
    with pytest.raises(ConfigError):
        SecretBox([old]).open(rotated)


def test_production_needs_configured_keys(settings):
    with pytest.raises(ConfigError):
        SecretBox.from_settings(replace(settings, environment="production", encryption_keys=""))


def test_development_derives_a_key_from_the_secret(settings):
    box = SecretBox.from_settings(settings)
    assert box.open(box.seal([1, 2])) == [1, 2]


@pytest.fixture
def sealed_integration(engine):
    """sealed_integration(key) -> integration id: an integration committed with a secret
    sealed with `key`; its company is deleted afterwards."""
    companies = []

    def make(key: str) -> uuid.UUID:
        with Session(engine) as session, session.begin():
            company = CompanyFactory.build()
            session.add(company)
            session.flush()
            sealed = SecretBox([key]).seal({"client_secret": "abc"})
            integration = IntegrationFactory.build(
                company_id=company.id, authentication_config=sealed, lms_name="Old Moodle"
            )
            session.add(integration)
            companies.append(company.id)
            return integration.id

    yield make
    with Session(engine) as session, session.begin():
        session.execute(delete(Company).where(Company.id.in_(companies)))


def rotate(database_url: str, keys: str):
    env = {"DATABASE_URL": database_url, "LRS_ENCRYPTION_KEYS": keys}
    return CliRunner().invoke(main, ["secrets", "rotate"], env=env)


def test_rotate_command_re_encrypts_every_stored_secret(engine, database_url, sealed_integration):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    integration_id = sealed_integration(old)
    result = rotate(database_url, f"{new},{old}")
    assert result.exit_code == 0, result.output
    with Session(engine) as session:
        stored = session.get(LMSIntegrationConfig, integration_id).authentication_config
        assert SecretBox([new]).open(stored) == {"client_secret": "abc"}
        with pytest.raises(ConfigError):
            SecretBox([old]).open(stored)


def test_rotate_command_names_the_integration_no_key_opens(database_url, sealed_integration):
    lost, configured = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    integration_id = sealed_integration(lost)
    result = rotate(database_url, configured)
    assert result.exit_code == 1
    assert f"integration {integration_id} (Old Moodle) cannot be decrypted" in result.output


def test_a_production_app_without_encryption_keys_refuses_to_start(settings, connection):
    production = replace(settings, environment="production", encryption_keys="")
    with pytest.raises(ConfigError, match="LRS_ENCRYPTION_KEYS must be set"):
        create_app(production, bind=connection)
    keyed = replace(production, encryption_keys=Fernet.generate_key().decode())
    assert create_app(keyed, bind=connection).test_client().get("/xapi/about").status_code == 200
