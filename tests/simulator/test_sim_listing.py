"""List endpoints: envelope, paging, sorting, validation, includes, filters."""

from __future__ import annotations

from datetime import datetime

import pytest

from tracktik_sim.query import SCHEMAS

RESOURCES = sorted(SCHEMAS)
ANY_SHIFT = {"id:gt": 0}


def _params(resource: str) -> dict[str, object]:
    return dict(ANY_SHIFT) if resource == "shifts" else {}


@pytest.mark.parametrize("resource", RESOURCES)
def test_envelope_has_the_portal_meta_fields(api, resource):
    body = api.ok(resource, {**_params(resource), "limit": 5})
    assert set(body) == {"meta", "data"}
    meta = body["meta"]
    assert set(meta) == {"count", "itemCount", "limit", "offset", "resource", "request",
                         "security", "debug"}
    assert meta["limit"] == 5 and meta["offset"] == 0 and meta["itemCount"] == len(body["data"])
    assert meta["resource"] == resource
    assert meta["count"] >= meta["itemCount"] > 0


def test_default_limit_is_100_and_order_is_id_ascending(api):
    body = api.ok("shifts", ANY_SHIFT)
    ids = [r["id"] for r in body["data"]]
    assert len(ids) == 100 and ids == sorted(ids)


@pytest.mark.parametrize("resource", ["employees", "shifts"])
def test_paging_by_offset_covers_everything_once(api, resource):
    params = _params(resource)
    everything = [r["id"] for r in api.all(resource, params)]
    count = api.ok(resource, {**params, "limit": 1})["meta"]["count"]
    assert len(everything) == count == len(set(everything))
    paged: list[int] = []
    offset = 0
    while offset < count:
        body = api.ok(resource, {**params, "limit": 73, "offset": offset, "sort": "id"})
        assert body["meta"]["count"] == count
        paged += [r["id"] for r in body["data"]]
        offset += 73
    assert paged == everything == sorted(everything)


def test_sort_descending_reverses_the_order(api):
    asc = [r["id"] for r in api.all("employees", {"sort": "id"})]
    desc = [r["id"] for r in api.all("employees", {"sort": "-id"})]
    assert desc == asc[::-1]
    shifts = api.ok("shifts", {"id:gt": 0, "sort": "-id", "limit": 10})
    ids = [r["id"] for r in shifts["data"]]
    assert ids == sorted(ids, reverse=True)
    last = api.ok("shifts", {"id:gt": 0, "limit": 1, "offset": shifts["meta"]["count"] - 1})
    assert last["data"][0]["id"] == ids[0]


def test_offset_past_the_end_returns_an_empty_page_with_the_count(api):
    body = api.ok("regions", {"offset": 10_000})
    assert body["data"] == [] and body["meta"]["count"] > 0


@pytest.mark.parametrize(("params", "needle"), [
    ({"limit": 1001}, "limit"),
    ({"limit": 0}, "limit"),
    ({"offset": -1}, "offset"),
    ({"page": 2}, "page"),
    ({"sort": "name"}, "Sorting"),
    ({"nonsense": 1}, "Unknown filter field"),
    ({"status:like": "A"}, "Operator"),
    ({"region:in": ",".join(str(i) for i in range(1, 102))}, "Too many values"),
    ({"id:in": ""}, "Empty"),
    ({"updatedOn:after": "yesterday"}, "Invalid date-time"),
    ({"updatedOn:between": "2025-01-01T00:00:00+00:00|2025-02-01T00:00:01+00:00"}, "one month"),
    ({"updatedOn:between": "2025-02-01T00:00:00+00:00|2025-01-01T00:00:00+00:00"}, "after"),
    ({"updatedOn:between": "2025-01-01T00:00:00+00:00"}, "two values"),
    ({"includeInactive": "maybe"}, "includeInactive"),
])
def test_invalid_requests_are_400_with_a_reason(api, params, needle):
    assert needle in api.error("employees", params, 400)


def test_shifts_without_any_filter_are_refused(api):
    assert "filter" in api.error("shifts", {"limit": 10}, 400)
    assert "filter" in api.error("shifts", {"include": "employee", "sort": "id"}, 400)


def test_between_of_exactly_31_days_is_accepted(api):
    body = api.ok("shifts", {
        "startDateTime:between": "2025-01-06T00:00:00+00:00|2025-02-06T00:00:00+00:00"})
    assert body["meta"]["count"] > 0


def test_unencoded_plus_in_an_offset_is_reported(api):
    resp = api.http.get(
        api.url + "rest/v1/shifts?updatedOn:after=2025-01-06T00:00:00+00:00",
        headers={"Authorization": "Bearer " + api.token()}, timeout=10)
    assert resp.status_code == 400 and "%2B" in resp.json()["error"]


def test_unknown_resource_is_404(api):
    resp = api.get("guards")
    assert resp.status_code == 404 and resp.json()["status"] == 404


def test_relations_are_ids_unless_included(api):
    plain = api.ok("shifts", {"id:gt": 0, "limit": 50})["data"]
    assert all(isinstance(r["position"], int) for r in plain)
    assert all(r["employee"] is None or isinstance(r["employee"], int) for r in plain)
    full = api.ok("shifts", {"id:gt": 0, "limit": 50, "include": "employee,position"})["data"]
    for p, f in zip(plain, full, strict=True):
        assert f["position"]["id"] == p["position"] and f["position"]["name"]
        if p["employee"] is None:
            assert f["employee"] is None and f["vacant"] is True
        else:
            assert f["employee"]["id"] == p["employee"] and f["employee"]["lastName"]
    for resource, rel in [("clients", "region"), ("clients", "parentClient"),
                          ("regions", "parentRegion"), ("positions", "account"),
                          ("employees", "region"), ("position-bill-settings", "position")]:
        ids = api.ok(resource, {"limit": 1000, "includeInactive": "true"})["data"]
        objs = api.ok(resource, {"limit": 1000, "includeInactive": "true",
                                 "include": rel})["data"]
        assert any(r[rel] is not None for r in ids)
        for a, b in zip(ids, objs, strict=True):
            if a[rel] is None:
                assert b[rel] is None
            else:
                assert isinstance(a[rel], int) and b[rel]["id"] == a[rel] and b[rel]["name"]


def test_on_demand_fields_only_with_include(api):
    shift_fields = ["updatedOn", "createdOn", "modifiedOn", "clockedHours", "approvedHours",
                    "billableHours", "payableHours"]
    plain = api.ok("shifts", {"id:gt": 0, "limit": 200})["data"]
    assert not any(f in r for r in plain for f in shift_fields)
    full = api.ok("shifts", {"id:gt": 0, "limit": 200, "include": ",".join(shift_fields)})
    rows = full["data"]
    for r in rows:
        for f in ("updatedOn", "createdOn", "modifiedOn", "billableHours", "payableHours"):
            assert f in r
        datetime.fromisoformat(r["updatedOn"])
    assert any("clockedHours" in r for r in rows)
    assert any("clockedHours" not in r for r in rows), "clockedHours should sometimes be absent"
    assert any("approvedHours" not in r and "clockedHours" in r for r in rows)
    for resource in ("regions", "clients", "positions", "employees", "position-bill-settings"):
        rec = api.ok(resource, {"limit": 1})["data"][0]
        assert "updatedOn" not in rec
        rec = api.ok(resource, {"limit": 1, "include": "updatedOn,createdOn"})["data"][0]
        assert rec["updatedOn"].endswith("+00:00") and rec["createdOn"] <= rec["updatedOn"]


def test_unknown_include_tokens_are_ignored_and_reported_in_debug(api):
    body = api.ok("regions", {"include": "updatedOn,bogus"})
    assert body["meta"]["debug"] == {"ignored": ["include=bogus"]}
    assert "updatedOn" in body["data"][0]


def test_timestamps_carry_the_local_offset(api):
    rows = api.ok("shifts", {"id:gt": 0, "limit": 300})["data"]
    for r in rows:
        start = datetime.fromisoformat(r["startDateTime"])
        end = datetime.fromisoformat(r["endDateTime"])
        assert start.utcoffset() is not None and end > start
        assert r["startDateTime"][-6] in "+-"
    zones = {r["timeZone"] for r in rows}
    assert {"America/Los_Angeles", "America/New_York"} <= zones


def test_include_inactive(api):
    active = api.all("employees")
    everyone = api.all("employees", {"includeInactive": "true"})
    assert {r["status"] for r in active} == {"ACTIVE"}
    assert {"TERMINATED", "INACTIVE"} <= {r["status"] for r in everyone}
    assert len(everyone) == api.sim.config.employees
    for resource in ("regions", "clients", "positions"):
        shown = api.all(resource)
        hidden = [r for r in api.all(resource, {"includeInactive": "true"})
                  if r["status"] != "ACTIVE"]
        assert hidden, f"{resource} should have inactive records"
        assert not {r["id"] for r in hidden} & {r["id"] for r in shown}
    # Even a filter on status cannot reveal them without includeInactive.
    assert api.ok("employees", {"status": "TERMINATED"})["meta"]["count"] == 0
    assert api.ok("employees", {"status": "TERMINATED", "includeInactive": "true"})["data"]


def test_relation_filters_work_on_ids(api):
    regions = {r["name"]: r["id"] for r in api.all("regions", {"includeInactive": "true"})}
    la, ncal = regions["Los Angeles"], regions["Northern California"]
    emps = api.all("employees", {"region:in": f"{la},{ncal}"})
    assert emps and {e["region"] for e in emps} == {la, ncal}
    sites = api.all("clients", {"region": la})
    site_ids = [s["id"] for s in sites]
    posts = api.all("positions", {"account:in": ",".join(map(str, site_ids))})
    assert posts and {p["account"] for p in posts} <= set(site_ids)
    post_ids = [p["id"] for p in posts]
    shifts = api.all("shifts", {"position:in": ",".join(map(str, post_ids))})
    assert shifts and {s["position"] for s in shifts} <= set(post_ids)
    some = sorted({s["employee"] for s in shifts if s["employee"]})[:3]
    by_emp = api.all("shifts", {"employee:in": ",".join(map(str, some))})
    assert by_emp and {s["employee"] for s in by_emp} == set(some)
    bills = api.all("position-bill-settings", {"position:in": ",".join(map(str, post_ids))})
    assert bills and {b["position"] for b in bills} <= set(post_ids)


def test_after_and_before_are_exclusive_between_inclusive(api):
    first = api.ok("shifts", {"id:gt": 0, "limit": 1})["data"][0]
    start = first["startDateTime"]
    at = {r["id"] for r in api.all("shifts", {"startDateTime:between": f"{start}|{start}"})}
    assert first["id"] in at
    after = {r["id"] for r in api.all("shifts", {
        "startDateTime:after": start, "startDateTime:before": "2025-01-08T00:00:00+00:00"})}
    before = {r["id"] for r in api.all("shifts", {
        "startDateTime:before": start, "startDateTime:after": "2025-01-01T00:00:00+00:00"})}
    assert after and not at & after and not at & before


def test_numeric_comparisons(api):
    rows = api.all("shifts", {"id:gte": 1_000_010, "id:lt": 1_000_400})
    assert rows and all(1_000_010 <= r["id"] < 1_000_400 for r in rows)
    rates = api.all("position-bill-settings", {"rate:gt": 45})
    assert rates and all(r["rate"] > 45 for r in rates)
    dated = api.all("position-bill-settings", {"effectiveDate:after": "2024-07-01"})
    assert dated and all(r["effectiveDate"] > "2024-07-01" for r in dated)


def test_gte_lte_on_date_times_are_silently_ignored_like_the_real_portal(api):
    everything = api.ok("shifts", {"id:gt": 0, "limit": 1})["meta"]["count"]
    body = api.ok("shifts", {"startDateTime:gte": "2025-03-01T00:00:00+00:00", "limit": 1})
    assert body["meta"]["count"] == everything
    assert body["meta"]["debug"]["ignored"] == ["startDateTime:gte=2025-03-01T00:00:00+00:00"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_updated_on_after_filters_every_resource(api, resource):
    rows = api.all(resource, {**_params(resource), "include": "updatedOn",
                              "includeInactive": "true"})
    stamps = sorted(datetime.fromisoformat(r["updatedOn"]) for r in rows)
    mark = stamps[len(stamps) // 2]
    newer = api.all(resource, {"updatedOn:after": mark.isoformat(), "include": "updatedOn",
                               "includeInactive": "true"})
    expected = {r["id"] for r in rows if datetime.fromisoformat(r["updatedOn"]) > mark}
    assert {r["id"] for r in newer} == expected and expected
