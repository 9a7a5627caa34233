"""The credential cache: fewer database look-ups, a bounded delay for revocations."""

from __future__ import annotations

import uuid

from lrs.app import create_app
from lrs.context import state
from lrs.xapi import auth
from lrs.xapi.auth import PrincipalCache, principal_cache
from statements.credentials import Principal, revoke_credential
from tests.xapi_client import new_credential

PRINCIPAL = Principal(uuid.uuid4(), uuid.uuid4(), "key", "name", frozenset({"all"}), "http://x")


def test_cached_principal_expires_after_ttl(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(auth.time, "monotonic", lambda: clock[0])
    cache = PrincipalCache(ttl=5)
    cache.put("key", "secret", PRINCIPAL)
    assert cache.get("key", "secret") == PRINCIPAL
    clock[0] = 105.5
    assert cache.get("key", "secret") is None


def test_cache_never_answers_for_another_secret():
    cache = PrincipalCache(ttl=5)
    cache.put("key", "secret", PRINCIPAL)
    assert cache.get("key", "guess") is None


def test_zero_ttl_caches_nothing():
    cache = PrincipalCache(ttl=0)
    cache.put("key", "secret", PRINCIPAL)
    assert cache.get("key", "secret") is None


def test_revoked_credential_works_only_until_the_cache_expires(settings, connection, db_session):
    from dataclasses import replace

    app = create_app(replace(settings, auth_cache_s=60), bind=connection)
    state(app).make_session.configure(join_transaction_mode="create_savepoint")
    client = new_credential(app, scopes=["all"])
    assert client.get().status_code == 200
    revoke_credential(db_session, client.key)
    db_session.flush()
    assert client.get().status_code == 200  # served from the cache
    principal_cache(app).ttl = 0
    principal_cache(app)._entries.clear()
    assert client.get().status_code == 401
