"""Tokens: refresh before expiry, single-use refresh tokens, 401 recovery, a login cap."""

from __future__ import annotations

import time

import pytest

from tracktik_etl.client import MAX_PASSWORD_LOGINS, AuthError

TOKEN_PATH = "/rest/oauth2/access_token"


def _logins(sim_api) -> dict[str, int]:
    return sim_api.stats.snapshot()["logins"]


def test_token_is_refreshed_before_it_expires_with_the_newest_refresh_token(sim_api, client):
    sim_api.faults.set("token_lifetime", expires_in=1)  # refresh 0.25 s before expiry
    for _ in range(3):
        assert list(client.iter_records("regions"))
        time.sleep(0.8)
    assert list(client.iter_records("regions"))
    logins = _logins(sim_api)
    # Each refresh consumed the refresh token of the one before: a reused one would fail.
    assert logins == {"password": 1, "refresh": 3, "failed": 0, "failedRefresh": 0}
    assert sim_api.stats.count(status=401) == 0
    assert client.password_logins == 1 and client.token_refreshes == 3


def test_401_mid_run_is_recovered_by_one_refresh(sim_api, make_client):
    client = make_client(page_size=100)
    expected = [r["id"] for r in make_client().iter_records("shifts", {"id:gt": 0})]
    sim_api.stats.reset()
    got = []
    for n, page in enumerate(client.iter_pages("shifts", {"id:gt": 0})):
        got += [r["id"] for r in page.items]
        if n == 2:
            sim_api.faults.set("expire_tokens")
    assert got == expected
    assert sim_api.stats.count("/rest/v1/shifts", status=401) == 1
    assert _logins(sim_api) == {"password": 1, "refresh": 1, "failed": 0, "failedRefresh": 0}


def test_401_when_refresh_tokens_are_gone_too_logs_in_again(sim_api, make_client):
    client = make_client(page_size=100)
    got = 0
    for n, page in enumerate(client.iter_pages("shifts", {"id:gt": 0})):
        got += len(page)
        if n in (1, 4):
            sim_api.faults.set("expire_tokens", refresh=True)
    assert got == sim_api.sim.list_resource("shifts", {"id:gt": ["0"]})["meta"]["count"]
    logins = _logins(sim_api)
    assert logins["password"] == 3 <= MAX_PASSWORD_LOGINS
    assert logins["failedRefresh"] == 2 and logins["failed"] == 0


def test_persistent_401_fails_clearly_and_logins_stay_capped(sim_api, client, monkeypatch):
    assert list(client.iter_records("regions"))
    monkeypatch.setattr(sim_api.auth, "check_bearer", lambda header: "Token revoked")
    with pytest.raises(AuthError, match="still 401 after refreshing.*Token revoked"):
        list(client.iter_records("regions"))
    assert _logins(sim_api)["refresh"] == 1 and _logins(sim_api)["password"] == 2
    for _ in range(3):
        with pytest.raises(AuthError):
            list(client.iter_records("regions"))
    assert _logins(sim_api)["password"] == MAX_PASSWORD_LOGINS == client.password_logins
    with pytest.raises(AuthError, match="refusing another password login"):
        list(client.iter_records("regions"))
    assert _logins(sim_api)["password"] == MAX_PASSWORD_LOGINS


def test_wrong_password_is_not_retried_and_never_nears_the_block(sim_api, make_client):
    client = make_client(password="not-the-password")
    with pytest.raises(AuthError, match="invalid_grant") as err:
        list(client.iter_records("regions"))
    assert "not-the-password" not in str(err.value)
    assert sim_api.stats.snapshot()["logins"]["failed"] == 1
    for _ in range(5):
        with pytest.raises(AuthError):
            list(client.iter_records("regions"))
    assert sim_api.auth.recent_failures("127.0.0.1") == MAX_PASSWORD_LOGINS
    assert MAX_PASSWORD_LOGINS < sim_api.auth.fail_limit / 10


def test_blocked_ip_on_login_is_an_auth_error(sim_api, make_client):
    sim_api.auth.fail_limit = 1
    with pytest.raises(AuthError):
        list(make_client(password="x").iter_records("regions"))
    with pytest.raises(AuthError, match="403.*blocked"):
        list(make_client().iter_records("regions"))
    assert sim_api.stats.count(TOKEN_PATH, status=403) == 1


def test_token_endpoint_errors_are_retried_without_extra_logins(sim_api, client):
    sim_api.faults.set("error", status=503, count=2, path="/rest/oauth2/")
    assert list(client.iter_records("regions"))
    assert sim_api.stats.count(TOKEN_PATH, status=503) == 2
    assert client.password_logins == 1 and _logins(sim_api)["password"] == 1
