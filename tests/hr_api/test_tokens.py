"""Bearer tokens: what is accepted and what is refused (RFC 7519 claims, algorithm rules)."""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import replace

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from hr_api.tokens import InvalidToken, TokenVerifier

SECRET = "test-jwt-secret-with-enough-length"


def claims(**changes):
    now = int(time.time())
    base = {"sub": str(uuid.uuid4()), "company_id": str(uuid.uuid4()), "iss": "hr-lrs",
            "aud": "hr-lrs-api", "iat": now, "exp": now + 600}  # fmt: skip
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def hs256(payload, secret=SECRET):
    return jwt.encode({"alg": "HS256"}, payload, OctKey.import_key(secret))


def test_valid_token_gives_the_identity(settings):
    payload = claims()
    identity = TokenVerifier(settings).verify(hs256(payload))
    assert (str(identity.user_id), str(identity.company_id)) == (
        payload["sub"],
        payload["company_id"],
    )


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        (claims(exp=int(time.time()) - 3600), "expired"),
        (claims(nbf=int(time.time()) + 3600), "not yet valid"),
        (claims(iss="someone-else"), "wrong issuer"),
        (claims(aud="another-api"), "wrong audience"),
        (claims(exp=None), "no expiry"),
        (claims(company_id=None), "no company"),
        (claims(sub="not-a-uuid"), "subject not a UUID"),
        (claims(iat=None), "no issue time"),
    ],
)
def test_invalid_claims_are_refused(settings, payload, why):
    with pytest.raises(InvalidToken):
        TokenVerifier(settings).verify(hs256(payload))


def test_token_signed_with_another_secret_is_refused(settings):
    with pytest.raises(InvalidToken):
        TokenVerifier(settings).verify(hs256(claims(), secret="x" * 40))


def _unsigned(payload):
    def part(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."


def test_alg_none_is_refused(settings):
    with pytest.raises(InvalidToken, match="none"):
        TokenVerifier(settings).verify(_unsigned(claims()))


def test_garbage_is_refused(settings):
    with pytest.raises(InvalidToken):
        TokenVerifier(settings).verify("not.a.token")


@pytest.fixture
def rsa_key():
    return RSAKey.generate_key(2048, parameters={"kid": "k1"})


@pytest.fixture
def jwks_settings(settings, rsa_key, tmp_path):
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(KeySet([rsa_key]).as_dict(private=False)))
    return replace(settings, jwt_secret="", jwt_jwks_file=str(path))


def test_rs256_token_verifies_against_the_jwks(jwks_settings, rsa_key):
    token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims(), rsa_key)
    assert TokenVerifier(jwks_settings).verify(token).user_id


def test_hs256_is_refused_when_only_public_keys_are_configured(jwks_settings):
    with pytest.raises(InvalidToken, match="HS256"):
        TokenVerifier(jwks_settings).verify(hs256(claims()))


def test_algorithm_confusion_with_the_public_key_as_hmac_secret_is_refused(jwks_settings, rsa_key):
    import hashlib
    import hmac

    def part(value: bytes) -> str:
        return base64.urlsafe_b64encode(value).rstrip(b"=").decode()

    header = part(json.dumps({"alg": "HS256", "kid": "k1"}).encode())
    signing_input = f"{header}.{part(json.dumps(claims()).encode())}"
    public_pem = rsa_key.as_pem(private=False)
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    # A development secret is configured too, so HS256 itself is accepted: the token must
    # still fail, because its HMAC was made with the public key, not the secret.
    both = replace(jwks_settings, jwt_secret=SECRET)
    assert TokenVerifier(both).verify(hs256(claims())).user_id
    with pytest.raises(InvalidToken):
        TokenVerifier(both).verify(f"{signing_input}.{part(signature)}")


def test_rs256_token_is_refused_with_only_a_shared_secret(settings, rsa_key):
    token = jwt.encode({"alg": "RS256"}, claims(), rsa_key)
    with pytest.raises(InvalidToken, match="RS256"):
        TokenVerifier(settings).verify(token)


def test_api_answers_401_with_a_bearer_challenge(app):
    response = app.test_client().get("/api/lms-integrations/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json["code"] == "invalid_token"


def test_a_user_without_roles_is_403(make_user):
    response = make_user().get("lms-integrations/")
    assert response.status_code == 403
    assert response.json["code"] == "forbidden"


def test_expired_role_assignment_grants_nothing(make_user):
    from datetime import date

    user = make_user("all", expiry_date=date(2000, 1, 1))
    assert user.get("lms-integrations/").status_code == 403


def test_cli_mints_a_token_the_api_accepts(database_url, settings, engine):
    from click.testing import CliRunner
    from sqlalchemy import delete
    from sqlalchemy.orm import Session

    from lrs.cli import main
    from statements.credentials import get_or_create_company
    from statements.models import Company

    with Session(engine) as session, session.begin():
        company = get_or_create_company(
            session, f"tokens-{uuid.uuid4().hex[:6]}", "http://lrs.test"
        )
        name, company_id = company.name, company.id
    user = uuid.uuid4()
    env = {"DATABASE_URL": database_url, "LRS_JWT_SECRET": settings.jwt_secret}
    result = CliRunner().invoke(
        main, ["tokens", "create", "--user", str(user), "--company", name], env=env
    )
    assert result.exit_code == 0, result.output
    identity = TokenVerifier(settings).verify(result.output.strip())
    assert (identity.user_id, identity.company_id) == (user, company_id)
    with Session(engine) as session, session.begin():
        session.execute(delete(Company).where(Company.id == company_id))


def test_a_token_valid_for_longer_than_the_session_timeout_is_refused(settings):
    now = int(time.time())
    ten_years = hs256(claims(iat=now, exp=now + 10 * 365 * 86400))
    with pytest.raises(InvalidToken, match="at most 12 hours are accepted"):
        TokenVerifier(settings).verify(ten_years)
    TokenVerifier(settings).verify(hs256(claims(iat=now, exp=now + 12 * 3600)))


def test_a_token_issued_in_the_future_is_refused(settings):
    later = int(time.time()) + 3600
    with pytest.raises(InvalidToken, match="issued in the future"):
        TokenVerifier(settings).verify(hs256(claims(iat=later, exp=later + 600)))


def test_the_session_timeout_is_configurable_in_hours_not_years():
    from config import ConfigError, Settings

    assert Settings.from_env({"SECRET_KEY": "k" * 40, "LRS_JWT_MAX_HOURS": "2"}).jwt_max_hours == 2
    with pytest.raises(ConfigError, match="at most 168"):
        Settings.from_env({"SECRET_KEY": "k" * 40, "LRS_JWT_MAX_HOURS": "876000"})


def test_tokens_create_refuses_a_lifetime_beyond_the_session_timeout(engine, database_url):
    from click.testing import CliRunner
    from sqlalchemy import delete
    from sqlalchemy.orm import Session

    from lrs.cli import main
    from statements.credentials import get_or_create_company
    from statements.models import Company

    name = f"tokens-{uuid.uuid4().hex[:8]}"
    with Session(engine) as session, session.begin():
        get_or_create_company(session, name, "http://lrs.test")
    try:
        result = CliRunner().invoke(
            main,
            ["tokens", "create", "--user", str(uuid.uuid4()), "--company", name,
             "--hours", "876000"],
            env={"DATABASE_URL": database_url, "SECRET_KEY": "k" * 40},
        )  # fmt: skip
        assert result.exit_code == 1
        assert "at most 12 hours" in result.output
    finally:
        with Session(engine) as session, session.begin():
            session.execute(delete(Company).where(Company.name == name))
