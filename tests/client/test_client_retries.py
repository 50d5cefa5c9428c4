"""Retries: which answers are retried, how long we wait, and that it always ends."""

from __future__ import annotations

import logging
import socket
import time

import pytest

from tracktik_etl.client import ApiError, NotRetryable, RateLimited, TrackTikClient


def test_429_honours_retry_after(sim_api, client):
    assert list(client.iter_records("regions"))  # logged in
    sim_api.faults.set("rate_limit", count=1, retry_after=1)
    started = time.monotonic()
    assert list(client.iter_records("regions"))
    assert time.monotonic() - started >= 1.0  # not the 0.01 s backoff
    assert sim_api.stats.count("/rest/v1/regions", status=429) == 1


def test_429_without_retry_after_backs_off_and_succeeds(sim_api, client):
    sim_api.faults.set("rate_limit", count=3, retry_after=None)
    assert list(client.iter_records("regions"))
    assert sim_api.stats.count("/rest/v1/regions", status=429) == 3


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried(sim_api, client, status):
    sim_api.faults.set("error", status=status, count=2)
    assert list(client.iter_records("regions"))
    assert sim_api.stats.count("/rest/v1/regions", status=status) == 2
    assert sim_api.stats.count("/rest/v1/regions", status=200) == 1


@pytest.mark.invalid_requests
def test_400_is_not_retried_and_carries_the_api_text(sim_api, client):
    with pytest.raises(NotRetryable) as err:
        list(client.iter_records("shifts", {"includeInactive": True}))  # no required filter
    assert err.value.status == 400 and "filter" in str(err.value)
    assert sim_api.stats.count("/rest/v1/shifts") == 1
    with pytest.raises(NotRetryable, match="Too many values"):
        list(client.iter_records("employees", {"id:in": list(range(101))}))


def test_404_is_not_retried(sim_api, client):
    with pytest.raises(NotRetryable) as err:
        list(client.iter_records("guards"))
    assert err.value.status == 404 and sim_api.stats.count("/rest/v1/guards") == 1


def test_403_is_not_retried(sim_api, client):
    assert list(client.iter_records("regions"))
    sim_api.auth.fail_limit = 1
    sim_api.handle("POST", "/rest/oauth2/access_token", "", b"grant_type=password",
                   "127.0.0.1", None)  # one failed login from our IP blocks it
    with pytest.raises(NotRetryable) as err:
        list(client.iter_records("regions"))
    assert err.value.status == 403 and "blocked" in err.value.message
    assert sim_api.stats.count("/rest/v1/regions", status=403) == 1


def test_retries_are_bounded_in_number(sim_api, make_client):
    client = make_client(max_retries=2)
    sim_api.faults.set("error", status=503, count=50)
    with pytest.raises(ApiError, match="gave up after 3 attempts") as err:
        list(client.iter_records("regions"))
    assert err.value.status == 503 and not isinstance(err.value, RateLimited)
    assert sim_api.stats.count("/rest/v1/regions", status=503) == 3


def test_retries_are_bounded_in_time(sim_api, make_client):
    client = make_client(max_retries=100, backoff_base=0.2, backoff_cap=0.2,
                         max_retry_seconds=1.0)
    sim_api.faults.set("error", status=500, count=1000)
    started = time.monotonic()
    with pytest.raises(ApiError, match="max_retry_seconds=1"):
        list(client.iter_records("regions"))
    assert time.monotonic() - started < 2.0


def test_rate_limited_after_max_retries(sim_api, make_client):
    client = make_client(max_retries=2)
    sim_api.faults.set("rate_limit", count=10, retry_after=0)
    with pytest.raises(RateLimited) as err:
        list(client.iter_records("regions"))
    assert err.value.status == 429
    assert sim_api.stats.count("/rest/v1/regions", status=429) == 3


def test_retry_after_beyond_the_budget_fails_at_once(sim_api, make_client):
    client = make_client(max_retry_seconds=2.0)
    sim_api.faults.set("rate_limit", count=1, retry_after=30)
    started = time.monotonic()
    with pytest.raises(RateLimited, match="would exceed"):
        list(client.iter_records("regions"))
    assert time.monotonic() - started < 1.0


def test_slow_answer_beyond_the_timeout_is_retried(sim_api, make_client, caplog):
    caplog.set_level(logging.INFO, "tracktik_etl.client")
    client = make_client(timeout=0.3)
    assert list(client.iter_records("regions"))
    sim_api.faults.set("slow", seconds=2.0, count=1)
    started = time.monotonic()
    assert list(client.iter_records("regions"))
    assert 0.3 <= time.monotonic() - started < 1.5  # gave up waiting, asked again
    assert "ReadTimeout" in caplog.text and "retry 1 in" in caplog.text


def test_persistently_slow_answers_fail_clearly(sim_api, make_client):
    client = make_client(timeout=0.2, max_retries=2)
    assert list(client.iter_records("regions"))
    sim_api.faults.set("slow", seconds=0.5, count=10)
    with pytest.raises(ApiError, match="ReadTimeout.*gave up after 3 attempts") as err:
        list(client.iter_records("regions"))
    assert err.value.status is None


def test_connection_refused_fails_clearly():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = TrackTikClient(f"http://127.0.0.1:{port}/", "id", "secret", "user", "pw",
                            max_retries=1, backoff_base=0.01)
    started = time.monotonic()
    with pytest.raises(ApiError, match=f"127.0.0.1:{port} unreachable: Connection refused; "
                                       "gave up after 2 attempts$") as err:
        list(client.iter_records("regions"))
    assert "\n" not in str(err.value) and "object at 0x" not in str(err.value)
    assert time.monotonic() - started < 2.0


def test_an_unreachable_portal_gives_up_after_a_few_connection_attempts():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = TrackTikClient(f"http://127.0.0.1:{port}/", "id", "secret", "user", "pw")
    started = time.monotonic()
    with pytest.raises(ApiError, match="unreachable: Connection refused; gave up after 3 attempts$"):
        list(client.iter_records("regions"))
    assert time.monotonic() - started < 3.0  # not the whole retry budget of the defaults
