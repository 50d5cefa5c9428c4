"""List endpoints: envelope, paging, sorting, includes, filters (the refusals are in
test_sim_refusals.py, the item shapes in test_sim_shapes.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from tracktik_sim.query import RESOURCES
from tracktik_sim.spec import PROPERTIES, RESOURCE_SCHEMA

ANY_SHIFT = {"id:gt": 0}


def _params(resource: str) -> dict[str, object]:
    return dict(ANY_SHIFT) if resource == "shifts" else {}


LISTED = [r for r in RESOURCES if r != "shift-logs"]
"""Every list with records from the start (the shift log is empty until changes)."""


@pytest.mark.parametrize("resource", LISTED)
def test_envelope_has_the_portal_meta_fields(api, resource):
    body = api.ok(resource, {**_params(resource), "limit": 5})
    assert set(body) == {"meta", "data"}
    meta = body["meta"]
    assert set(meta) == {"count", "itemCount", "limit", "offset", "resource", "request",
                         "security", "debug"}
    assert meta["limit"] == 5 and meta["offset"] == 0 and meta["itemCount"] == len(body["data"])
    assert meta["resource"] == resource
    assert meta["count"] >= meta["itemCount"] > 0
    assert isinstance(meta["request"], list) and "limit=5" in meta["request"]


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


@pytest.mark.parametrize("resource", LISTED)
def test_paging_by_id_covers_everything_once(api, resource):
    """sort=id with id:gt=<last id> (keyset paging) on every list."""
    params = {**_params(resource), "includeInactive": "true"}
    everything = [r["id"] for r in api.all(resource, params)]
    seen: list[int] = []
    last = 0
    while True:
        body = api.ok(resource, {**params, "sort": "id", "limit": 37, "id:gt": last})
        seen += [r["id"] for r in body["data"]]
        if len(body["data"]) < 37:
            break
        last = body["data"][-1]["id"]
    assert seen == everything and len(seen) == len(set(seen))


def test_sort_descending_reverses_the_order(api):
    asc = [r["id"] for r in api.all("employees", {"sort": "id"})]
    desc = [r["id"] for r in api.all("employees", {"sort": "-id"})]
    assert desc == asc[::-1]
    shifts = api.ok("shifts", {"id:gt": 0, "sort": "-id", "limit": 10})
    ids = [r["id"] for r in shifts["data"]]
    assert ids == sorted(ids, reverse=True)
    last = api.ok("shifts", {"id:gt": 0, "limit": 1, "offset": shifts["meta"]["count"] - 1})
    assert last["data"][0]["id"] == ids[0]


def test_dimensions_sort_by_other_documented_fields(api):
    rows = api.all("employees", {"sort": "lastName,-id", "includeInactive": "true"})
    names = [r["lastName"] for r in rows]
    assert names == sorted(names)


def test_offset_past_the_end_returns_an_empty_page_with_the_count(api):
    body = api.ok("regions", {"offset": 10_000})
    assert body["data"] == [] and body["meta"]["count"] > 0


def test_between_of_exactly_31_days_is_accepted(api):
    body = api.ok("shifts", {
        "startDateTime:between": "2025-01-06T00:00:00+00:00|2025-02-06T00:00:00+00:00"})
    assert body["meta"]["count"] > 0


def test_unknown_resource_is_404(api):
    resp = api.get("guards")
    assert resp.status_code == 404 and resp.json()["status"] == 404


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
    assert api.all("employees", {"region.id": la}) == [e for e in emps if e["region"] == la]
    sites = api.all("clients", {"region": la})
    site_ids = [s["id"] for s in sites]
    posts = api.all("positions", {"account:in": ",".join(map(str, site_ids))})
    assert posts and {p["account"] for p in posts} <= set(site_ids)
    post_ids = [p["id"] for p in posts]
    shifts = api.all("shifts", {"position:in": ",".join(map(str, post_ids)), "id:gt": 0})
    assert shifts and {s["position"] for s in shifts} <= set(post_ids)
    some = sorted({s["employee"] for s in shifts if "employee" in s})[:3]
    by_emp = api.all("shifts", {"employee:in": ",".join(map(str, some))})
    assert by_emp and {s["employee"] for s in by_emp} == set(some)
    billings = [p["billingSetting"] for p in posts if "billingSetting" in p]
    bills = api.all("position-bill-settings",
                    {"positionBilling:in": ",".join(map(str, billings))})
    assert bills and {b["positionBilling"] for b in bills} == set(billings)


def test_custom_filters_id_in_and_sub_region_tree(api):
    kaiser = api.sim.kaiser_region_ids
    root = api.sim.truth()["scope"]["rootRegionId"]
    tree = api.all("regions", {"subRegionTreeOfRegionId": root, "includeInactive": "true"})
    assert {r["id"] for r in tree} == kaiser
    some = sorted(kaiser)[:3]
    assert [r["id"] for r in api.all("regions", {"idIn": ",".join(map(str, some))})] == some
    parent = next(c for c in api.all("clients") if c["type"] == "MULTI_LOCATION_CLIENT")
    children = api.all("clients", {"isChildOf": parent["id"], "includeInactive": "true"})
    assert children and {c["parentClient"] for c in children} == {parent["id"]}


def test_q_searches_and_fields_projects(api):
    hits = api.all("employees", {"q": "garcia", "includeInactive": "true"})
    assert hits and all("garcia" in (r["lastName"] + r["firstName"] + r["email"]).lower()
                        for r in hits)
    rows = api.ok("employees", {"fields": "id,lastName", "limit": 5})["data"]
    assert rows and all(set(r) == {"id", "lastName"} for r in rows)


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
    body = api.ok("shifts", {"id:gt": 0, "startDateTime:gte": "2025-03-01T00:00:00+00:00",
                             "limit": 1})
    assert body["meta"]["count"] == everything
    assert body["meta"]["debug"]["ignored"] == ["startDateTime:gte=2025-03-01T00:00:00+00:00"]


def test_shift_timestamp_aliases_filter_the_same_instants(api):
    window = "2025-02-03T00:00:00+00:00|2025-02-05T00:00:00+00:00"
    by_start = [r["id"] for r in api.all("shifts", {"startDateTime:between": window})]
    by_starts_on = [r["id"] for r in api.all("shifts", {"startsOn:between": window})]
    lo = int(datetime.fromisoformat("2025-02-03T00:00:00+00:00").timestamp())
    hi = int(datetime.fromisoformat("2025-02-05T00:00:00+00:00").timestamp())
    by_epoch = [r["id"] for r in api.all("shifts", {"startTimestamp:gte": lo,
                                                     "startTimestamp:lte": hi})]
    assert by_start and by_start == by_starts_on == by_epoch


def test_scope_vacant(api):
    vacant = api.all("shifts", {"scope": "VACANT"})
    staffed = api.ok("shifts", {"scope": "NOT_VACANT", "limit": 1})["meta"]["count"]
    total = api.ok("shifts", {"id:gt": 0, "limit": 1})["meta"]["count"]
    assert vacant and all(r["vacant"] and "employee" not in r for r in vacant)
    assert len(vacant) + staffed == total


STAMPED = [r for r in LISTED if "updatedOn" in PROPERTIES[RESOURCE_SCHEMA[r]]]
"""The lists whose items document ``updatedOn`` (overtime rules and holidays do not)."""


@pytest.mark.parametrize("resource", STAMPED)
def test_updated_on_after_filters_every_resource(api, resource):
    rows = api.all(resource, {**_params(resource), "include": "updatedOn",
                              "includeInactive": "true"})
    stamps = sorted(datetime.fromisoformat(r["updatedOn"]) for r in rows)
    mark = stamps[len(stamps) // 2]
    newer = api.all(resource, {**_params(resource), "updatedOn:after": mark.isoformat(),
                               "include": "updatedOn", "includeInactive": "true"})
    expected = {r["id"] for r in rows if datetime.fromisoformat(r["updatedOn"]) > mark}
    assert {r["id"] for r in newer} == expected and expected
