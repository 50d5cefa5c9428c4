"""OAuth2 token endpoint, bearer checks and the failed-login block."""

from __future__ import annotations

import time


def test_password_grant_returns_a_bearer_pair(api):
    body = api.login()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert api.get("regions", token=body["access_token"]).status_code == 200
    assert api.running.stats.password_logins == 1


def test_bad_credentials_are_refused_and_counted(api):
    cfg = api.sim.config
    bad_password = api.grant(grant_type="password", client_id=cfg.client_id,
                             client_secret=cfg.client_secret, username=cfg.username,
                             password="wrong")
    assert bad_password.status_code == 400
    assert bad_password.json()["error"] == "invalid_grant"
    bad_client = api.grant(grant_type="password", client_id=cfg.client_id,
                           client_secret="wrong", username=cfg.username, password=cfg.password)
    assert bad_client.status_code == 401 and bad_client.json()["error"] == "invalid_client"
    assert api.grant(grant_type="client_credentials").status_code == 400
    stats = api.control("GET", "stats")
    assert stats["logins"]["failed"] == 2 and stats["logins"]["password"] == 0


def test_refresh_tokens_are_single_use(api):
    cfg = api.sim.config
    first = api.login()
    form = {"grant_type": "refresh_token", "client_id": cfg.client_id,
            "client_secret": cfg.client_secret}
    second = api.grant(refresh_token=first["refresh_token"], **form)
    assert second.status_code == 200
    pair = second.json()
    assert pair["refresh_token"] != first["refresh_token"]
    assert pair["access_token"] != first["access_token"]
    again = api.grant(refresh_token=first["refresh_token"], **form)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert "message" in again.json()
    assert api.grant(refresh_token=pair["refresh_token"], **form).status_code == 200
    assert api.get("shifts", {"id:gt": 0}, token=pair["access_token"]).status_code == 200


def test_missing_unknown_and_expired_tokens_are_401(api):
    resp = api.http.get(api.url + "rest/v1/regions", timeout=10)
    assert resp.status_code == 401 and resp.json() == {"status": 401,
                                                       "error": "Missing bearer token"}
    assert api.get("regions", token="nope").status_code == 401
    api.running.faults.set("token_lifetime", expires_in=1)
    token = api.login()["access_token"]
    assert api.get("regions", token=token).status_code == 200
    time.sleep(1.1)
    resp = api.get("regions", token=token)
    assert resp.status_code == 401 and "expired" in resp.json()["error"]


def test_expire_tokens_fault_invalidates_every_access_token(api):
    body = api.login()
    api.running.faults.set("expire_tokens")
    assert api.get("regions", token=body["access_token"]).status_code == 401
    cfg = api.sim.config
    refreshed = api.grant(grant_type="refresh_token", refresh_token=body["refresh_token"],
                          client_id=cfg.client_id, client_secret=cfg.client_secret)
    assert refreshed.status_code == 200
    api.running.faults.set("expire_tokens", refresh=True)
    again = api.grant(grant_type="refresh_token",
                      refresh_token=refreshed.json()["refresh_token"],
                      client_id=cfg.client_id, client_secret=cfg.client_secret)
    assert again.status_code == 400


def test_too_many_failed_logins_block_the_ip(api):
    auth = api.running.auth
    assert (auth.fail_limit, auth.fail_window) == (40, 120.0)
    auth.fail_limit = 5
    token = api.token()
    cfg = api.sim.config
    for _ in range(4):
        assert api.grant(grant_type="password", client_id=cfg.client_id,
                         client_secret=cfg.client_secret, username=cfg.username,
                         password="guess").status_code == 400
    assert api.get("regions", token=token).status_code == 200
    assert auth.recent_failures("127.0.0.1") == 4
    api.grant(grant_type="password", client_id=cfg.client_id, client_secret="x",
              username=cfg.username, password=cfg.password)
    blocked = api.get("regions", token=token)
    assert blocked.status_code == 403
    assert blocked.json()["status"] == 403 and "blocked" in blocked.json()["error"]
    good = api.grant(grant_type="password", client_id=cfg.client_id,
                     client_secret=cfg.client_secret, username=cfg.username,
                     password=cfg.password)
    assert good.status_code == 403
    stats = api.control("GET", "stats")  # control endpoints are never blocked
    assert stats["blockedIps"] == ["127.0.0.1"] and stats["logins"]["failed"] == 5
    auth.unblock()
    assert api.get("regions", token=token).status_code == 200


def test_the_block_lifts_after_its_duration(api):
    auth = api.running.auth
    auth.fail_limit, auth.block_seconds = 1, 0.3
    api.token()
    api.grant(grant_type="password", client_id="x", client_secret="y")
    assert api.get("regions").status_code == 403
    time.sleep(0.35)
    assert api.get("regions").status_code == 200
