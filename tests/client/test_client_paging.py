"""Paging whole resources reproduces the simulator's ground truth."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import pytest

from tracktik_etl.client import between_param, between_windows, chunk_ids


def _in_chunks(client, resource, field, ids, extra=None):
    out = []
    for chunk in chunk_ids(ids):
        out += list(client.iter_records(resource, {f"{field}:in": chunk, **(extra or {})}))
    return out


def test_kaiser_dimensions_equal_ground_truth(sim_api, make_client):
    client = make_client(page_size=7)
    truth = sim_api.sim.truth()
    counts = truth["counts"]
    everything = {"includeInactive": True}
    regions = _in_chunks(client, "regions", "id", truth["scope"]["regionIds"], everything)
    clients = _in_chunks(client, "clients", "region", [r["id"] for r in regions], everything)
    posts = _in_chunks(client, "positions", "account", [c["id"] for c in clients],
                       {**everything, "include": "billingSetting,billingSetting.billSettings"})
    bills = [b for p in posts for b in p.get("billingSetting", {}).get("billSettings", [])]
    emps = _in_chunks(client, "employees", "region", [r["id"] for r in regions], everything)
    for name, rows in [("regions", regions), ("clients", clients), ("positions", posts),
                       ("position-bill-settings", bills), ("employees", emps)]:
        ids = [r["id"] for r in rows]
        assert len(ids) == len(set(ids)) == counts[name]["all"], name
        active = sum(r.get("status", "ACTIVE") == "ACTIVE" for r in rows)
        assert active == counts[name]["active"], name
    assert {r["name"] for r in regions} >= {"Kaiser Permanente", "Hawaii"}
    assert "Acme Corp" not in {r["name"] for r in regions}


def test_kaiser_shifts_over_month_windows_equal_ground_truth(sim_api, client):
    truth = sim_api.sim.truth()
    posts = sorted(sim_api.sim.kaiser_position_ids)
    first = datetime.fromisoformat(truth["dataRange"]["start"]).replace(tzinfo=UTC)
    last = datetime.fromisoformat(truth["dataRange"]["end"]).replace(tzinfo=UTC)
    windows = between_windows(first - timedelta(days=1), last + timedelta(days=2))
    assert len(windows) == 2
    seen: dict[int, dict] = {}
    for a, b in windows:
        for chunk in chunk_ids(posts, 10):
            for rec in client.iter_records("shifts", {
                    "startDateTime:between": between_param(a, b), "position:in": chunk,
                    "includeInactive": True}):
                assert rec["id"] not in seen
                seen[rec["id"]] = rec
    assert len(seen) == truth["counts"]["shifts"]["all"]
    hours = 0.0
    for rec in seen.values():
        if rec["status"] != "CANCELLED":
            span = datetime.fromisoformat(rec["endDateTime"]) - \
                datetime.fromisoformat(rec["startDateTime"])
            hours += round(span.total_seconds() / 3600 - rec.get("breakInMinutes", 0) / 60, 2)
    assert hours == pytest.approx(truth["shifts"]["scheduledHours"])


def test_pages_carry_json_text_ready_for_copy(sim_api, make_client):
    client = make_client(page_size=40)
    pages = list(client.iter_pages("employees", {"includeInactive": True,
                                                 "include": ["region", "updatedOn"]}))
    total = sim_api.sim.config.employees
    assert [p.offset for p in pages] == list(range(0, total + 1, 40))  # 40, 40, then empty
    assert pages[0].count == total and all(p.limit == 40 for p in pages)
    assert sum(len(p) for p in pages) == total
    for page in pages:
        assert [json.loads(text) for text in page.records] == page.items
        assert all("\n" not in text for text in page.records)
        assert page.fetched_at.tzinfo is not None
    assert pages[0].items[0]["region"]["name"]
    assert "records" not in repr(pages[0])


def test_paging_never_trusts_the_count_and_stops_on_a_short_page(sim_api, make_client):
    total = sim_api.sim.config.employees  # 80
    client = make_client(page_size=20)
    assert len(list(client.iter_records("employees", {"includeInactive": "true"}))) == total
    # four full pages and the empty one that proves the end: meta.count may change under
    # a run (records deleted while it pages), so it never ends the paging
    assert sim_api.stats.count("/rest/v1/employees") == math.ceil(total / 20) + 1 == 5


def test_paging_stops_on_a_short_page(sim_api, make_client):
    client = make_client(page_size=30)
    assert len(list(client.iter_records("employees", {"includeInactive": True}))) == 80
    assert sim_api.stats.count("/rest/v1/employees") == 3


def test_pages_are_requested_by_id_with_keyset_paging(sim_api, make_client):
    client = make_client(page_size=50)
    lo = datetime(2025, 1, 6, tzinfo=UTC)
    ids = [r["id"] for r in client.iter_records("shifts", {
        "startDateTime:between": (lo, lo + timedelta(days=6)), "includeInactive": True})]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) and len(ids) > 100
    assert sim_api.stats.count("/rest/v1/shifts") == len(ids) // 50 + 1


@pytest.mark.parametrize("param", ["limit", "offset", "page", "sort"])
def test_paging_parameters_belong_to_the_client(client, param):
    with pytest.raises(ValueError, match=param):
        next(client.iter_pages("regions", {param: 1}))


def test_parameter_values_are_converted(sim_api, client):
    since = datetime(2025, 1, 6, 12, tzinfo=UTC)
    rows = list(client.iter_records("shifts", {
        "startDateTime:between": (since, since + timedelta(hours=6)),
        "vacant": False, "employee:in": list(range(10_001, 10_081))}))
    assert rows and all(r["vacant"] is False and r["employee"] for r in rows)
    with pytest.raises(ValueError, match="timezone-aware"):
        next(client.iter_pages("shifts", {"startDateTime:after": datetime(2025, 1, 6)}))


def test_between_takes_a_pair(sim_api, client):
    lo = datetime(2025, 1, 7, tzinfo=UTC)
    hi = lo + timedelta(hours=12) - timedelta(seconds=1)
    rows = list(client.iter_records("shifts", {"startDateTime:between": (lo, hi)}))
    same = list(client.iter_records("shifts", {"startDateTime:between": between_param(lo, hi)}))
    assert rows == same and rows
    assert all(lo <= datetime.fromisoformat(r["startDateTime"]) <= hi for r in rows)
    with pytest.raises(ValueError, match="pair"):
        next(client.iter_pages("shifts", {"startDateTime:between": (lo, hi, hi)}))
