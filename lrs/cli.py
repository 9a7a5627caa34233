"""The `lrs` command: migrate, serve, fold, and set up and look after an installation.

Each command only delegates to the package that owns its work; the module holds one group of
commands per area, which is why it runs a little past 400 lines rather than scattering them.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import signal
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from sqlalchemy.orm import Session, sessionmaker

from config import ConfigError, Settings
from hr_api.admins import make_admin, user_for_email
from hr_api.audit import audit_key, checkpoint
from hr_api.audit import seal as seal_audit
from hr_api.audit import verify as verify_audit
from hr_api.demo import COMPANY as DEMO_COMPANY
from hr_api.demo import load_demo
from hr_api.tokens import development_token
from lrs import migrate
from lrs.app import create_app
from lrs.providers_cli import providers, scheduler
from mapping.lti import rotate, tool_keys
from mapping.outbox import run_worker
from mapping.rebuild import rebuild
from mapping.secrets import SecretBox, rotate_integration_secrets
from statements import timestamps
from statements.credentials import (
    SCOPES,
    IssuedCredential,
    all_companies,
    create_credential,
    find_company,
    get_or_create_company,
    is_active,
    list_credentials,
    revoke_credential,
)
from statements.db import make_engine
from statements.errors import DomainError
from statements.models import Company


@click.group()
def main() -> None:
    """xAPI Learning Record Store for HR learning integration."""


main.add_command(providers)
main.add_command(scheduler)


@contextmanager
def _session() -> Iterator[tuple[Settings, Session]]:
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session, session.begin():
            yield settings, session
    except DomainError as exc:
        raise click.ClickException(exc.detail) from None
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _company(session: Session, name: str) -> Company:
    company = find_company(session, name)
    if company is None:
        raise click.ClickException(f"no company called {name!r}")
    return company


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database named by DATABASE_URL to the latest schema."""
    migrate.upgrade(Settings.from_env().database_url)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=int, help="Threads per worker.")
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the LRS with gunicorn."""
    settings = Settings.from_env()
    if not settings.is_production and not _is_loopback(host):
        raise click.ClickException(
            f"refusing to serve a development installation on {host}: development tokens and "
            "keys are for this machine only. Bind 127.0.0.1, or set LRS_ENV=production with "
            "SECRET_KEY, LRS_ENCRYPTION_KEYS and the HR API token keys (see the README)"
        )
    try:
        create_app(settings)  # fail here, not in every worker, on a bad setting or missing key
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    args = [
        sys.executable, "-m", "gunicorn",
        "--bind", f"{host}:{port}",
        "--workers", str(workers),
        "--threads", str(threads),
        "--access-logfile", "-",
        "wsgi:app",
    ]  # fmt: skip
    os.execv(sys.executable, args)


@main.command()
@click.option("--batch", default=200, show_default=True, help="Outbox rows per transaction.")
@click.option("--poll", default=0.1, show_default=True, help="Seconds between empty polls.")
def worker(batch: int, poll: float) -> None:
    """Fold stored statements into HR records (run as many as you like, anywhere)."""
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        run_worker(sessionmaker(engine), batch=batch, poll_interval=poll, stop=stop)
    except KeyboardInterrupt:
        pass
    finally:
        engine.dispose()


@main.group()
def mapping() -> None:
    """HR records folded from statements."""


@mapping.command("rebuild")
@click.option("--company", "company_name", default=None, help="Only this company.")
@click.option(
    "--integration", "integration_id", default=None, type=click.UUID, help="Only this integration."
)
def mapping_rebuild(company_name: str | None, integration_id: uuid.UUID | None) -> None:
    """Recompute every enrollment and lesson record from the statement history."""
    with _session() as (_settings, session):
        if company_name is None:
            companies = all_companies(session)
        else:
            companies = [_company(session, company_name)]
        for company in companies:
            written = rebuild(session, company.id, integration_id)
            click.echo(f"{company.name}: {written} enrollments")


@main.group()
def tokens() -> None:
    """HR API bearer tokens."""


@tokens.command("create")
@click.option("--user", "user_id", required=True, type=click.UUID, help="The user (token subject).")
@click.option("--company", "company_name", required=True, help="The company the user works in.")
@click.option("--hours", default=8.0, show_default=True, help="How long the token is valid.")
def tokens_create(user_id: uuid.UUID, company_name: str, hours: float) -> None:
    """Mint a development token (HS256, signed with LRS_JWT_SECRET or SECRET_KEY)."""
    with _session() as (settings, session):
        company = _company(session, company_name)
        click.echo(development_token(settings, user_id, company.id, hours))


@main.group()
def companies() -> None:
    """Companies (tenants)."""


@companies.command("create")
@click.argument("name")
def companies_create(name: str) -> None:
    """Create a company; its administrator comes next (lrs admins create)."""
    with _session() as (settings, session):
        if find_company(session, name) is not None:
            raise click.ClickException(f"a company called {name!r} exists already")
        company = get_or_create_company(session, name, settings.base_url)
        click.echo(f"company {company.name}: {company.id}")


@main.group()
def admins() -> None:
    """Company administrators."""


@admins.command("create")
@click.option("--company", "company_name", required=True, help="The company.")
@click.option("--user", "user_id", default=None, type=click.UUID, help="The user's id (sub).")
@click.option("--email", default=None, help="Or the work e-mail of one of its employees.")
def admins_create(company_name: str, user_id: uuid.UUID | None, email: str | None) -> None:
    """Give a user every permission over all of a company's records (its first
    administrator); prints the user and, where development tokens are signed, a token."""
    if (user_id is None) == (email is None):
        raise click.ClickException("name the user with exactly one of --user and --email")
    with _session() as (settings, session):
        company = _company(session, company_name)
        if user_id is None:
            assert email is not None
            user_id = user_for_email(session, company, email)
        admin = make_admin(session, audit_key(settings), company, user_id)
        company_id = company.id
    state = "is now" if admin.created else "was already"
    click.echo(f"user {admin.user_id} {state} an administrator of {company_name}")
    _print_token(settings, admin.user_id, company_id)


@main.group()
def demo() -> None:
    """Demo data."""


@demo.command("load")
def demo_load() -> None:
    """Load a demo company: an administrator, an LMS integration, employees, their learning."""
    with _session() as (settings, session):
        if settings.is_production:
            raise click.ClickException(
                "the demo is for trying the service: its administrator's id is public, so it "
                "is never loaded into a production installation"
            )
        loaded = load_demo(session, audit_key(settings), settings.base_url, timestamps.now())
    click.echo(f"company:        {DEMO_COMPANY} ({loaded.company_id})")
    click.echo(f"statements:     {loaded.statements} learning statements, folded into HR records")
    click.echo(f"xAPI endpoint:  {settings.base_url}/xapi/")
    click.echo(f"LMS key:        {loaded.credential.key}")
    if loaded.secret:
        click.echo(f"LMS secret:     {loaded.secret} (shown once)")
    click.echo(f"administrator:  {loaded.admin_user_id}")
    _print_token(settings, loaded.admin_user_id, loaded.company_id)
    click.echo(f"HR API:         {settings.base_url}/api/docs (Authorization: Bearer <token>)")


def _print_token(settings: Settings, user_id: uuid.UUID, company_id: uuid.UUID) -> None:
    if settings.jwt_secret:
        hours = min(8.0, settings.jwt_max_hours)
        token = development_token(settings, user_id, company_id, hours)
        click.echo(f"token ({hours:g} h):{' ' * (5 - len(f'{hours:g}'))}{token}")


@main.group()
def audit() -> None:
    """The HR API audit trail."""


@audit.command("seal")
def audit_seal() -> None:
    """Once, after upgrading to the keyed chain: check the rows written before it against
    their plain SHA-256 chain and re-chain them under the audit key."""
    with _session() as (settings, session):
        sealed = seal_audit(session, audit_key(settings))
    click.echo(f"sealed {sealed} audit rows under the key; take a checkpoint now")


@audit.command("checkpoint")
@click.option("--company", "company_name", default=None, help="Only this company's chain.")
@click.option(
    "--out",
    "path",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append to this file (JSON lines) instead of printing.",
)
def audit_checkpoint(company_name: str | None, path: Path | None) -> None:
    """Sign the head of each company's chain, with its row count, for keeping outside the
    database: `lrs audit verify --checkpoints` then notices rows deleted before it."""
    with _session() as (settings, session):
        if company_name is None:
            companies = all_companies(session)
        else:
            companies = [_company(session, company_name)]
        key, at = audit_key(settings), timestamps.now()
        lines = [json.dumps(checkpoint(session, key, c.id, at)) for c in companies]
    if path is None:
        click.echo("\n".join(lines))
        return
    with path.open("a") as out:
        out.writelines(line + "\n" for line in lines)
    click.echo(f"appended {len(lines)} checkpoints to {path}")


@audit.command("verify")
@click.option("--company", "company_name", default=None, help="Only this company's chain.")
@click.option(
    "--checkpoints",
    "path",
    default=None,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Checkpoints (JSON lines, from lrs audit checkpoint) to check the table against.",
)
def audit_verify(company_name: str | None, path: Path | None) -> None:
    """Check every row of the audit trail against its keyed hash chain, and the table
    against its checkpoints."""
    checkpoints = []
    if path is not None:
        try:
            checkpoints = [json.loads(line) for line in path.read_text().splitlines() if line]
        except ValueError:
            raise click.ClickException(f"{path} is not JSON lines") from None
    with _session() as (settings, session):
        company_id = _company(session, company_name).id if company_name is not None else None
        breaks = verify_audit(session, audit_key(settings), company_id, checkpoints)
    for found in breaks:
        click.echo(f"company {found.company_id} event {found.event_id}: {found.reason}")
    if breaks:
        raise click.ClickException(f"the audit trail is broken in {len(breaks)} places")
    click.echo("the audit trail is intact")


@main.group()
def secrets() -> None:
    """Encrypted integration secrets."""


@secrets.command("rotate")
def secrets_rotate() -> None:
    """Re-encrypt every integration secret with the newest key of LRS_ENCRYPTION_KEYS."""
    with _session() as (settings, session):
        rotated = rotate_integration_secrets(session, SecretBox.from_settings(settings))
    click.echo(f"re-encrypted the secrets of {rotated} integrations")


@main.group()
def lti() -> None:
    """The LTI 1.3 tool."""


@lti.group("keys")
def lti_keys() -> None:
    """The tool's signing keys, published at /lti/jwks."""


@lti_keys.command("rotate")
def lti_keys_rotate() -> None:
    """Sign with a new key from now on; the one before it stays published for what it signed."""
    with _session() as (settings, session):
        made = rotate(session, SecretBox.from_settings(settings), timestamps.now())
        click.echo(f"the tool signs with key {made.kid}; published: {len(tool_keys(session))}")


@main.group()
def credentials() -> None:
    """LRS credentials (HTTP Basic key and secret)."""


@credentials.command("create")
@click.option("--company", required=True, help="The company (lrs companies create makes one).")
@click.option("--name", required=True, help="What uses the credential, e.g. the LMS.")
@click.option(
    "--scopes",
    default="statements/write statements/read/mine",
    show_default=True,
    help=f"Space- or comma-separated xAPI scopes among: {' '.join(SCOPES)}.",
)
def credentials_create(company: str, name: str, scopes: str) -> None:
    """Issue a key and secret; the secret is printed once."""
    with _session() as (settings, session):
        issued = create_credential(
            session,
            _company(session, company),
            name,
            scopes.replace(",", " ").split(),
        )
    click.echo(json.dumps(_shown_once(issued), indent=2))


@credentials.command("list")
@click.option("--company", default=None, help="Only this company's credentials.")
def credentials_list(company: str | None) -> None:
    """List credentials (never their secrets)."""
    with _session() as (_settings, session):
        rows = [
            {
                "key": info.key,
                "name": info.name,
                "company": info.company,
                "scopes": info.scopes,
                "created_at": info.created_at.isoformat(),
                "revoked_at": info.revoked_at.isoformat() if info.revoked_at else None,
            }
            for info in list_credentials(session, company)
        ]
    click.echo(json.dumps(rows, indent=2))


@credentials.command("revoke")
@click.argument("key")
def credentials_revoke(key: str) -> None:
    """Revoke the credential with this key."""
    with _session() as (_settings, session):
        revoke_credential(session, key)
    click.echo(f"revoked {key}")


@credentials.command("demo")
@click.option("--file", "path", default="var/demo-credential.json", show_default=True)
def credentials_demo(path: str) -> None:
    """Create (once) and print an all-scopes credential for trying the LRS locally."""
    saved = Path(path)
    with _session() as (settings, session):
        if saved.exists():
            issued = json.loads(saved.read_text())
            if is_active(session, issued["key"]):
                _print_demo(issued, settings)
                return
        company = get_or_create_company(session, DEMO_COMPANY, settings.base_url)
        issued = _shown_once(create_credential(session, company, "demo", ["all"]))
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps(issued, indent=2))
    saved.chmod(0o600)
    _print_demo(issued, settings)


def _shown_once(issued: IssuedCredential) -> dict[str, Any]:
    """A new credential as the command prints it: with its secret, this once."""
    info = issued.info
    return {
        "key": info.key,
        "secret": issued.secret,
        "company": info.company,
        "name": info.name,
        "scopes": info.scopes,
    }


def _print_demo(issued: dict[str, str], settings: Settings) -> None:
    click.echo(f"xAPI endpoint: {settings.base_url}/xapi/")
    click.echo(f"key:           {issued['key']}")
    click.echo(f"secret:        {issued['secret']}")
