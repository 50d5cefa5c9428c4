"""Fault injection (Python and HTTP) and request statistics."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime

import pytest
import requests

from tracktik_sim import OBSERVERS, Exchange
from tracktik_sim.core import UNKNOWN_ID


def test_rate_limit_answers_429_with_retry_after_for_n_requests(api):
    api.token()
    api.running.faults.set("rate_limit", count=2, retry_after=1)
    for _ in range(2):
        resp = api.get("regions")
        assert resp.status_code == 429 and resp.headers["Retry-After"] == "1"
        assert resp.json()["status"] == 429
    assert api.get("regions").status_code == 200
    api.running.faults.set("rate_limit", count=1, retry_after=None)
    resp = api.get("regions")
    assert resp.status_code == 429 and "Retry-After" not in resp.headers


def test_fault_path_limits_what_is_hit(api):
    api.token()
    api.running.faults.set("error", status=503, count=1, path="/rest/v1/shifts")
    assert api.get("regions").status_code == 200
    assert api.get("shifts", {"id:gt": 0}).status_code == 503
    api.running.faults.set("error", status=500, count=1)  # default: data endpoints only
    assert api.login()  # token endpoint not affected
    assert api.get("regions").status_code == 500
    api.running.faults.set("error", status=502, count=1, path="/rest/")
    assert api.grant(grant_type="password").status_code == 502


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_for_n_requests(api, status):
    api.token()
    api.running.faults.set("error", status=status, count=3)
    assert [api.get("regions").status_code for _ in range(4)] == [status] * 3 + [200]


def test_slow_responses(api):
    api.token()
    api.running.faults.set("slow", seconds=0.4, count=2)
    with pytest.raises(requests.Timeout):
        api.http.get(api.url + "rest/v1/regions", timeout=0.1,
                     headers={"Authorization": "Bearer " + api.token()})
    started = time.monotonic()
    assert api.get("regions").status_code == 200
    assert time.monotonic() - started >= 0.4
    started = time.monotonic()
    assert api.get("regions").status_code == 200
    assert time.monotonic() - started < 0.3


def test_token_lifetime_fault_shortens_new_tokens(api):
    api.running.faults.set("token_lifetime", expires_in=5)
    assert api.login()["expires_in"] == 5
    api.running.faults.clear()
    assert api.login()["expires_in"] == 3600


SHIFT_DEFECTS = ["missing_field", "offset_less_timestamp", "end_before_start", "over_24h",
                 "approved_gt_clocked", "unknown_employee"]


def test_malformed_shifts_show_each_defect(api):
    chosen = api.running.faults.set("malformed", resource="shifts", count=6,
                                    defects=SHIFT_DEFECTS)["records"]
    assert sorted(chosen.values()) == sorted(SHIFT_DEFECTS)
    ids = ",".join(chosen)
    rows = {str(r["id"]): r for r in api.all("shifts", {
        "id:in": ids, "include": "clockedHours,approvedHours"})}
    by_defect = {d: rows[i] for i, d in chosen.items()}
    assert "startDateTime" not in by_defect["missing_field"]
    naive = datetime.fromisoformat(by_defect["offset_less_timestamp"]["startDateTime"])
    assert naive.tzinfo is None
    r = by_defect["end_before_start"]
    assert datetime.fromisoformat(r["endDateTime"]) < datetime.fromisoformat(r["startDateTime"])
    r = by_defect["over_24h"]
    span = datetime.fromisoformat(r["endDateTime"]) - datetime.fromisoformat(r["startDateTime"])
    assert span.total_seconds() > 24 * 3600
    r = by_defect["approved_gt_clocked"]
    assert r["approvedHours"] > r["clockedHours"]
    assert by_defect["unknown_employee"]["employee"] == UNKNOWN_ID
    # Everything else is served clean, and the broken ones are Kaiser shifts.
    clean = api.all("shifts", {"id:lt": min(map(int, chosen)) + 2000, "id:gt": 0})
    assert all("startDateTime" in r for r in clean if str(r["id"]) not in chosen)
    assert {rows[i]["position"] for i in chosen} <= api.sim.kaiser_position_ids
    api.control("DELETE", "faults")
    assert "startDateTime" in api.ok("shifts", {"id": next(iter(chosen))})["data"][0]


def test_malformed_dimension_records(api):
    faults = api.running.faults
    chosen = faults.set("malformed", resource="employees", count=2,
                        defects=["missing_field", "unknown_reference"])["records"]
    rows = {str(r["id"]): r for r in api.all("employees", {"id:in": ",".join(chosen)})}
    kinds = {d: rows[i] for i, d in chosen.items()}
    assert "lastName" not in kinds["missing_field"]
    assert kinds["unknown_reference"]["region"] == UNKNOWN_ID
    chosen = faults.set("malformed", resource="regions", count=1,
                        defects="offset_less_timestamp")["records"]
    (rid,) = chosen
    row = api.ok("regions", {"id": rid})["data"][0]
    assert datetime.fromisoformat(row["updatedOn"]).tzinfo is None
    assert faults.malformed["regions"] == {int(rid): ("offset_less_timestamp", "name")}
    with pytest.raises(ValueError):
        faults.set("malformed", resource="regions", count=1, defects=["over_24h"])


def test_truncated_resource_returns_a_fraction(api):
    full = api.all("employees")
    api.running.faults.set("truncated", resource="employees", fraction=0.5)
    part = api.all("employees")
    assert 0.3 * len(full) < len(part) < 0.7 * len(full)
    assert {r["id"] for r in part} < {r["id"] for r in full}
    assert api.ok("employees", {"limit": 1})["meta"]["count"] == len(part)
    shifts_full = api.ok("shifts", {"id:gt": 0, "limit": 1})["meta"]["count"]
    api.running.faults.set("truncated", resource="shifts", fraction=0.25)
    shifts_part = api.ok("shifts", {"id:gt": 0, "limit": 1})["meta"]["count"]
    assert 0.1 * shifts_full < shifts_part < 0.4 * shifts_full
    api.running.faults.clear()
    assert len(api.all("employees")) == len(full)


def test_faults_over_http(api):
    body = api.control("POST", "faults", [
        {"kind": "rate_limit", "count": 1, "retry_after": 0},
        {"kind": "truncated", "resource": "clients", "fraction": 0.5},
    ])
    assert body["faults"]["counted"]["rate_limit"]["count"] == 1
    assert body["faults"]["truncated"] == {"clients": 0.5}
    assert api.get("regions").status_code == 429
    resp = api.http.post(api.url + "_sim/faults", json={"kind": "volcano"}, timeout=10)
    assert resp.status_code == 400 and "volcano" in resp.json()["error"]
    resp = api.http.post(api.url + "_sim/faults", json={"kind": "error", "colour": 1},
                         timeout=10)
    assert resp.status_code == 400
    assert api.control("DELETE", "faults") == {"counted": {}, "malformed": {},
                                               "truncated": {}, "forbidden": [], "omitted": {},
                                               "tokenLifetime": 3600, "churn": {}, "churned": 0,
                                               "billingDiscrepancy": {}}


def test_stats_count_requests_per_path_and_status(api):
    api.token()
    api.get("regions")
    api.get("regions", {"limit": 5000})
    api.get("shifts", {"id:gt": 0})
    stats = api.control("GET", "stats")
    assert stats["requests"]["GET /rest/v1/regions"] == {"200": 1, "400": 1}
    assert stats["requests"]["POST /rest/oauth2/access_token"] == {"200": 1}
    assert stats["logins"]["password"] == 1
    assert api.running.stats.count("/rest/v1/", status=200) == 2
    assert api.running.stats.count("/rest/v1/regions") == 2
    api.control("DELETE", "stats")
    assert api.running.stats.count() == 0


# --------------------------------------------------------------------------- doctor modes

def test_forbidden_makes_one_list_answer_403(api):
    api.token()
    api.running.faults.set("forbidden", resource="clients")
    resp = api.get("clients")
    assert resp.status_code == 403
    body = resp.json()
    assert body["status"] == 403 and "clients" in body["error"] and set(body) == {"status",
                                                                                   "error"}
    assert api.get("regions").status_code == 200
    assert api.control("GET", "faults")["forbidden"] == ["clients"]
    api.running.faults.clear("forbidden")
    assert api.get("clients").status_code == 200


def test_omit_field_withholds_an_on_demand_field_even_when_included(api):
    faults = api.running.faults
    faults.set("omit_field", resource="clients", field="name")
    faults.set("omit_field", resource="shifts", field="modifiedOn")
    rows = api.all("clients", {"include": "name,timeZone"})
    assert rows and all("name" not in r and r["timeZone"] for r in rows)
    shifts = api.ok("shifts", {"id:gt": 0, "include": "modifiedOn,updatedOn"})["data"]
    assert all("modifiedOn" not in r and r["updatedOn"] for r in shifts)
    assert api.control("GET", "faults")["omitted"] == {"clients": ["name"],
                                                       "shifts": ["modifiedOn"]}
    with pytest.raises(ValueError, match="on-demand"):
        faults.set("omit_field", resource="clients", field="company")  # not on demand
    faults.clear("omit_field")
    assert all(r["name"] for r in api.all("clients", {"include": "name"}))


# --------------------------------------------------------------------------- Exchange.faults

@pytest.fixture
def exchanges() -> Iterator[list[Exchange]]:
    seen: list[Exchange] = []
    OBSERVERS.append(seen.append)
    yield seen
    OBSERVERS.remove(seen.append)


def _last(seen: list[Exchange], path: str) -> Exchange:
    return [e for e in seen if e.path == "/rest/v1/" + path][-1]


def test_exchanges_name_the_faults_that_shaped_them(api, exchanges):
    faults = api.running.faults
    api.token()
    api.get("regions")
    assert _last(exchanges, "regions").faults == ()
    faults.set("rate_limit", count=1)
    api.get("regions")
    assert _last(exchanges, "regions").faults == ("rate_limit",)
    faults.set("error", status=503, count=1)
    api.get("regions")
    assert (_last(exchanges, "regions").status, _last(exchanges, "regions").faults) == \
        (503, ("error",))
    faults.set("forbidden", resource="regions")
    api.get("regions")
    assert _last(exchanges, "regions").faults == ("forbidden",)
    faults.clear()
    faults.set("slow", seconds=0.01)
    api.get("regions")
    assert _last(exchanges, "regions").faults == (), "a slow answer is a normal answer"

    faults.set("truncated", resource="employees", fraction=0.5)
    faults.set("omit_field", resource="employees", field="updatedOn")
    api.get("employees")
    assert _last(exchanges, "employees").faults == ("truncated",)
    api.get("employees", {"include": "updatedOn"})
    assert _last(exchanges, "employees").faults == ("omit_field", "truncated")
    faults.clear()

    chosen = faults.set("malformed", resource="shifts", count=1)["records"]
    (broken,) = map(int, chosen)
    api.get("shifts", {"id:gt": broken})
    assert _last(exchanges, "shifts").faults == (), "no broken record on that page"
    api.get("shifts", {"id:gt": broken - 1})
    assert _last(exchanges, "shifts").faults == ("malformed",)
