"""The change API: a portal changed like a user would (shifts added, edited, cancelled,
deleted; rates added and deleted; posts moved or made non-billable with a change time in the
past; a record stamped in the future), each change stamped and visible over HTTP and in the
truth; and the ``churn`` paging fault."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tracktik_sim import SimulatorConfig

SMALL = SimulatorConfig(seed=3, employees=15, weeks=3)
SHIFT_INCLUDES = "createdOn,updatedOn,modifiedOn,clockedHours,approvedHours,billableHours"
POST_INCLUDES = "updatedOn,billingSetting,billingSetting.billSettings"
WINDOW = "2025-01-05T00:00:00+00:00|2025-01-28T00:00:00+00:00"


@pytest.fixture
def api(make_api):
    return make_api(SMALL)


def _kaiser_posts(api) -> list[int]:
    return sorted(int(k) for k in api.sim.truth()["posts"])


def _kaiser_staff(api) -> list[int]:
    sim = api.sim
    return [e["id"] for e in sim.world.employees
            if e["region"] in sim.kaiser_region_ids and e["status"] == "ACTIVE"]


def _shift(api, sid: int) -> dict:
    (row,) = api.ok("shifts", {"id": sid, "include": SHIFT_INCLUDES})["data"]
    return row


def _logs(api) -> list[tuple[str, int]]:
    return [(r["changeType"], r["shift"]) for r in api.all("shift-logs", {"sort": "id"})]


def _post(api, pid: int) -> dict:
    (row,) = api.ok("positions", {"id": pid, "include": POST_INCLUDES,
                                  "includeInactive": "true"})["data"]
    return row


def test_add_shift_is_listed_logged_and_counted(api):
    clock = api.sim.clock.isoformat()
    before = api.sim.truth()["shifts"]
    post, staff = _kaiser_posts(api)[0], _kaiser_staff(api)[0]
    made = api.control("POST", "change", {"change": "add_shift", "position": post,
                                          "employee": staff, "local_start": "2025-01-08T06:00",
                                          "hours": 9, "break_minutes": 30})
    row = _shift(api, made["id"])
    assert row["position"] == post and row["employee"] == staff and row["status"] == "ACTIVE"
    assert row["createdOn"] == row["updatedOn"] == row["modifiedOn"] == clock
    assert row["approvedHours"] == row["clockedHours"] == row["billableHours"] == 8.5
    start = datetime.fromisoformat(row["startDateTime"])
    assert datetime.fromisoformat(row["endDateTime"]) - start == timedelta(hours=9)
    assert start.astimezone(api.sim.world.zones[api.sim.world.zone_index(row["timeZone"])]) \
        .strftime("%Y-%m-%d %H:%M") == "2025-01-08 06:00"
    assert ("ADDED", made["id"]) in _logs(api)
    after = api.sim.truth()["shifts"]
    assert after["count"] == before["count"] + 1
    assert after["scheduledHours"] == before["scheduledHours"] + 8.5
    assert made["id"] in api.sim.shift_ids()
    in_window = [r["id"] for r in api.all("shifts", {"startDateTime:between": WINDOW})]
    assert made["id"] in in_window


def test_add_shift_with_an_id_below_existing_ones(api):
    ids = api.sim.shift_ids()
    free = api.sim._free_shift_id(below=ids[len(ids) // 2])
    assert free is not None and free not in ids
    made = api.sim.add_shift(_kaiser_posts(api)[0], None, "2025-01-10T22:00", 8, shift_id=free)
    assert made["id"] == free
    row = _shift(api, free)
    assert row["vacant"] is True and "employee" not in row
    with pytest.raises(ValueError, match="taken"):
        api.sim.add_shift(_kaiser_posts(api)[0], None, "2025-01-10T22:00", 8, shift_id=free)


def test_edit_shift_changes_times_and_hours(api):
    sid = api.sim.shift_ids()[5]
    old = _shift(api, sid)
    clock = api.sim.clock.isoformat()
    api.control("POST", "change", {"change": "edit_shift", "shift_id": sid, "hours": 11,
                                   "approved_hours": 10.25})
    row = _shift(api, sid)
    assert row["startDateTime"] == old["startDateTime"] and row["modifiedOn"] == clock
    assert datetime.fromisoformat(row["endDateTime"]) \
        - datetime.fromisoformat(row["startDateTime"]) == timedelta(hours=11)
    assert row["approvedHours"] == row["billableHours"] == 10.25
    assert _logs(api)[-1] == ("TIME", sid)
    api.sim.edit_shift(sid, local_start="2025-01-20T07:30", approved_hours=None,
                       clocked_hours=None)
    row = _shift(api, sid)
    assert "approvedHours" not in row and "clockedHours" not in row
    assert row["billableHours"] == 11.0 - row.get("breakInMinutes", 0) / 60
    assert api.sim.truth("2025-01-20", "2025-01-20")["shifts"]["count"] >= 1


def test_cancel_shift(api):
    sid = next(i for i in api.sim.shift_ids() if api.sim.shift(i)["status"] == "ACTIVE")
    before = api.sim.truth()["shifts"]["cancelled"]
    api.control("POST", "change", {"change": "cancel_shift", "shift_id": sid})
    row = _shift(api, sid)
    assert row["status"] == "CANCELLED" and row["billableHours"] == 0
    assert _logs(api)[-1] == ("CANCELLED", sid)
    assert api.sim.truth()["shifts"]["cancelled"] == before + 1


def test_delete_without_a_shift_log_entry(api):
    sid = api.sim.shift_ids()[0]
    api.control("POST", "delete-shifts", {"ids": [sid], "log": False})
    assert api.ok("shifts", {"id": sid})["data"] == []
    assert _logs(api) == []
    assert sid not in api.sim.shift_ids()
    with pytest.raises(ValueError):
        api.sim.edit_shift(sid, hours=8)


def test_add_and_delete_bill_settings(api):
    pid = _kaiser_posts(api)[0]
    billing = _post(api, pid)["billingSetting"]
    before = [b["id"] for b in billing["billSettings"]]
    clock = api.sim.clock.isoformat()
    made = api.control("POST", "change", {"change": "add_bill_setting", "position_id": pid,
                                          "rate": 61.25, "effective_date": "2025-01-13"})
    post = _post(api, pid)
    items = {b["id"]: b for b in post["billingSetting"]["billSettings"]}
    assert list(items) == [*before, made["id"]]
    new = items[made["id"]]
    assert new["rate"] == 61.25 and new["effectiveDate"] == "2025-01-13"
    assert new["positionBilling"] == post["billingSetting"]["id"]
    # the clock is after 2025-01-13: the new setting is the effective one
    assert post["billingSetting"]["effectiveBillSettingId"] == made["id"]
    assert post["billingSetting"]["rate"] == 61.25
    listed = api.all("position-bill-settings", {"include": "updatedOn"})
    assert {"id": made["id"], "updatedOn": clock}.items() <= \
        next(b for b in listed if b["id"] == made["id"]).items()
    assert api.sim.truth()["posts"][str(pid)]["billSettings"] == [*before, made["id"]]
    api.control("POST", "change", {"change": "delete_bill_setting", "setting_id": made["id"]})
    post = _post(api, pid)
    assert [b["id"] for b in post["billingSetting"]["billSettings"]] == before
    assert post["billingSetting"]["effectiveBillSettingId"] == before[-1]
    assert made["id"] not in {b["id"] for b in api.all("position-bill-settings")}
    # ids are never reused
    again = api.sim.add_bill_setting(pid, 40.0, "2025-01-06")
    assert again["id"] > made["id"]


def test_a_post_without_billing_gets_one(api):
    pid = next(p["id"] for p in api.sim.world.positions
               if p["id"] in api.sim.kaiser_position_ids and p.get("billingSetting") is None)
    made = api.sim.add_bill_setting(pid, 50.0, "2025-01-06", overtime_rate_type="MULTIPLIER")
    items = _post(api, pid)["billingSetting"]["billSettings"]
    assert [b["id"] for b in items] == [made["id"]]
    assert items[0]["customOvertimeMultiplier1"] == 2.0


def test_move_post_with_a_change_time_in_the_past(api):
    pid = _kaiser_posts(api)[0]
    old_site = _post(api, pid)["account"]
    site = next(c for c in api.sim.world.clients
                if c["id"] in api.sim.kaiser_client_ids and c["status"] == "ACTIVE"
                and c["type"] != "MULTI_LOCATION_CLIENT" and c["id"] != old_site)
    when = "2025-01-15T08:00:00+00:00"
    clock = api.sim.clock
    api.control("POST", "change", {"change": "move_post", "position_id": pid,
                                   "site_id": site["id"], "changed_at": when})
    post = _post(api, pid)
    assert post["account"] == site["id"] and post["updatedOn"] == when
    assert api.sim.clock == clock + timedelta(minutes=1)
    truth = api.sim.truth()["posts"][str(pid)]
    assert truth["site"] == site["id"] and truth["region"] == site["region"]
    with pytest.raises(ValueError):
        api.sim.move_post(pid, 99_999)


def test_make_a_post_non_billable_in_the_past(api):
    sim = api.sim
    pid = next(p for p in _kaiser_posts(api) if not sim.world.by_id["positions"][p]["nonBillable"]
               and any(sim.shift(i)["position"] == p and sim.shift(i)["billableHours"] > 0
                       for i in sim.shift_ids()))
    sid = next(i for i in sim.shift_ids() if sim.shift(i)["position"] == pid
               and sim.shift(i)["billableHours"] > 0)
    api.control("POST", "change", {"change": "set_non_billable", "position_id": pid,
                                   "changed_at": "2025-01-10T00:00:00+00:00"})
    post = _post(api, pid)
    assert post["nonBillable"] is True and post["updatedOn"] == "2025-01-10T00:00:00+00:00"
    assert _shift(api, sid)["billableHours"] == 0
    sim.set_non_billable(pid, False)
    assert _post(api, pid)["nonBillable"] is False
    assert _shift(api, sid)["billableHours"] > 0


def test_stamp_a_record_in_the_future(api):
    sid = api.sim.shift_ids()[2]
    future = (datetime.now(UTC) + timedelta(days=400)).replace(microsecond=0)
    api.control("POST", "change", {"change": "stamp_record", "resource": "shifts",
                                   "record_id": sid, "at": future.isoformat()})
    row = _shift(api, sid)
    assert datetime.fromisoformat(row["modifiedOn"]) == future
    assert datetime.fromisoformat(row["updatedOn"]) == future
    mark = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert [r["id"] for r in api.all("shifts", {"modifiedOn:after": mark})] == [sid]
    pid = _kaiser_posts(api)[1]
    api.sim.stamp_record("positions", pid, future)
    assert datetime.fromisoformat(_post(api, pid)["updatedOn"]) == future
    with pytest.raises(ValueError):
        api.sim.stamp_record("positions", 1, future)


def test_unknown_change_is_a_400(api):
    resp = api.http.post(api.url + "_sim/change", json={"change": "mutate"}, timeout=10)
    assert resp.status_code == 400
    resp = api.http.post(api.url + "_sim/change", json={"change": "cancel_shift", "id": 1},
                         timeout=10)
    assert resp.status_code == 400


def test_changes_are_deterministic(make_api):
    def run(api) -> bytes:
        ids = api.sim.shift_ids()
        api.sim.add_shift(_kaiser_posts(api)[0], None, "2025-01-09T06:00", 8)
        api.sim.edit_shift(ids[1], hours=12)
        api.sim.cancel_shift(ids[2])
        api.sim.delete_shifts([ids[3]])
        api.sim.add_bill_setting(_kaiser_posts(api)[1], 44.0, "2025-01-20")
        api.sim.move_post(_kaiser_posts(api)[2], _post(api, _kaiser_posts(api)[0])["account"],
                          "2025-01-12T00:00:00+00:00")
        return b"".join([api.get("shifts", {"id:gt": 0, "limit": 1000,
                                            "include": SHIFT_INCLUDES}).content,
                         api.get("positions", {"include": POST_INCLUDES}).content,
                         api.get("shift-logs", {}).content])

    assert run(make_api(SMALL)) == run(make_api(SMALL))


# ----------------------------------------------------------------- churn


def _page_by_offset(api, limit: int) -> list[int]:
    seen: list[int] = []
    offset = 0
    while True:
        body = api.ok("shifts", {"startDateTime:between": WINDOW, "sort": "id", "limit": limit,
                                 "offset": offset})
        seen += [r["id"] for r in body["data"]]
        offset += len(body["data"])
        if len(body["data"]) < limit:
            return seen


def _page_by_id(api, limit: int) -> list[int]:
    seen: list[int] = []
    while True:
        params = {"startDateTime:between": WINDOW, "sort": "id", "limit": limit}
        if seen:
            params["id:gt"] = seen[-1]
        body = api.ok("shifts", params)
        seen += [r["id"] for r in body["data"]]
        if len(body["data"]) < limit:
            return seen


def test_churn_deletes_and_adds_below_and_above_the_last_id_served(api):
    api.running.faults.set("churn", resource="shifts", delete=2, add=2)
    before = set(api.sim.shift_ids(kaiser=False))
    body = api.ok("shifts", {"startDateTime:between": WINDOW, "sort": "id", "limit": 40})
    last = body["data"][-1]["id"]
    (done,) = api.running.faults.churned
    assert done["lastId"] == last
    assert len(done["deleted"]) == 2 and len(done["added"]) == 2
    assert all(i < last for i in done["deleted"]) and all(i > last for i in done["added"])
    body = api.ok("shifts", {"startDateTime:between": WINDOW, "sort": "id", "limit": 40,
                             "id:gt": last})
    second = api.running.faults.churned[1]
    last = body["data"][-1]["id"]
    assert all(i > last for i in second["deleted"]) and all(i < last for i in second["added"])
    assert len(second["deleted"]) == len(second["added"]) == 2
    after = set(api.sim.shift_ids(kaiser=False))
    deleted, added = set(done["deleted"] + second["deleted"]), set(done["added"] + second["added"])
    assert after == (before - deleted) | added
    assert {("REMOVED", i) for i in deleted} | {("ADDED", i) for i in added} == set(_logs(api))
    assert api.running.faults.snapshot()["churn"] == {"shifts": {"delete": 2, "add": 2}}
    api.running.faults.clear("churn")
    api.ok("shifts", {"startDateTime:between": WINDOW, "limit": 40})
    assert len(api.running.faults.churned) == 2


def test_churn_breaks_offset_paging_not_paging_by_id(make_api):
    offset_api = make_api(SMALL)
    offset_api.running.faults.set("churn", resource="shifts", delete=2, add=2)
    throughout = set(offset_api.sim.shift_ids(kaiser=False))
    seen = _page_by_offset(offset_api, 25)
    for done in offset_api.running.faults.churned:
        throughout -= set(done["deleted"])
    assert len(seen) != len(set(seen)) or not throughout <= set(seen), \
        "offset paging under churn should skip or repeat a record"

    id_api = make_api(SMALL)
    id_api.running.faults.set("churn", resource="shifts", delete=2, add=2)
    throughout = set(id_api.sim.shift_ids(kaiser=False))
    seen = _page_by_id(id_api, 25)
    assert len(id_api.running.faults.churned) > 2
    for done in id_api.running.faults.churned:
        throughout -= set(done["deleted"])
    assert len(seen) == len(set(seen))
    assert {i for i in throughout if api_window(id_api, i)} <= set(seen)


def api_window(api, sid: int) -> bool:
    lo, hi = (datetime.fromisoformat(x) for x in WINDOW.split("|"))
    start = datetime.fromtimestamp(api.sim.shift(sid)["startDateTime"], UTC)
    return lo <= start <= hi


def test_churn_only_for_shifts_and_names_itself_in_exchanges(api):
    from tracktik_sim import OBSERVERS

    with pytest.raises(ValueError):
        api.running.faults.set("churn", resource="regions")
    seen: list[tuple[str, ...]] = []
    OBSERVERS.append(lambda ex: seen.append(ex.faults))
    try:
        api.running.faults.set("churn", resource="shifts", delete=1, add=0)
        api.ok("shifts", {"startDateTime:between": WINDOW, "limit": 10})
    finally:
        OBSERVERS.pop()
    assert seen[-1] == ("churn",)
