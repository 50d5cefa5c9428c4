"""Determinism, changes over time (mutate, clock) and ground truth over HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta

from tracktik_sim import SimulatorConfig

SMALL = SimulatorConfig(seed=7, employees=150, weeks=12)

INCLUDES = "employee,position,updatedOn,createdOn,modifiedOn,clockedHours,approvedHours," \
    "billableHours,payableHours"
RESOURCES = ("regions", "clients", "positions", "employees", "position-bill-settings")
DIMENSION_INCLUDES = {
    "regions": "updatedOn,parentRegion,timeZone", "clients": "updatedOn,region,name,address",
    "positions": "updatedOn,account,billingSetting.billSettings", "employees": "updatedOn,region",
    "position-bill-settings": "updatedOn,positionBilling",
}


def _conversation(api) -> list[bytes]:
    """A fixed sequence of requests; the raw bytes of every answer."""
    out = [api.grant(grant_type="password", client_id="sim-client", client_secret="sim-secret",
                     username="sim-user", password="sim-pass").content]
    for resource in RESOURCES:
        out.append(api.get(resource, {"include": DIMENSION_INCLUDES[resource],
                                      "includeInactive": "true", "limit": 1000}).content)
    window = "2025-03-07T00:00:00-08:00|2025-03-10T23:59:59-07:00"
    out.append(api.get("shifts", {"startDateTime:between": window, "include": INCLUDES,
                                  "limit": 1000}).content)
    api.control("POST", "mutate", {"step": 2})
    out.append(api.get("shifts", {"modifiedOn:after": "2025-03-01T00:00:00+00:00",
                                  "include": INCLUDES}).content)
    out.append(api.get("shift-logs", {"include": "shiftDetails,shift"}).content)
    out.append(api.get("employees", {"includeInactive": "true", "limit": 1000}).content)
    return out


def test_same_seed_gives_byte_identical_answers(make_api):
    first = _conversation(make_api(SMALL))
    second = _conversation(make_api(SMALL))
    assert all(resp.startswith(b"{") for resp in first)
    assert b'"status": 400' not in b"".join(first)
    assert first == second
    other = _conversation(make_api(SimulatorConfig(seed=8, employees=150, weeks=12)))
    assert other[4] != first[4]  # employees differ with the seed


def _updated(api, resource: str) -> dict[int, dict]:
    params = {"include": "updatedOn", "includeInactive": "true"}
    if resource == "shifts":
        params["id:gt"] = 0
    return {r["id"]: r for r in api.all(resource, params)}


def test_mutate_changes_content_and_updated_on(api):
    before = {res: _updated(api, res) for res in (*RESOURCES, "shifts")}
    clock = api.sim.clock
    result = api.control("POST", "mutate")
    (round_,) = result["rounds"]
    assert round_["updatedOn"] == clock.isoformat()
    assert datetime.fromisoformat(result["clock"]) == clock + timedelta(seconds=60)
    assert api.sim.clock == clock + timedelta(seconds=60)
    changed: dict[str, set[int]] = {}
    for change in round_["changes"]:
        changed.setdefault(change["resource"], set()).add(change["id"])
    kinds = {c["change"] for c in round_["changes"]}
    assert kinds == {"rename", "transfer", "terminate", "late_edit", "cancel", "new"}
    assert set(changed) == {"regions", "clients", "positions", "employees", "shifts"}
    mark = (clock - timedelta(seconds=1)).isoformat()
    for resource, old in before.items():
        new = _updated(api, resource)
        fresh = api.all(resource, {"updatedOn:after": mark, "includeInactive": "true",
                                   "include": "updatedOn",
                                   **({"id:gt": 0} if resource == "shifts" else {})})
        assert {r["id"] for r in fresh} == changed.get(resource, set()), resource
        for r in fresh:
            assert datetime.fromisoformat(r["updatedOn"]) == clock
            if r["id"] in old:
                assert r != old[r["id"]]
                assert old[r["id"]]["updatedOn"] < r["updatedOn"]
        assert {i for i in new if i not in old} == {
            c["id"] for c in round_["changes"]
            if c["change"] == "new" and c["resource"] == resource}
    new_shift = next(c for c in round_["changes"] if c["change"] == "new")
    assert new_shift["id"] > max(before["shifts"])
    shift_date = new_shift["shiftDate"]
    week = api.all("shifts", {"startDateTime:between":
                              f"{shift_date}T00:00:00+00:00|{shift_date}T23:59:59-10:00"})
    assert new_shift["id"] in {r["id"] for r in week}
    gone = next(c["id"] for c in round_["changes"] if c["change"] == "terminate")
    assert gone not in {e["id"] for e in api.all("employees")}
    renamed = next(c for c in round_["changes"] if c["resource"] == "regions")
    assert api.ok("regions", {"id": renamed["id"]})["data"][0]["name"] == renamed["name"]


def test_late_edit_and_cancel_show_in_shift_fields(api):
    round_ = api.sim.mutate()["rounds"][0]
    by_kind = {c["change"]: c["id"] for c in round_["changes"] if c["resource"] == "shifts"}
    rows = {r["id"]: r for r in api.all("shifts", {
        "id:in": ",".join(str(i) for i in by_kind.values()), "include": INCLUDES})}
    assert rows[by_kind["cancel"]]["status"] == "CANCELLED"
    assert rows[by_kind["cancel"]]["billableHours"] == 0
    edited = rows[by_kind["late_edit"]]
    assert edited["approvedHours"] == edited["clockedHours"]
    assert edited["modifiedOn"] == edited["updatedOn"] == round_["updatedOn"]
    assert rows[by_kind["new"]]["createdOn"] == round_["updatedOn"]


def test_clock_is_settable_and_stamps_the_next_changes(api):
    initial = api.sim.clock
    last_end = datetime.fromisoformat(api.sim.truth()["dataRange"]["end"] + "T23:59:59+00:00")
    assert initial > last_end
    api.control("PUT", "clock", {"clock": "2026-01-02T03:04:05+00:00"})
    result = api.sim.mutate(step=2)
    stamps = [r["updatedOn"] for r in result["rounds"]]
    assert stamps == ["2026-01-02T03:04:05+00:00", "2026-01-02T03:05:05+00:00"]
    assert api.control("GET", "clock")["clock"] == "2026-01-02T03:06:05+00:00"


def test_truth_over_http_follows_changes(api):
    before = api.control("GET", "truth")
    assert before["scope"]["rootRegionName"] == "Kaiser Permanente"
    counts = before["counts"]
    assert counts["shifts"]["all"] > counts["shifts"]["active"] > 0
    kaiser_ids = ",".join(str(i) for i in before["scope"]["regionIds"])
    emps = api.all("employees", {"region:in": kaiser_ids, "includeInactive": "true"})
    assert len(emps) == counts["employees"]["all"]
    assert sum(e["status"] == "ACTIVE" for e in emps) == counts["employees"]["active"]
    api.control("POST", "mutate")
    after = api.control("GET", "truth")
    assert after["counts"]["shifts"]["all"] == counts["shifts"]["all"] + 1
    assert after["counts"]["employees"]["active"] == counts["employees"]["active"] - 1
    window = api.control("GET", "truth?start=2025-03-01&end=2025-03-07")["shifts"]
    assert window["start"] == "2025-03-01" and 0 < window["count"] < counts["shifts"]["all"]
    assert window["scheduledHours"] > 0
