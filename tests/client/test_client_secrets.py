"""Passwords, client secrets and tokens never reach logs, errors or reprs."""

from __future__ import annotations

import logging
import time

import pytest

from tracktik_etl.client import TrackTikClient, TrackTikError


def _secrets(sim_api) -> list[str]:
    cfg = sim_api.sim.config
    return [cfg.password, cfg.client_secret, *sim_api.auth.issued]


@pytest.mark.invalid_requests
def test_no_secret_in_logs_errors_or_reprs(sim_api, make_client, caplog):
    caplog.set_level(logging.DEBUG)  # urllib3 and requests too
    texts: list[str] = []
    client = make_client()
    sim_api.faults.set("token_lifetime", expires_in=1)
    assert list(client.iter_records("regions"))
    time.sleep(0.8)  # proactive refresh
    assert list(client.iter_records("regions"))
    sim_api.faults.set("expire_tokens")  # 401 -> refresh
    sim_api.faults.set("error", status=503, count=1)
    assert list(client.iter_records("regions"))
    sim_api.faults.set("expire_tokens", refresh=True)  # 401 -> failed refresh -> login
    assert list(client.iter_records("employees"))
    for bad in ({"nonsense": 1}, {"name:in": list(range(101))}):
        with pytest.raises(TrackTikError) as err:
            list(client.iter_records("regions", bad))
        texts += [str(err.value), repr(err.value)]
    cfg = sim_api.sim.config
    wrong = make_client(password=cfg.password + "-old", client_secret=cfg.client_secret)
    with pytest.raises(TrackTikError) as err:
        list(wrong.iter_records("regions"))
    texts += [str(err.value), repr(err.value)]
    texts += [repr(client), str(client), repr(vars(client)), repr(wrong), repr(vars(wrong))]
    assert sim_api.stats.snapshot()["logins"]["refresh"] >= 2
    assert len(sim_api.auth.issued) >= 8
    everything = caplog.text + "\n".join(texts)
    assert "logging in" in caplog.text and "retry 1 in" in caplog.text
    for secret in _secrets(sim_api):
        assert secret not in everything
    assert cfg.password + "-old" not in everything


def test_api_text_echoing_a_secret_is_redacted(sim_api, client):
    assert list(client.iter_records("regions"))
    token = client._access.get_secret_value()
    text = client._redact(f"bad {sim_api.sim.config.password} / {token} / "
                          f"{sim_api.sim.config.client_secret}")
    assert text == "bad *** / *** / ***"


def test_client_refuses_insecure_transport():
    with pytest.raises(ValueError, match="loopback"):
        TrackTikClient("http://portal.example.com/", "id", "s", "u", "p")
    import requests

    insecure = requests.Session()
    insecure.verify = False
    with pytest.raises(ValueError, match="TLS verification"):
        TrackTikClient("https://portal.example.com/", "id", "s", "u", "p", session=insecure)
    client = TrackTikClient("https://portal.example.com", "id", "s", "u", "p")
    assert client._session.verify is True and client.base_url.endswith("/")
    bundled = TrackTikClient("https://portal.example.com/", "id", "s", "u", "p",
                             ca_bundle="/etc/ssl/certs/ca-certificates.crt")
    assert bundled._session.verify == "/etc/ssl/certs/ca-certificates.crt"
    for bad in ({"page_size": 0}, {"page_size": 1001}, {"timeout": 0}, {"max_retries": -1}):
        with pytest.raises(ValueError):
            TrackTikClient("https://portal.example.com/", "id", "s", "u", "p", **bad)


def test_masking_never_rewrites_ordinary_text():
    client = TrackTikClient("https://portal.example.com/", "id", "s", "user", "a")
    text = "a day at the lake: 'a' is not masked, nor is s"
    assert client._redact(text) == text  # one-letter secrets: never echoed, so never masked
    client = TrackTikClient("https://portal.example.com/", "id", "cl1ent-s3cret", "user", "lake")
    assert client._redact("lakeside lake, (cl1ent-s3cret)") == "lakeside ***, (***)"


@pytest.mark.parametrize("password", ["p@ss.w*rd+(x)", "pass word", "ünïcödé-pässwörd", r"back\slash\1"])
def test_secrets_of_any_characters_are_masked(password):
    client = TrackTikClient("https://portal.example.com/", "id", "client-secret-xyz", "user", password)
    assert client._redact(f"invalid credentials for {password}: {password}.") \
        == "invalid credentials for ***: ***."
