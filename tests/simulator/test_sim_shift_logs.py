"""/shift-logs records the changes made to shifts; deleted shifts leave the lists and the truth;
paging by id stays exact while the data changes between pages."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tracktik_sim.spec import ENUMS, PROPERTIES

INCLUDES = "createdOn,updatedOn,modifiedOn,customId,clockedHours,approvedHours,billableHours," \
    "payableHours"


def _shift_ids(api, **params: object) -> list[int]:
    return [r["id"] for r in api.all("shifts", {"id:gt": 0, "includeInactive": "true",
                                                **params})]


def test_the_log_is_empty_until_something_changes(api):
    body = api.ok("shift-logs", {"sort": "id", "limit": 1000})
    assert body["data"] == [] and body["meta"]["count"] == 0


def test_mutate_logs_time_cancel_and_add_changes(api):
    round_ = api.sim.mutate()["rounds"][0]
    by_change = {c["change"]: c["id"] for c in round_["changes"] if c["resource"] == "shifts"}
    logs = api.all("shift-logs", {"sort": "id"})
    assert [(r["changeType"], r["shift"]) for r in logs] == [
        ("TIME", by_change["late_edit"]), ("CANCELLED", by_change["cancel"]),
        ("ADDED", by_change["new"])]
    for r in logs:
        assert set(r) <= set(PROPERTIES["ShiftLogs"]) and None not in r.values()
        assert r["changeType"] in ENUMS["ShiftLogs"]["changeType"]
        assert r["shiftId"] == r["shift"] and isinstance(r["employee"], int)
        assert r["createdOn"] == round_["updatedOn"] and r["isValid"] is True
        assert "shiftDetails" not in r
    detailed = api.all("shift-logs", {"include": "shiftDetails,shift,employee"})
    assert all(r["shiftDetails"] and r["shift"]["id"] == r["shiftId"] for r in detailed)
    assert all(r["employee"]["lastName"] for r in detailed)


def test_shift_logs_filter_on_change_type_shift_and_created_on(api):
    first = api.sim.mutate()["rounds"][0]["updatedOn"]
    api.sim.mutate(step=2)
    logs = api.all("shift-logs")
    assert len(logs) == 9
    cancels = api.all("shift-logs", {"changeType": "CANCELLED"})
    assert len(cancels) == 3 and {r["changeType"] for r in cancels} == {"CANCELLED"}
    one = api.all("shift-logs", {"shift": logs[4]["shift"]})
    assert [r["id"] for r in one] == [logs[4]["id"]]
    later = api.all("shift-logs", {"createdOn:after": first, "sort": "id", "limit": 1000})
    assert [r["id"] for r in later] == [r["id"] for r in logs[3:]]


def test_a_deleted_shift_is_gone_leaves_a_removed_log_and_leaves_the_truth(api):
    sim = api.sim
    posts = ",".join(map(str, sorted(sim.kaiser_position_ids)))
    window = {"startDateTime:between": "2025-02-03T00:00:00+00:00|2025-02-10T00:00:00+00:00",
              "position:in": posts}
    rows = api.all("shifts", {**window, "include": INCLUDES})
    victims = [r for r in rows if r["status"] == "ACTIVE"][:2]
    before = sim.truth()
    clock = sim.clock
    result = api.control("POST", "delete-shifts", {"ids": [v["id"] for v in victims] + [5]})
    assert result["deleted"] == [v["id"] for v in victims] and result["unknown"] == [5]
    after_ids = {r["id"] for r in api.all("shifts", window)}
    assert after_ids == {r["id"] for r in rows} - {v["id"] for v in victims}
    assert not api.all("shifts", {"id:in": ",".join(str(v["id"]) for v in victims)})
    removed = api.all("shift-logs", {"changeType": "REMOVED",
                                     "createdOn:after": (clock - timedelta(seconds=1)).isoformat(),
                                     "sort": "id", "limit": 1000})
    assert [r["shift"] for r in removed] == [v["id"] for v in victims]
    assert all(datetime.fromisoformat(r["createdOn"]) == clock for r in removed)
    after = sim.truth()
    assert after["counts"]["shifts"]["all"] == before["counts"]["shifts"]["all"] - 2
    hours = sum(v["billableHours"] for v in victims)
    assert after["shifts"]["billableHours"] == pytest.approx(
        before["shifts"]["billableHours"] - hours)
    assert sim.delete_shifts([victims[0]["id"]])["unknown"] == [victims[0]["id"]]


def test_a_shift_added_by_mutate_can_be_deleted_too(api):
    new = next(c["id"] for c in api.sim.mutate()["rounds"][0]["changes"]
               if c["change"] == "new")
    assert new in _shift_ids(api)
    assert api.sim.delete_shifts([new])["deleted"] == [new]
    assert new not in _shift_ids(api)


def test_paging_by_id_stays_exact_while_shifts_change_between_pages(api):
    """Offset paging skips or repeats rows when the data changes; keyset paging by id does
    not: every shift that exists throughout is seen exactly once, one deleted before its page
    is never seen, one added meanwhile (ids grow) arrives on the last pages."""
    start = set(_shift_ids(api))
    seen: list[int] = []
    deleted_ahead: set[int] = set()
    deleted_behind: set[int] = set()
    last = 0
    pages = 0
    while True:
        body = api.ok("shifts", {"id:gt": last, "sort": "id", "limit": 500})
        ids = [r["id"] for r in body["data"]]
        seen += ids
        pages += 1
        if len(ids) < 500:
            break
        last = ids[-1]
        api.sim.mutate()  # adds a shift, cancels and edits others
        gone = deleted_ahead | deleted_behind
        ahead = [i for i in sorted(start - gone) if i > last][:2]
        behind = [i for i in sorted(start - gone) if i <= last][:1]
        deleted_ahead |= set(api.sim.delete_shifts(ahead)["deleted"])
        deleted_behind |= set(api.sim.delete_shifts(behind)["deleted"])
    assert pages > 5 and deleted_ahead and deleted_behind
    assert len(seen) == len(set(seen)), "no shift twice"
    assert start - deleted_ahead - deleted_behind <= set(seen), "no surviving shift skipped"
    assert not deleted_ahead & set(seen), "a shift deleted before its page is not served"
    assert deleted_behind <= set(seen), "it was served before it was deleted"
    now = set(_shift_ids(api))
    added = now - start
    assert added and added <= set(seen), "shifts added meanwhile arrive on the last pages"
    assert now == start - deleted_ahead - deleted_behind | added
