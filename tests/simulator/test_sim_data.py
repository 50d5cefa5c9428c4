"""The generated data: realistic enough for billing, and queries that agree with brute force."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest

from tracktik_sim import Simulator, SimulatorConfig
from tracktik_sim.data import CYCLE, FIELD_BOUNDS
from tracktik_sim.query import parse_query

YEAR = SimulatorConfig(seed=11, employees=300, weeks=52)


@pytest.fixture(scope="module")
def year() -> Simulator:
    return Simulator(YEAR)


def _base_states(sim: Simulator):
    w = sim.world
    for day in range(w.days):
        for lane in w.working[day % CYCLE]:
            yield w.shift_base(day, lane)


def _all_states(sim: Simulator) -> list[dict]:
    w = sim.world
    out = []
    for day in range(w.days):
        for lane in w.working[day % CYCLE]:
            out.append(sim._shift_state(w.shift_id(day, lane)))
    out += [sim._overlay[i] for i in sorted(sim._extras)]
    return out


def test_regions_markets_and_time_zones(year):
    regions = {r["name"]: r for r in year.world.regions}
    kp = regions["Kaiser Permanente"]
    assert kp["parentRegion"] is None
    for market in ("Northern California", "Southern California", "Colorado", "Georgia",
                   "Mid-Atlantic", "Pacific Northwest", "Hawaii"):
        assert regions[market]["parentRegion"] == kp["id"]
    assert regions["Los Angeles"]["parentRegion"] == regions["Southern California"]["id"]
    assert regions["Hawaii"]["timeZone"] == "Pacific/Honolulu"
    assert regions["Colorado"]["timeZone"] == "America/Denver"
    assert regions["Acme Corp"]["parentRegion"] is None
    assert regions["Acme Midwest"]["parentRegion"] == regions["Acme Corp"]["id"]


def test_other_customer_has_its_own_sites_posts_people_and_shifts(year):
    w = year.world
    acme = w.region_subtree(w.other_root_id)
    sites = [c for c in w.clients if c["region"] in acme]
    site_ids = {c["id"] for c in sites}
    posts = {p["id"] for p in w.positions if p["account"] in site_ids}
    assert sites and posts and all(c["company"] == "Acme Corp" for c in sites)
    assert any(e["region"] in acme for e in w.employees)
    assert not posts & year.kaiser_position_ids
    acme_shifts = sum(1 for day in range(7) for lane in w.working[day % CYCLE]
                      if w.lane_position[lane] in posts)
    assert acme_shifts > 0


def test_sites_posts_employees_and_rates_have_the_expected_variety(year):
    w = year.world
    assert {c["type"] for c in w.clients} == {"CLIENT", "SERVICE_LOCATION",
                                              "MULTI_LOCATION_CLIENT"}
    for c in w.clients:
        address = w.addresses[c["address"]]
        assert {"addressLine1", "city", "state", "postalCode", "country"} <= set(address)
    names = [p["name"] for p in w.positions]
    assert any(n.startswith("STANDBY") for n in names)
    assert any(n.endswith("WATCH") for n in names)
    worked = set(w.lane_position)
    kaiser_worked = worked & year.kaiser_position_ids
    assert w.nonbillable_positions & kaiser_worked
    assert any(e["status"] == "TERMINATED" and e["region"] in year.kaiser_region_ids
               for e in w.employees)
    rated = defaultdict(list)
    billings = {s["id"]: s for s in w.billings}
    for b in w.bill_settings:
        rated[b["_position"]].append(b)
        assert billings[b["positionBilling"]]["position"] == b["_position"]
        assert b["id"] in billings[b["positionBilling"]]["billSettings"]
        assert isinstance(b["rate"], float)
        date.fromisoformat(b["effectiveDate"])
    assert {p["billingSetting"] for p in w.positions if "billingSetting" in p} == set(billings)
    assert any(len(v) == 2 for p, v in rated.items() if p in kaiser_worked), "mid-range change"
    assert kaiser_worked - set(rated), "some worked Kaiser post has no rate at all"


def test_shift_mix_is_realistic_for_billing(year):
    w = year.world
    la = w.zone_names.index("America/Los_Angeles")
    ca_regions = {rid for rid, ca in w.region_is_ca.items() if ca}
    ca_posts = {p for p, r in w.position_region.items() if r in ca_regions}
    total = cancelled = 0
    lengths_ca: set[float] = set()
    spring = fall = overnight = 0
    holidays = {date(2025, 5, 26), date(2025, 7, 4), date(2025, 9, 1), date(2025, 11, 27),
                date(2025, 12, 25), date(2026, 1, 1)}
    on_holiday: set[date] = set()
    week_hours: dict[tuple[int, int], float] = defaultdict(float)
    for st in _base_states(year):
        total += 1
        cancelled += st["status"] == "CANCELLED"
        hours = (st["endDateTime"] - st["startDateTime"]) / 3600
        local = date.fromordinal(st["_s"][0])
        if st["_e"][0] > st["_s"][0] or st["_e"][1] >= 1440:
            overnight += 1
        if st["position"] in ca_posts:
            lengths_ca.add(hours)
        if st["_tz"] == la and local == date(2025, 3, 8) and st["_e"][1] >= 1440:
            spring += hours in (7.0, 11.0)  # 22:00-06:00 or 18:00-06:00 lose an hour
        if st["_tz"] == la and local == date(2025, 11, 1) and st["_e"][1] >= 1440:
            fall += hours in (9.0, 13.0)
        if local in holidays:
            on_holiday.add(local)
        if st["employee"] is not None and st["status"] == "ACTIVE":
            week_hours[(st["employee"], (local - YEAR.start_date).days // 7)] += hours
        assert 0 < hours <= 13
    assert 0.02 < cancelled / total < 0.04
    assert {10.5, 12.0, 13.0} <= lengths_ca
    assert spring and fall and overnight
    assert on_holiday == holidays
    assert sum(1 for h in week_hours.values() if h > 40) > 50
    assert 3.5 < total / (YEAR.employees * YEAR.weeks) < 4.5


def test_vacant_shifts_have_no_employee_and_do_not_bill(year):
    vacant = [st for st in itertools.islice(_base_states(year), 20_000) if st["vacant"]]
    assert vacant
    for st in vacant:
        assert st["employee"] is None and st["billableHours"] == 0 and not st["billable"]


def test_hours_fields_follow_the_design_rules(year):
    seen_unapproved = 0
    for st in itertools.islice(_base_states(year), 20_000):
        scheduled = (st["endDateTime"] - st["startDateTime"]) / 3600 - \
            st["breakInMinutes"] / 60
        if st["approvedHours"] is not None:
            assert st["approvedHours"] <= st["clockedHours"]
        else:
            seen_unapproved += st["clockedHours"] is not None
        if st["status"] == "CANCELLED":
            assert st["billableHours"] == st["payableHours"] == 0
            assert st["clockedHours"] is None
        elif st["billable"] and st["position"] not in year.world.nonbillable_positions:
            expect = st["approvedHours"] if st["approvedHours"] is not None else \
                min(st["clockedHours"], scheduled) if st["clockedHours"] is not None \
                else scheduled
            assert st["billableHours"] == round(expect, 2)
    assert seen_unapproved


def test_base_updated_on_is_before_the_initial_clock(year):
    clock = year.world.initial_clock
    assert max(st["updatedOn"] for st in _base_states(year)) <= clock
    for res in ("regions", "clients", "positions", "employees"):
        assert all(r["updatedOn"] <= clock for r in year._records(res))


def test_day_bounds_hold_for_every_base_shift(year):
    w = year.world
    for st in _base_states(year):
        day = st["_s"][0] - w.start_ordinal
        for name in FIELD_BOUNDS:
            lo, hi = w.day_bounds(name, day)
            assert lo <= st[name] <= hi, (name, st["id"])


def test_ids_ascend_with_time(year):
    last_day = -1
    last_id = 0
    for st in _base_states(year):
        assert st["id"] > last_id and st["_s"][0] >= last_day
        last_id, last_day = st["id"], st["_s"][0]


QUERIES = [
    {"startDateTime:between": ["2025-02-03T07:30:00-08:00|2025-03-04T19:00:00+00:00"]},
    {"startDateTime:after": ["2025-03-09T01:00:00-08:00"],
     "startDateTime:before": ["2025-03-11T00:00:00-05:00"]},
    {"endDateTime:after": ["2025-02-20T12:00:00+00:00"], "position:in": ["1002,1003,1010,1011"]},
    {"updatedOn:after": ["2025-03-20T05:00:00+00:00"], "id:gt": ["0"]},
    {"updatedOn:before": ["2025-01-20T05:00:00+00:00"], "id:gt": ["0"]},
    {"createdOn:between": ["2025-01-01T00:00:00+00:00|2025-01-20T00:00:00+00:00"],
     "id:gt": ["0"]},
    {"modifiedOn:after": ["2025-03-01T00:00:00+00:00"], "vacant": ["true"]},
    {"employee:in": ["10003,10004,10010,10020"]},
    {"status": ["CANCELLED"], "id:gt": ["0"]},
    {"billable": ["false"], "id:gt": ["0"]},
    {"attendanceStatus:in": ["MISSED,LATE"], "id:lte": ["1003000"]},
    {"timeZone": ["Pacific/Honolulu"], "id:gt": ["1002000"]},
    {"id:gte": ["1001000"], "id:lte": ["1002500"], "breakInMinutes": ["30"]},
    {"id:gte": ["1001000"], "id:lt": ["1001400"], "breakInMinutes:isnull": [""]},
    {"id:in": ["1000001,1000002,1000500,1005000"]},
    {"approvedHours:gt": ["11"], "id:gt": ["0"]},
    {"startsOn:after": ["2025-03-20T00:00:00+00:00"], "scope": ["NOT_VACANT"]},
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("truncate", [None, 0.5])
def test_shift_queries_agree_with_brute_force(query, truncate):
    sim = Simulator(SimulatorConfig(seed=3, employees=60, weeks=12))
    sim.clock = datetime.fromisoformat("2025-03-25T10:00:00+00:00")
    sim.mutate(step=4)
    states = _all_states(sim)
    q = parse_query("shifts", query)
    expected = [st["id"] for st in states
                if sim._state_matches(st, sim._shift_conds(q), truncate)]
    got: list[int] = []
    offset = 0
    while True:
        body = sim.list_resource("shifts", {**query, "limit": ["997"], "offset": [str(offset)]},
                                 truncate=truncate)
        got += [r["id"] for r in body["data"]]
        offset += 997
        if offset >= body["meta"]["count"]:
            break
    assert body["meta"]["count"] == len(expected)
    assert got == sorted(expected)
    if truncate is not None and expected:
        full = sim.list_resource("shifts", {**query, "limit": ["1"]})["meta"]["count"]
        assert len(expected) < full


def test_truth_counts_match_a_brute_force_count(year):
    truth = year.truth(date(2025, 3, 1), date(2025, 3, 31))
    posts = year.kaiser_position_ids
    count = 0
    hours = 0.0
    for st in _base_states(year):
        local = date.fromordinal(st["_s"][0])
        if st["position"] in posts and date(2025, 3, 1) <= local <= date(2025, 3, 31):
            count += 1
            if st["status"] != "CANCELLED":
                hours += round((st["endDateTime"] - st["startDateTime"]) / 3600
                               - st["breakInMinutes"] / 60, 2)
    assert truth["shifts"]["count"] == count
    assert truth["shifts"]["scheduledHours"] == pytest.approx(hours)
    assert truth["counts"]["regions"] == {"all": 12, "active": 11}
    assert truth["counts"]["employees"]["all"] > truth["counts"]["employees"]["active"]
    assert truth["shifts"]["start"] == "2025-03-01"
    whole = year.truth()
    assert whole["shifts"]["count"] == whole["counts"]["shifts"]["all"]
    assert whole["dataRange"]["end"] == (YEAR.start_date + timedelta(days=363)).isoformat()
