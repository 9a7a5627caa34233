"""The OAuth2 LMSs' access token (mapping.providers.oauth): kept until a minute before the
LMS says it expires, then asked for again."""

from __future__ import annotations

import pytest

from mapping.providers import oauth
from mapping.providers.errors import ProviderError


def test_a_token_is_kept_until_a_minute_before_it_expires(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(oauth.time, "monotonic", lambda: clock[0])
    answers = iter([{"access_token": "one", "expires_in": 3600}, {"access_token": "two"}])
    token = oauth.AccessToken(lambda: next(answers))
    assert token.header() == {"Authorization": "Bearer one"}
    clock[0] += 3600 - 61
    assert token.header() == {"Authorization": "Bearer one"}
    clock[0] += 1
    assert token.header() == {"Authorization": "Bearer two"}
    assert token.fetched == 2


def test_a_token_response_without_a_token_is_an_error():
    token = oauth.AccessToken(lambda: {"token_type": "bearer"})
    with pytest.raises(ProviderError) as refused:
        token.header()
    assert refused.value.message == "the LMS's token response holds no access_token"
