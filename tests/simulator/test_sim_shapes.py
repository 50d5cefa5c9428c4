"""Items have the shapes of the OpenAPI description: documented properties only, no nulls,
on-demand fields only when included, relations as ids unless included, UTC instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracktik_sim.spec import ENUMS, PROPERTIES, RESOURCE_SCHEMA

ALL = {"includeInactive": "true"}
SHIFTS = {"id:gt": 0}
SHIFT_ON_DEMAND = ["createdOn", "updatedOn", "modifiedOn", "customId", "clockedHours",
                   "approvedHours", "billableHours", "payableHours"]


def _rows(api, resource: str, **params: object) -> list[dict]:
    base = dict(SHIFTS) if resource == "shifts" else {}
    return api.all(resource, {**base, **ALL, **params})


@pytest.mark.parametrize("resource", [r for r in RESOURCE_SCHEMA if r != "shift-logs"])
def test_only_documented_properties_and_no_nulls(api, resource):
    schema = RESOURCE_SCHEMA[resource]
    rows = _rows(api, resource)
    assert rows
    for r in rows:
        assert set(r) <= set(PROPERTIES[schema]), set(r) - set(PROPERTIES[schema])
        assert None not in r.values()
        assert not {k for k, code in PROPERTIES[schema].items() if code.endswith("*")} & set(r)
        for name, allowed in ENUMS.get(schema, {}).items():
            assert name not in r or r[name] in allowed, (name, r[name])


def test_enumerations_use_the_real_values(api):
    assert {r["status"] for r in _rows(api, "regions")} == {"ACTIVE", "CLOSED"}
    assert {r["status"] for r in _rows(api, "clients")} == {"ACTIVE", "INACTIVE", "CLOSED"}
    assert {r["type"] for r in _rows(api, "clients")} == {"CLIENT", "SERVICE_LOCATION",
                                                          "MULTI_LOCATION_CLIENT"}
    assert {"ACTIVE", "INACTIVE", "TERMINATED"} <= {r["status"] for r in _rows(api, "employees")}
    shifts = api.ok("shifts", {**SHIFTS, "limit": 1000})["data"]
    assert {r["status"] for r in shifts} == {"ACTIVE", "CANCELLED"}
    assert {"COMPLETED", "LATE", "MISSED", "OVER_CLOCK", "EARLY_CLOCK_OUT", "SCHEDULED"} <= \
        {r["attendanceStatus"] for r in shifts}
    bills = _rows(api, "position-bill-settings")
    assert {b["billingType"] for b in bills} == {"HOURLY", "FIXED"}, "one post at a fixed price"
    assert {b["overtimeRateType"] for b in bills} <= {"DEFAULT", "RATE", "MULTIPLIER"}


def test_a_root_region_has_no_parent_region_and_a_closed_site_a_closed_date(api):
    regions = {r["name"]: r for r in _rows(api, "regions")}
    assert "parentRegion" not in regions["Kaiser Permanente"]
    assert regions["Los Angeles"]["parentRegion"] == regions["Southern California"]["id"]
    assert regions["Kaiser Permanente"]["company"] == regions["Hawaii"]["company"]
    for c in _rows(api, "clients"):
        assert ("closedDate" in c) == (c["status"] == "CLOSED")
        assert ("parentClient" in c) == (c["type"] != "MULTI_LOCATION_CLIENT")


def test_client_name_time_zone_and_address_are_on_demand(api):
    plain = _rows(api, "clients")
    assert all("name" not in c and "timeZone" not in c and c["company"] for c in plain)
    assert all(isinstance(c["address"], int) for c in plain)
    full = _rows(api, "clients", include="createdOn,updatedOn,name,timeZone,address")
    for a, b in zip(plain, full, strict=True):
        assert b["name"] and ZoneInfo(b["timeZone"])
        assert b["address"]["id"] == a["address"]
        assert {"addressLine1", "city", "state", "postalCode", "country"} <= set(b["address"])
        assert len(b["address"]["state"]) == len(b["address"]["country"]) == 2
        assert datetime.fromisoformat(b["createdOn"]) <= datetime.fromisoformat(b["updatedOn"])


@pytest.mark.parametrize("resource", ["regions", "clients", "positions", "employees",
                                      "position-bill-settings", "shifts"])
def test_created_and_updated_on_are_on_demand_everywhere_in_utc(api, resource):
    rows = _rows(api, resource, include="createdOn,updatedOn", limit=1)[:50]
    for r in rows:
        for name in ("createdOn", "updatedOn"):
            assert r[name].endswith("+00:00")
        assert r["createdOn"] <= r["updatedOn"]


def test_shift_on_demand_fields_only_with_include(api):
    plain = api.ok("shifts", {**SHIFTS, "limit": 300})["data"]
    assert not any(f in r for r in plain for f in SHIFT_ON_DEMAND)
    rows = api.ok("shifts", {**SHIFTS, "limit": 300, "include": ",".join(SHIFT_ON_DEMAND)})["data"]
    for r in rows:
        for f in ("updatedOn", "createdOn", "modifiedOn", "customId", "billableHours",
                  "payableHours"):
            assert f in r
        datetime.fromisoformat(r["modifiedOn"])
    assert any("clockedHours" in r for r in rows)
    assert any("clockedHours" not in r for r in rows), "an unclocked shift has no clockedHours"
    assert any("approvedHours" not in r and "clockedHours" in r for r in rows)


def test_shift_times_are_utc_and_the_time_zone_gives_the_local_day(api):
    rows = api.ok("shifts", {**SHIFTS, "limit": 1000, "include": "clockedHours"})["data"]
    for r in rows:
        start = datetime.fromisoformat(r["startDateTime"])
        end = datetime.fromisoformat(r["endDateTime"])
        assert start.utcoffset() == timedelta(0) and r["startDateTime"].endswith("+00:00")
        assert end > start
        local = start.astimezone(ZoneInfo(r["timeZone"]))
        assert local.hour in (6, 7, 14, 18, 22), "templates start at these local hours"
        assert ("breakInMinutes" not in r) or r["breakInMinutes"] >= 1
    assert {"America/Los_Angeles", "America/New_York"} <= {r["timeZone"] for r in rows}


def test_truth_counts_shifts_by_local_day_from_utc_times(api):
    """A Hawaii night shift starting 22:00 local is the next UTC day; it still counts on its
    local day, as the truth says."""
    day = "2025-02-05"
    truth = api.sim.truth(day, day)["shifts"]
    lo = datetime.fromisoformat(day + "T00:00:00+00:00") - timedelta(hours=12)
    window = f"{lo.isoformat()}|{(lo + timedelta(days=2)).isoformat()}"
    posts = ",".join(map(str, sorted(api.sim.kaiser_position_ids)))
    rows = api.all("shifts", {"startDateTime:between": window, "position:in": posts})
    local = [r for r in rows if datetime.fromisoformat(r["startDateTime"]).astimezone(
        ZoneInfo(r["timeZone"])).date().isoformat() == day]
    assert len(local) == truth["count"] > 0
    assert any(datetime.fromisoformat(r["startDateTime"]).astimezone(UTC).date().isoformat()
               != day for r in local), "some local-day shift starts on another UTC day"


def test_relations_are_ids_unless_included_then_objects(api):
    plain = api.ok("shifts", {**SHIFTS, "limit": 200})["data"]
    assert all(isinstance(r["position"], int) for r in plain)
    assert all(isinstance(r.get("employee", 0), int) for r in plain)
    assert any("employee" not in r and r["vacant"] for r in plain), "vacant: no employee"
    full = api.ok("shifts", {**SHIFTS, "limit": 200, "include": "employee,position"})["data"]
    for p, f in zip(plain, full, strict=True):
        assert f["position"]["id"] == p["position"] and f["position"]["name"]
        assert "createdOn" not in f["position"], "the related item's on-demand fields stay out"
        if "employee" in p:
            assert f["employee"]["id"] == p["employee"] and f["employee"]["lastName"]
    for resource, rel in [("clients", "region"), ("clients", "parentClient"),
                          ("regions", "parentRegion"), ("positions", "account"),
                          ("employees", "region"), ("position-bill-settings", "positionBilling"),
                          ("positions", "billingSetting")]:
        ids = _rows(api, resource)
        objs = _rows(api, resource, include=rel)
        assert any(rel in r for r in ids)
        for a, b in zip(ids, objs, strict=True):
            assert (rel in a) == (rel in b)
            if rel in a:
                assert isinstance(a[rel], int) and b[rel]["id"] == a[rel]


def test_nested_include_embeds_the_bill_rate_history(api):
    posts = _rows(api, "positions", include="billingSetting,billingSetting.billSettings")
    history = {b["id"]: b for b in _rows(api, "position-bill-settings")}
    assert any("billingSetting" not in p for p in posts), "a post without billing settings"
    embedded = 0
    for p in posts:
        if "billingSetting" not in p:
            continue
        setting = p["billingSetting"]
        assert setting["position"] == p["id"]
        assert setting["type"] == ("FIXED" if p["id"] == api.sim.world.special_posts["fixed"]
                                   else "HOURLY")
        assert setting["billSettings"], "the rate history"
        for b in setting["billSettings"]:
            assert "position" not in b and b["positionBilling"] == setting["id"]
            assert b == history[b["id"]]
            embedded += 1
        latest = max(setting["billSettings"], key=lambda b: b["effectiveDate"])
        assert setting["effectiveBillSettingId"] == latest["id"]
        assert setting["rate"] == latest["rate"]
    assert embedded == len(history)
    once = _rows(api, "positions", include="billingSetting.billSettings")
    assert once == posts, "a nested include implies its parent"
    no_history = _rows(api, "positions", include="billingSetting")
    assert all("billSettings" not in p["billingSetting"] for p in no_history
               if "billingSetting" in p)


def test_bill_settings_overtime_fields_follow_their_type():
    from tracktik_sim import Simulator, SimulatorConfig

    sim = Simulator(SimulatorConfig(seed=11, employees=300, weeks=4))
    rows = sim.list_resource("position-bill-settings", {"limit": "1000"})["data"]
    seen = set()
    for b in rows:
        seen.add(b["overtimeRateType"])
        if b["overtimeRateType"] == "MULTIPLIER":
            assert b["customOvertimeMultiplier1"] >= 2 and b["customOvertimeMultiplier2"] >= 2
        else:
            assert "customOvertimeMultiplier1" not in b
        if b["overtimeRateType"] == "RATE":
            assert b["customOvertimeRate1"] == pytest.approx(b["rate"] * 1.5)
            assert b["customOvertimeRate2"] == pytest.approx(b["rate"] * 2)
        else:
            assert "customOvertimeRate1" not in b
    assert seen == {"DEFAULT", "RATE", "MULTIPLIER"}
