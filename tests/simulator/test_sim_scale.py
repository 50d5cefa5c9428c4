"""A year of 5,000 guards (about a million shifts) is served lazily, in little memory.

Speed is measured by the benchmarks under bench/, not asserted here."""

from __future__ import annotations

import resource
from datetime import timedelta

import pytest

from tracktik_sim import Simulator, SimulatorConfig

BIG = SimulatorConfig(seed=42, employees=5000, weeks=52)
INCLUDES = "employee,position,updatedOn,createdOn,modifiedOn,clockedHours,approvedHours," \
    "billableHours,payableHours"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


@pytest.fixture(scope="module")
def big_api(request):
    peak_before = _peak_rss_mb()
    running = Simulator(BIG).serve()
    request.addfinalizer(running.stop)
    return running, None, peak_before


def _get(make_session, running, params):
    http, token = make_session
    resp = http.get(running.url + "rest/v1/shifts", params=params,
                    headers={"Authorization": "Bearer " + token}, timeout=60)
    assert resp.status_code == 200, resp.text
    return resp.json()


@pytest.fixture(scope="module")
def session(big_api):
    import requests

    running = big_api[0]
    http = requests.Session()
    token = http.post(running.url + "rest/oauth2/access_token", data={
        "grant_type": "password", "client_id": "sim-client", "client_secret": "sim-secret",
        "username": "sim-user", "password": "sim-pass"}, timeout=10).json()["access_token"]
    return http, token


def test_a_year_of_5000_guards_is_about_a_million_shifts(big_api):
    running, _, _ = big_api
    w = running.sim.world
    total = sum(len(w.working[d % 14]) for d in range(w.days))
    assert 900_000 < total < 1_200_000


def test_the_last_page_of_a_million_shifts_is_served(big_api, session):
    running = big_api[0]
    count = _get(session, running, {"id:gt": 0, "limit": 1})["meta"]["count"]
    assert count > 900_000
    body = _get(session, running, {"id:gt": 0, "limit": 1000, "offset": count - 1000,
                                   "include": INCLUDES})
    ids = [r["id"] for r in body["data"]]
    assert len(ids) == 1000 and ids == sorted(ids)
    newest = _get(session, running, {"id:gt": 0, "limit": 1, "sort": "-id"})
    assert newest["data"][0]["id"] == ids[-1]


def test_full_pages_of_a_month_window(big_api, session):
    running = big_api[0]
    window = "2025-06-01T00:00:00-07:00|2025-06-30T23:59:59-07:00"
    first = _get(session, running, {"startDateTime:between": window, "limit": 1000,
                                    "include": INCLUDES})
    assert first["meta"]["count"] > 50_000
    seen = {r["id"] for r in first["data"]}
    for n in range(1, 6):
        body = _get(session, running, {"startDateTime:between": window, "limit": 1000,
                                       "offset": n * 1000, "include": INCLUDES})
        assert len(body["data"]) == 1000
        ids = {r["id"] for r in body["data"]}
        assert not ids & seen, "pages overlap"
        seen |= ids


def test_keyset_pages_of_a_month_window_touch_few_shifts(big_api, session, monkeypatch):
    """id:gt paging computes the shifts of the page (and of at most a few edge days), not
    every shift before it."""
    running = big_api[0]
    world = running.sim.world
    window = "2025-06-01T00:00:00-07:00|2025-06-30T23:59:59-07:00"
    posts = ",".join(str(p) for p in sorted(running.sim.kaiser_position_ids)[:100])
    params = {"startDateTime:between": window, "position:in": posts, "sort": "id",
              "limit": 1000, "include": INCLUDES}
    first = _get(session, running, params)
    assert len(first["data"]) == 1000
    calls = 0
    real = type(world).shift_base

    def counting(self, day, lane):
        nonlocal calls
        calls += 1
        return real(self, day, lane)

    monkeypatch.setattr(type(world), "shift_base", counting)
    last = first["data"][-1]["id"]
    for _ in range(3):
        body = _get(session, running, {**params, "id:gt": last})
        ids = [r["id"] for r in body["data"]]
        assert ids and ids[0] > last and ids == sorted(ids)
        last = ids[-1]
    assert calls < 3 * (1000 + 6 * world.lanes)


def test_increment_by_modified_on_finds_only_the_changes(big_api, session):
    running = big_api[0]
    running.sim.mutate(step=3)
    mark = (running.sim.initial_clock - timedelta(seconds=1)).isoformat()
    body = _get(session, running, {"modifiedOn:after": mark, "limit": 1000})
    assert body["meta"]["count"] == 9  # 3 rounds x (late edit, cancel, new shift)


def test_memory_stays_modest(big_api, session):
    _, _, peak_before = big_api
    peak = _peak_rss_mb()
    # ru_maxrss is the whole pytest process's peak; only the growth is ours.
    assert peak - peak_before < 250, f"peak RSS grew by {peak - peak_before:.0f} MB"
