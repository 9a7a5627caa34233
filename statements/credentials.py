"""LRS credentials: HTTP Basic key/secret pairs bound to a company, carrying xAPI scopes.

Secrets are 256-bit random tokens, so a single SHA-256 is the right way to store them (as API
tokens are stored): a slow password hash protects guessable passwords and would only add
milliseconds to every request here.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from statements.db import Base
from statements.errors import BadRequest, NotFound
from statements.keys import agent_key
from statements.models import Company

# xAPI Communication 4.2 scope vocabulary.
SCOPES = (
    "statements/write",
    "statements/read",
    "statements/read/mine",
    "all/read",
    "all",
    "state",
    "define",
    "profile",
)
DEFAULT_SCOPES = ("statements/write", "statements/read/mine")


class Credential(Base):
    """A key/secret pair an LMS, a course or a tool uses to call the LRS."""

    __tablename__ = "lrs_credentials"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    # Space-separated xAPI scopes.
    scopes: Mapped[str] = mapped_column(String(500))
    # The LMS integration pushing with this credential, when there is one (named by table:
    # integrations belong to the mapping layer, which builds on this one).
    integration_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("hr_lms_integration_config.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


# The account HR-side statements are stored under (their authority), in the company's home
# page. Only statements with this authority may set HR-owned facts, and only it may void
# them. No credential's key can be this name: keys are hexadecimal.
HR_ACCOUNT_NAME = "hr-system"


def hr_authority(home_page: str) -> dict[str, Any]:
    """The authority of statements the HR system records (Data 2.4.9)."""
    return {
        "objectType": "Agent",
        "name": "HR system",
        "account": {"homePage": home_page, "name": HR_ACCOUNT_NAME},
    }


def integration_authority(home_page: str, integration_id: uuid.UUID, name: str) -> dict[str, Any]:
    """The authority of what the service records for an LMS integration itself (what its
    polls read, its LTI launches), as the integration's own LRS credentials would be."""
    return {
        "objectType": "Agent",
        "name": name[:200],
        "account": {"homePage": home_page, "name": f"integration:{integration_id}"},
    }


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the credential, its company and what it may do."""

    credential_id: uuid.UUID
    company_id: uuid.UUID
    key: str
    name: str
    scopes: frozenset[str]
    home_page: str
    integration_id: uuid.UUID | None = None

    @property
    def authority(self) -> dict[str, Any]:
        """The authority the LRS writes on this credential's statements (xAPI Data 2.4.9)."""
        return {
            "objectType": "Agent",
            "name": self.name,
            "account": {"homePage": self.home_page, "name": self.key},
        }

    @property
    def authority_key(self) -> str:
        key = agent_key(self.authority)
        assert key is not None
        return key

    def allows(self, *scopes: str) -> bool:
        """True when the credential holds any of `scopes`."""
        return not self.scopes.isdisjoint(scopes)


@dataclass(frozen=True, slots=True)
class CredentialInfo:
    """What may be shown of a credential: everything but its secret."""

    key: str
    name: str
    company: str
    scopes: list[str]
    integration_id: uuid.UUID | None
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class IssuedCredential:
    """A new credential with its secret, which is shown once and never stored."""

    info: CredentialInfo
    secret: str

    @property
    def key(self) -> str:
        """The credential's key (its user name in HTTP Basic)."""
        return self.info.key


def hash_secret(secret: str) -> str:
    """What is stored of a secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_scopes(scopes: list[str] | tuple[str, ...]) -> list[str]:
    """Validate scope names; raise BadRequest naming any that xAPI does not define."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise BadRequest(f"unknown scopes: {', '.join(unknown)}; known: {', '.join(SCOPES)}")
    return sorted(set(scopes), key=SCOPES.index)


def find_company(session: Session, name: str) -> Company | None:
    """The company called `name`, if there is one."""
    return session.scalar(select(Company).where(Company.name == name))


def all_companies(session: Session) -> list[Company]:
    """Every company, by name."""
    return list(session.scalars(select(Company).order_by(Company.name)))


def get_or_create_company(session: Session, name: str, base_url: str) -> Company:
    """The company called `name`, created with a home page under `base_url` if it is new."""
    company = find_company(session, name)
    if company is None:
        company_id = uuid.uuid4()
        company = Company(
            id=company_id,
            name=name,
            home_page=f"{base_url}/companies/{company_id}",
            created_at=datetime.now(UTC),
        )
        session.add(company)
        session.flush()
    return company


def create_credential(
    session: Session,
    company: Company,
    name: str,
    scopes: list[str] | tuple[str, ...] = DEFAULT_SCOPES,
    integration_id: uuid.UUID | None = None,
) -> IssuedCredential:
    """Issue a new key and secret for `company`."""
    scope_list = parse_scopes(scopes)
    secret = secrets.token_urlsafe(32)
    credential = Credential(
        company_id=company.id,
        key=secrets.token_hex(10),
        secret_hash=hash_secret(secret),
        name=name,
        scopes=" ".join(scope_list),
        integration_id=integration_id,
        created_at=datetime.now(UTC),
    )
    session.add(credential)
    session.flush()
    return IssuedCredential(_info(credential, company.name), secret)


def authenticate(session: Session, key: str, secret: str) -> Principal | None:
    """The principal for a key and secret, or None when they do not match an active credential."""
    row = session.execute(
        select(Credential, Company.home_page)
        .join(Company, Company.id == Credential.company_id)
        .where(Credential.key == key, Credential.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    credential, home_page = row
    if not hmac.compare_digest(credential.secret_hash, hash_secret(secret)):
        return None
    return Principal(
        credential_id=credential.id,
        company_id=credential.company_id,
        key=credential.key,
        name=credential.name,
        scopes=frozenset(credential.scopes.split()),
        home_page=home_page,
        integration_id=credential.integration_id,
    )


def list_credentials(
    session: Session,
    company_name: str | None = None,
    *,
    integration_id: uuid.UUID | None = None,
) -> list[CredentialInfo]:
    """Every credential, optionally of one company or one integration, oldest first."""
    query = (
        select(Credential, Company.name)
        .join(Company, Company.id == Credential.company_id)
        .order_by(Credential.created_at, Credential.key)
    )
    if company_name is not None:
        query = query.where(Company.name == company_name)
    if integration_id is not None:
        query = query.where(Credential.integration_id == integration_id)
    return [_info(credential, company) for credential, company in session.execute(query)]


def is_active(session: Session, key: str) -> bool:
    """Whether a credential with this key exists and is not revoked."""
    found = session.scalar(
        select(Credential.id).where(Credential.key == key, Credential.revoked_at.is_(None))
    )
    return found is not None


def count_active(session: Session, integration_id: uuid.UUID) -> int:
    """How many unrevoked credentials an integration has."""
    count = session.scalar(
        select(func.count())
        .select_from(Credential)
        .where(Credential.integration_id == integration_id, Credential.revoked_at.is_(None))
    )
    return count or 0


def revoke_credential(
    session: Session, key: str, *, integration_id: uuid.UUID | None = None
) -> CredentialInfo:
    """Revoke a credential (of one integration, when given); its statements keep their
    authority."""
    query = select(Credential, Company.name).join(Company, Company.id == Credential.company_id)
    query = query.where(Credential.key == key)
    if integration_id is not None:
        query = query.where(Credential.integration_id == integration_id)
    row = session.execute(query).first()
    if row is None:
        owner = " of this integration" if integration_id is not None else ""
        raise NotFound(f"no credential{owner} with key {key}")
    credential, company = row
    if credential.revoked_at is None:
        credential.revoked_at = datetime.now(UTC)
        session.flush()
    return _info(credential, company)


def revoke_integration_credentials(session: Session, integration_id: uuid.UUID) -> None:
    """Revoke every active credential of an integration (when it is deactivated)."""
    session.execute(
        update(Credential)
        .where(Credential.integration_id == integration_id, Credential.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )


def _info(credential: Credential, company: str) -> CredentialInfo:
    return CredentialInfo(
        key=credential.key,
        name=credential.name,
        company=company,
        scopes=credential.scopes.split(),
        integration_id=credential.integration_id,
        created_at=credential.created_at,
        revoked_at=credential.revoked_at,
    )
