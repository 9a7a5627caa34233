"""Settings read from the environment, built once per process and passed explicitly.

No secret is written in the code. In production every key comes from the environment and the
service refuses to start without them; a development install makes its own random secret on
first run and keeps it under `LRS_VAR_DIR` (var/ by default), readable by its owner only.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///var/lrs.sqlite3"
DEFAULT_VAR_DIR = "var"
SECRET_FILE = "secret-key"
ENVIRONMENTS = ("development", "production")
MAX_TOKEN_HOURS = 168


class ConfigError(ValueError):
    """A setting is missing or malformed; raised at start-up, never per request."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service reads from its environment."""

    database_url: str = DEFAULT_DATABASE_URL
    # Signs `more` links; in development also the source of the HR API token secret and the
    # key that encrypts integration secrets. Random unless configured.
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    environment: str = "development"
    # Base of LRS-made IRLs (authority accounts, company home pages).
    base_url: str = "http://127.0.0.1:8000"
    # Largest request body accepted, in bytes; larger requests get 413 (xAPI Communication 3.2).
    max_request_bytes: int = 20 * 1024 * 1024
    # The most statements one GET returns; `limit=0` and larger limits mean this many.
    statement_page_max: int = 500
    # How far behind "now" X-Experience-API-Consistent-Through is reported, in seconds: a write
    # transaction that started before that instant has committed or failed by then.
    consistency_lag_s: float = 1.0
    cors_origins: str = "*"
    # How long an authenticated credential is trusted without a database look-up, in seconds
    # (also how long a revoked credential may keep working).
    auth_cache_s: float = 5.0
    # HR API bearer tokens (JWT). Development signs with a shared secret (HS256); production
    # verifies RS256/ES256 signatures against public keys from a JWKS file or URL.
    jwt_secret: str = ""
    jwt_jwks_file: str = ""
    jwt_jwks_url: str = ""
    jwt_issuer: str = "hr-lrs"
    jwt_audience: str = "hr-lrs-api"
    # The session timeout of the HR API: the longest a token may be valid (from `iat` to
    # `exp`), in hours. At most a week.
    jwt_max_hours: float = 12.0
    # Fernet keys (comma-separated, newest first) that encrypt integration secrets at rest.
    encryption_keys: str = ""
    # Keys the audit chain's HMACs; unset, a key derived from SECRET_KEY.
    audit_key: str = ""
    # Fold statements into HR records in the request that stores them, right after the
    # commit, instead of leaving them to `lrs worker`. Unset: on for SQLite, off otherwise.
    fold_immediately: bool | None = None
    # Whether the LMS pollers may call addresses on private, loopback or link-local networks
    # (an LMS on the company's own network). Off, an HR admin cannot make the server probe
    # the networks it runs in.
    providers_private_networks: bool = False

    @property
    def folds_immediately(self) -> bool:
        if self.fold_immediately is not None:
            return self.fold_immediately
        return self.database_url.startswith("sqlite")

    @property
    def is_production(self) -> bool:
        """Whether every key must come from the environment."""
        return self.environment == "production"

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        """Read settings; production refuses to start without its secret."""
        environment = env.get("LRS_ENV", "development")
        if environment not in ENVIRONMENTS:
            raise ConfigError(
                f"LRS_ENV must be one of {', '.join(ENVIRONMENTS)}, got {environment!r}"
            )
        secret_key = env.get("SECRET_KEY", "")
        if not secret_key:
            if environment == "production":
                raise ConfigError("SECRET_KEY must be set when LRS_ENV=production")
            secret_key = development_secret(Path(env.get("LRS_VAR_DIR", DEFAULT_VAR_DIR)))
        defaults = cls()
        return cls(
            database_url=env.get("DATABASE_URL", DEFAULT_DATABASE_URL),
            secret_key=secret_key,
            environment=environment,
            base_url=env.get("LRS_BASE_URL", defaults.base_url).rstrip("/"),
            max_request_bytes=_int(env, "LRS_MAX_REQUEST_BYTES", defaults.max_request_bytes),
            statement_page_max=_int(env, "LRS_STATEMENT_PAGE_MAX", defaults.statement_page_max),
            consistency_lag_s=_float(env, "LRS_CONSISTENCY_LAG_S", defaults.consistency_lag_s),
            cors_origins=env.get("LRS_CORS_ORIGINS", defaults.cors_origins),
            auth_cache_s=_float(env, "LRS_AUTH_CACHE_S", defaults.auth_cache_s),
            fold_immediately=_bool(env, "LRS_FOLD_IMMEDIATELY"),
            jwt_secret=env.get("LRS_JWT_SECRET", "")
            or ("" if environment == "production" else derived(secret_key, "hr-api-tokens")),
            jwt_jwks_file=env.get("LRS_JWT_JWKS_FILE", ""),
            jwt_jwks_url=env.get("LRS_JWT_JWKS_URL", ""),
            jwt_issuer=env.get("LRS_JWT_ISSUER", defaults.jwt_issuer),
            jwt_audience=env.get("LRS_JWT_AUDIENCE", defaults.jwt_audience),
            jwt_max_hours=_hours(env, "LRS_JWT_MAX_HOURS", defaults.jwt_max_hours),
            encryption_keys=env.get("LRS_ENCRYPTION_KEYS", ""),
            audit_key=env.get("LRS_AUDIT_KEY", ""),
            providers_private_networks=_bool(env, "LRS_PROVIDERS_PRIVATE_NETWORKS") or False,
        )


def derived(secret: str, purpose: str) -> str:
    """A key for one purpose from `secret`, so that no two uses share a key."""
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def development_secret(var_dir: Path) -> str:
    """This installation's own secret, made on first use. The file is created whole or not at
    all (a link is atomic), so processes starting at once agree on one secret."""
    path = var_dir / SECRET_FILE
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        draft = var_dir / f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first; its secret is the one
        finally:
            draft.unlink()
    secret = path.read_text().strip()
    if len(secret) < 32:
        raise ConfigError(f"{path} holds no usable secret; delete it to make a new one")
    return secret


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None


def _hours(env: Mapping[str, str], name: str, default: float) -> float:
    value = _float(env, name, default)
    if not 0 < value <= MAX_TOKEN_HOURS:
        raise ConfigError(f"{name} must be more than 0 and at most {MAX_TOKEN_HOURS}, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str) -> bool | None:
    raw = env.get(name)
    if raw is None or raw == "":
        return None
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")
