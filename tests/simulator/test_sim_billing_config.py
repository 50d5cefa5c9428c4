"""The Kaiser billing configuration the simulator serves (posts' billingSetting, BILLING overtime
rules and items, holiday groups, holidays, dates) and what TrackTik billed (/billable-items,
computed by tracktik_sim.billing), asked with exactly the requests the shell sends; the
billing_discrepancy fault."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

import tracktik_sim
from contract.openapi import load_contract
from tracktik_sim import RunningSimulator, Simulator, SimulatorConfig
from tracktik_sim.billing import period_start, week_start

PAGE = {"sort": "id", "limit": "1000"}
SIM_START, SIM_END = "2025-01-06", "2025-03-02"
"""The default simulator's eight weeks."""


class Client:
    """Raw HTTP with the shell's paging by id; every request and answer also checked here with
    the contract checker (the contract plugin checks them again)."""

    def __init__(self, running: RunningSimulator) -> None:
        self.running = running
        self.http = requests.Session()
        cfg = running.config
        resp = self.http.post(running.url + "rest/oauth2/access_token", timeout=10, data={
            "grant_type": "password", "client_id": cfg.client_id,
            "client_secret": cfg.client_secret, "username": cfg.username,
            "password": cfg.password})
        self.token = resp.json()["access_token"]

    def page(self, resource: str, params: dict[str, str]) -> dict[str, Any]:
        query = urlencode(params)
        resp = self.http.get(f"{self.running.url}rest/v1/{resource}?{query}", timeout=60,
                             headers={"Authorization": "Bearer " + self.token})
        contract = load_contract()
        path = f"/rest/v1/{resource}"
        problems = contract.check_request("GET", path, query) + contract.check_response(
            "GET", path, query, resp.status_code, resp.json())
        assert problems == [], f"GET {path}?{query}:\n" + "\n".join(problems)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def fetch(self, resource: str, params: dict[str, str], limit: int = 1000) -> list[dict[str, Any]]:
        """``sort=id&limit=...``, then the same plus ``id:gt=<last id>`` until a short page."""
        out: list[dict[str, Any]] = []
        page = {**params, "sort": "id", "limit": str(limit)}
        while True:
            data = self.page(resource, page)["data"]
            out += data
            if len(data) < limit:
                return out
            page = {**params, "sort": "id", "limit": str(limit), "id:gt": str(data[-1]["id"])}


@pytest.fixture(scope="module")
def running() -> Iterator[RunningSimulator]:
    with Simulator(SimulatorConfig()).serve() as api:
        yield api


@pytest.fixture
def client(running: RunningSimulator) -> Iterator[Client]:
    running.faults.clear()
    yield Client(running)
    running.faults.clear()


def kaiser_regions(running: RunningSimulator) -> str:
    return ",".join(str(r) for r in sorted(running.sim.kaiser_region_ids))


def posts(client: Client) -> dict[int, dict[str, Any]]:
    sim = client.running.sim
    sites = ",".join(str(c) for c in sorted(sim.kaiser_client_ids))
    rows = client.fetch("positions", {
        "account:in": sites, "includeInactive": "true",
        "include": "createdOn,updatedOn,billingSetting,billingSetting.billSettings"})
    return {p["id"]: p for p in rows}


# --------------------------------------------------------------------------- configuration

def test_every_post_setting_fills_its_documented_fields(client):
    special = client.running.sim.world.special_posts
    assert set(special) == {"seven_day", "bill_breaks_all", "holiday_rate", "discount", "fixed",
                            "no_rule_california"}
    rules = {r["id"]: r for r in client.fetch("overtime-rules", {"ruleType": "BILLING"})}
    groups = {g["id"]: g for g in client.fetch("holiday-groups", {})}
    region_of_site = {c: client.running.sim.world.by_id["clients"][c]["region"]
                      for c in client.running.sim.kaiser_client_ids}
    settings = {pid: p["billingSetting"] for pid, p in posts(client).items() if "billingSetting" in p}
    assert len(settings) >= 20
    for pid, s in settings.items():
        assert s["position"] == pid and s["billSettings"]
        assert s["effectiveBillSettingId"] in {b["id"] for b in s["billSettings"]}
        assert s["type"] == ("FIXED" if pid == special["fixed"] else "HOURLY")
        assert {b["billingType"] for b in s["billSettings"]} == {s["type"]}
        assert s["discountRate"] == (3.0 if pid == special["discount"] else 0.0)
        assert s["billBreaks"] == ("ALL" if pid == special["bill_breaks_all"] else "NONE")
        if pid == special["holiday_rate"]:
            assert s["holiday"] == "RATE" and s["holidayRate"] > s["rate"] and "holidayMultiplier" not in s
        else:
            assert s["holiday"] == "REGULAR" and s["holidayMultiplier"] == 1.5 and "holidayRate" not in s
        assert groups[s["holidayGroup"]]["region"] == region_of_site[posts_site(client, pid)]
        assert "overtimeRule" not in s or s["overtimeRule"] in rules
    named = [s.get("overtimeRule") for s in settings.values()]
    assert None in named, "some posts name no rule: the warehouse uses its shipped one"
    assert set(named) - {None} == {301, 303, 304, 306, 307}


def posts_site(client: Client, pid: int) -> int:
    return client.running.sim.world.by_id["positions"][pid]["account"]


def test_california_posts_bill_daily_8_12_and_the_seventh_day(client):
    sim = client.running.sim
    world = sim.world
    ca = [pid for pid in sim.kaiser_position_ids if world.region_is_ca[world.position_region[pid]]]
    settings = posts(client)
    rule_of = {pid: settings[pid].get("billingSetting", {}).get("overtimeRule") for pid in ca}
    assert set(rule_of.values()) == {301, None}
    assert rule_of[world.special_posts["no_rule_california"]] is None
    items = client.fetch("overtime-rule-items", {"overtimeRule:in": "301"})
    assert sorted((i["ruleType"], i["threshold"], i["rateMultiplier"]) for i in items) == [
        ("CONSECUTIVE_DAYS", 7, 2.0), ("DAILY", 8, 1.5), ("DAILY", 12, 2.0), ("PERIOD", 40, 1.5)]
    assert all(i["rateType"] == "MULTIPLIER" and "rateAmount" not in i for i in items)


def test_billing_rules_periods_methods_and_a_rate_item_payroll_rules_apart(client):
    billing = client.fetch("overtime-rules", {"ruleType": "BILLING"})
    everything = client.fetch("overtime-rules", {})
    assert {r["ruleType"] for r in billing} == {"BILLING"}
    assert {r["ruleType"] for r in everything} == {"BILLING", "PAYROLL"}
    assert {r["periodLength"] for r in billing} == {"WEEKLY", "BI-WEEKLY"}
    assert {r["method"] for r in billing} == {"SEQUENTIAL", "BEST_OF"}
    ids = ",".join(str(r["id"]) for r in billing)
    items = client.fetch("overtime-rule-items", {"overtimeRule:in": ids})
    assert {i["overtimeRule"] for i in items} == {r["id"] for r in billing}
    assert {i["ruleType"] for i in items} == {"DAILY", "CONSECUTIVE_DAYS", "DAY_SPECIFIC",
                                              "PERIOD", "HOLIDAY"}
    by_rule: dict[int, list[tuple[str, int]]] = {}
    for i in items:
        by_rule.setdefault(i["overtimeRule"], []).append((i["ruleType"], i["threshold"]))
    period = {r["id"]: r["periodLength"] for r in billing}
    assert ("PERIOD", 40) in by_rule[303] and period[303] == "WEEKLY"
    assert ("PERIOD", 80) in by_rule[304] and period[304] == "BI-WEEKLY"
    rate_items = [i for i in items if i["rateType"] == "RATE"]
    assert rate_items and all(i["rateAmount"] > 0 and "rateMultiplier" not in i for i in rate_items)
    assert {r["method"] for r in billing if r["id"] == 307} == {"BEST_OF"}
    payroll = [r["id"] for r in everything if r["ruleType"] == "PAYROLL"]
    assert not {i["overtimeRule"] for i in items} & set(payroll)
    with_items = client.page("overtime-rules", {"ruleType": "BILLING", "include": "billingRuleItems",
                                                **PAGE})["data"]
    assert sorted(i["id"] for r in with_items for i in r["billingRuleItems"]) == sorted(
        i["id"] for i in items)


def test_a_holiday_group_per_region_with_dates_crossing_the_range(client):
    world = client.running.sim.world
    groups = client.fetch("holiday-groups", {})
    holidays = client.fetch("holidays", {"include": "groups"})
    dates = client.fetch("holiday-dates", {})
    markets = {r["id"] for r in world.regions if world.region_cities[r["id"]]}
    assert sorted(g["region"] for g in groups) == sorted(markets)
    assert all(g["isGlobal"] is False for g in groups)
    group_ids = {g["id"] for g in groups}
    assert all(h["groups"] and {x["id"] for x in h["groups"]} <= group_ids for h in holidays)
    assert all(set(x) <= {"id", "name", "isGlobal", "region", "isDefault"} for h in holidays
               for x in h["groups"])
    plain = client.fetch("holidays", {})
    assert all("groups" not in h and "dates" not in h for h in plain), "on demand only"
    in_range = {d["holidayDate"] for d in dates if SIM_START <= d["holidayDate"] <= SIM_END}
    assert in_range == {"2025-01-20", "2025-02-17"}
    holiday_ids = {h["id"] for h in holidays}
    assert all(d["holiday"] in holiday_ids and d["holidayStartDateTime"] < d["holidayEndDateTime"]
               for d in dates)
    # the group of a region lists MLK Day only where the region observes it
    mlk = {d["holiday"] for d in dates if d["holidayDate"] == "2025-01-20"}
    mlk_groups = {x["id"] for h in holidays if h["id"] in mlk for x in h["groups"]}
    assert 0 < len(mlk_groups) < len(groups)
    first = groups[0]["id"]
    of_group = client.page("holiday-dates", {"byHolidayGroupId": str(first), **PAGE})["data"]
    listed = {h["id"] for h in holidays if first in {x["id"] for x in h["groups"]}}
    assert of_group and {d["holiday"] for d in of_group} == listed


# --------------------------------------------------------------------------- billable items

def test_billable_items_are_the_billing_of_each_billed_shift(client):
    sim = client.running.sim
    items = client.fetch("billable-items", {"region:in": kaiser_regions(client.running),
                                            "serviceDate:between": f"{SIM_START}|{SIM_END}"})
    truth = sim.truth()["billing"]
    billed = {int(k): v for k, v in truth["shifts"].items() if v["billed"]}
    assert len(items) == len(billed) == truth["billedShifts"] > 1000
    by_shift = {i["serviceModelShifts"]: i for i in items}
    assert len(by_shift) == len(items), "one item per shift"
    total = Decimal(0)
    for sid, expected in billed.items():
        item = by_shift[sid]
        assert item["type"] == "REVENUE"
        assert (item["quantity"], item["rate"], item["price"]) == (
            expected["hours"], expected["rate"], expected["amount"])
        total += Decimal(repr(item["price"]))
    assert float(total) == pytest.approx(truth["billedAmount"], abs=0.001)
    shift = sim.shift(items[0]["serviceModelShifts"])
    site = sim.world.by_id["clients"][sim.world.by_id["positions"][shift["position"]]["account"]]
    assert items[0]["serviceLocation"] == site["id"] and items[0]["region"] == site["region"]


def test_every_kind_and_treatment_is_billed_somewhere_in_the_default_data(running):
    shifts = running.sim.truth()["billing"]["shifts"]
    kinds = {v["kind"] for v in shifts.values() if v["billed"]}
    assert {"SEQ", "HOLIDAY", "DAILY", "PERIOD", "DAY_SPECIFIC", "CONSECUTIVE_DAYS"} <= kinds
    assert any(v["discount"] for v in shifts.values())
    assert any(v["hours"] > v["billableHours"] for v in shifts.values() if v["billed"]), "breaks"
    assert {v["problem"] for v in shifts.values()} >= {"no_rate", "unsupported_billing_type"}


def test_the_seventh_consecutive_day_of_a_workweek(running):
    sim = running.sim
    pid = sim.world.special_posts["seven_day"]
    shifts = running.sim.truth()["billing"]["shifts"]
    seventh = [int(k) for k, v in shifts.items() if v["kind"] == "CONSECUTIVE_DAYS"]
    assert seventh
    for sid in seventh:
        shift = sim.shift(sid)
        assert shift["position"] == pid
        day = sim.world.local_date_of(sim._shift_state(sid))
        assert day == week_start(day) + timedelta(days=6), "the last day of its workweek"
        before = {sim.world.local_date_of(sim._shift_state(i)) for i in sim.shift_ids(
            week_start(day), day) if sim.shift(i)["employee"] == shift["employee"]}
        assert len(before) == 7


def test_no_item_for_a_fixed_price_post_or_an_unbilled_shift(client):
    sim = client.running.sim
    fixed = sim.world.special_posts["fixed"]
    fixed_shifts = [s for s in sim.shift_ids() if sim.shift(s)["position"] == fixed]
    cancelled = [s for s in sim.shift_ids()[:400] if sim.shift(s)["status"] == "CANCELLED"]
    assert fixed_shifts and cancelled
    asked = (fixed_shifts + cancelled)[:100]
    assert client.fetch("billable-items", {"serviceModelShifts:in": ",".join(map(str, asked))}) == []


def test_by_shift_and_by_region_and_date_agree(client):
    running = client.running
    window = client.fetch("billable-items", {"region:in": kaiser_regions(running),
                                             "serviceDate:between": "2025-01-17|2025-01-23"})
    assert window and all("2025-01-17" <= i["serviceDate"] <= "2025-01-23" for i in window)
    ids = [i["serviceModelShifts"] for i in window][:100]
    by_shift = client.fetch("billable-items", {"serviceModelShifts:in": ",".join(map(str, ids))})
    assert by_shift == [i for i in window if i["serviceModelShifts"] in set(ids)]
    paged = client.fetch("billable-items", {"region:in": kaiser_regions(running),
                                            "serviceDate:between": "2025-01-17|2025-01-23"},
                         limit=37)
    assert paged == window


def test_items_follow_changes_of_shifts_and_settings():
    sim = Simulator(SimulatorConfig(seed=3, employees=60, weeks=4))
    bills = sim.billing_of(sim.shift_ids())
    sid = next(s for s, b in bills.items() if b.billed and not b.discount)
    pid = sim.shift(sid)["position"]
    before = bills[sid]
    sim.set_billing(pid, discountRate=10.0)
    after = sim.billing_of([sid])[sid]
    # 10 % off the gross, rounded to the cent
    assert after.discount == (after.gross * Decimal("0.1")).quantize(Decimal("0.01"))
    assert after.total == before.gross - after.discount
    edited = sim.edit_shift(sid, approved_hours=before.billable_hours + 1, clocked_hours=20.0)
    assert edited["id"] == sid and sim.billing_of([sid])[sid].hours == before.hours + 1
    sim.delete_shifts([sid])
    assert sim.billing_of([sid]) == {}
    with pytest.raises(ValueError):
        sim.set_billing(pid, colour="red")


def test_periods_are_billed_whole():
    """An item does not depend on which window asked for it (each simulator fresh, nothing
    cached): a period's billing is computed over all its shifts."""
    start = period_start(date(2025, 1, 20))
    one_day = Simulator(SimulatorConfig()).list_resource(
        "billable-items", {"serviceDate": "2025-01-20", "limit": "1000"})
    sim = Simulator(SimulatorConfig())
    period: list[dict[str, Any]] = []
    while len(period) % 1000 == 0:
        page = sim.list_resource("billable-items", {
            "serviceDate:between": f"{start}|{start + timedelta(days=13)}", "limit": "1000",
            "offset": str(len(period))})["data"]
        if not page:
            break
        period += page
    assert one_day["data"] and all(i in period for i in one_day["data"])


# --------------------------------------------------------------------------- discrepancies

def test_billing_discrepancy_makes_exactly_those_items_off(client):
    running = client.running
    seen: list[tracktik_sim.Exchange] = []
    tracktik_sim.OBSERVERS.append(seen.append)
    try:
        params = {"region:in": kaiser_regions(running), "serviceDate:between": f"{SIM_START}|{SIM_END}"}
        clean = {i["serviceModelShifts"]: i for i in client.fetch("billable-items", params)}
        chosen = running.faults.set("billing_discrepancy", count=3, amount=12.5)
        assert chosen["ids"] == sorted(clean)[:3]
        off = {i["serviceModelShifts"]: i for i in client.fetch("billable-items", params)}
        differ = {s for s in clean if clean[s] != off[s]}
        assert differ == set(chosen["ids"])
        for s in differ:
            assert off[s]["price"] == pytest.approx(clean[s]["price"] + 12.5, abs=1e-9)
            assert {k: v for k, v in off[s].items() if k != "price"} == \
                {k: v for k, v in clean[s].items() if k != "price"}
        assert running.sim.truth()["billing"]["shifts"][str(chosen["ids"][0])]["amount"] == \
            clean[chosen["ids"][0]]["price"], "the truth is what TrackTik computed"
        faulted = [e for e in seen if e.path.endswith("/billable-items")
                   and "billing_discrepancy" in e.faults]
        assert len(faulted) == 1, "only the page that carried an off item names the fault"
        later = sorted(clean)[-2:]
        body = running.faults.set("billing_discrepancy", ids=later, amount=-0.02)
        assert body == {"kind": "billing_discrepancy", "ids": later, "amount": -0.02}
        by_shift = client.fetch("billable-items", {"serviceModelShifts:in": ",".join(map(str, later))})
        assert [i["price"] for i in by_shift] == [round(clean[s]["price"] - 0.02, 2) for s in later]
        running.faults.clear("billing_discrepancy")
        assert {i["serviceModelShifts"]: i for i in client.fetch("billable-items", params)} == clean
    finally:
        tracktik_sim.OBSERVERS.remove(seen.append)


def test_billing_discrepancy_over_http_and_its_refusals(client):
    url = client.running.url + "_sim/faults"
    resp = client.http.post(url, json={"kind": "billing_discrepancy", "ids": [1000003],
                                       "amount": 5}, timeout=10)
    assert resp.status_code == 200 and resp.json()["faults"]["billingDiscrepancy"] == {"1000003": 5.0}
    for bad in ({"amount": 0}, {"amount": 1, "resource": "shifts"}, {"count": -1}):
        resp = client.http.post(url, json={"kind": "billing_discrepancy", **bad}, timeout=10)
        assert resp.status_code == 400, bad


@pytest.mark.invalid_requests
def test_refusals_as_for_the_other_resources(client):
    http, url = client.http, client.running.url + "rest/v1/"
    headers = {"Authorization": "Bearer " + client.token}
    for resource, params in [("overtime-rules", {"page": "2"}),
                             ("overtime-rule-items", {"colour": "red"}),
                             ("holidays", {"include": "colour"}),
                             ("holiday-groups", {"limit": "1001"}),
                             ("billable-items", {"serviceModelShifts:in": ",".join(map(str, range(101)))}),
                             ("holiday-dates", {"holidayDate:between": "2025-02-01|2025-01-01"})]:
        resp = http.get(url + resource, params=params, headers=headers, timeout=10)
        assert resp.status_code == 400, (resource, params, resp.text)
    assert http.get(url + "billable-items", timeout=10).status_code == 401
