"""Coverage: a real answer of every resource the warehouse reads, asked from the default
simulator with exactly the requests the shell sends, keeps the OpenAPI contract.

Each test pages twice (``sort=id&limit=1000``, then the same plus ``id:gt=<last id>``), as the
shell does, and checks both requests and both answers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from contract.openapi import Contract
from tracktik_sim import RunningSimulator, Simulator, SimulatorConfig

PAGE = {"sort": "id", "limit": "1000"}
SHIFT_INCLUDES = "createdOn,updatedOn,modifiedOn,customId,clockedHours,approvedHours," \
    "billableHours,payableHours"
WINDOW = "2025-01-06T00:00:00-05:00|2025-02-05T23:59:59-05:00"
"""Under a month, inside the default simulator's eight weeks from 2025-01-06."""


@dataclass
class Live:
    running: RunningSimulator
    http: requests.Session
    token: str
    since: str
    """A moment just before the simulator's changes (``:after`` is exclusive)."""


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    running = Simulator(SimulatorConfig()).serve()
    try:
        cfg = running.config
        http = requests.Session()
        resp = http.post(running.url + "rest/oauth2/access_token", timeout=10, data={
            "grant_type": "password", "client_id": cfg.client_id,
            "client_secret": cfg.client_secret, "username": cfg.username, "password": cfg.password})
        assert resp.status_code == 200, resp.text
        since = (running.sim.clock - timedelta(seconds=1)).isoformat(timespec="seconds")
        running.sim.mutate(3)  # changed dimensions, edited and deleted shifts
        yield Live(running, http, resp.json()["access_token"], since)
    finally:
        running.stop()


def fetch(contract: Contract, live: Live, resource: str, params: dict[str, str]) -> list[dict[str, Any]]:
    """Both pages of a documented request, each checked against the contract; the records."""
    records: list[dict[str, Any]] = []
    page = dict(params)
    for _ in range(2):
        query = urlencode(page)
        resp = live.http.get(f"{live.running.url}rest/v1/{resource}?{query}", timeout=60,
                             headers={"Authorization": "Bearer " + live.token})
        body = resp.json()
        path = f"/rest/v1/{resource}"
        problems = contract.check_request("GET", path, query) + contract.check_response(
            "GET", path, query, resp.status_code, body)
        assert problems == [], f"GET {path}?{query} -> {resp.status_code}:\n" + "\n".join(problems)
        assert resp.status_code == 200, resp.text
        records += body["data"]
        if not body["data"]:
            break
        page = {**params, "id:gt": str(body["data"][-1]["id"])}
    return records


def ids(records: list[dict[str, Any]], key: str = "id") -> str:
    values = sorted({r[key] for r in records if isinstance(r.get(key), int)})
    assert values, f"no {key} in the records"
    return ",".join(str(v) for v in values[:100])


def regions(contract: Contract, live: Live) -> list[dict[str, Any]]:
    return fetch(contract, live, "regions", {
        "includeInactive": "true", "include": "createdOn,updatedOn,timeZone", **PAGE})


def clients(contract: Contract, live: Live) -> list[dict[str, Any]]:
    return fetch(contract, live, "clients", {
        "region:in": ids(regions(contract, live)), "includeInactive": "true",
        "include": "createdOn,updatedOn,name,timeZone,address", **PAGE})


def positions(contract: Contract, live: Live) -> list[dict[str, Any]]:
    return fetch(contract, live, "positions", {
        "account:in": ids(clients(contract, live)), "includeInactive": "true",
        "include": "createdOn,updatedOn,billingSetting,billingSetting.billSettings", **PAGE})


def shifts(contract: Contract, live: Live, **window: str) -> list[dict[str, Any]]:
    return fetch(contract, live, "shifts", {
        "position:in": ids(positions(contract, live)),
        **(window or {"startDateTime:between": WINDOW}),
        "includeInactive": "true", "include": SHIFT_INCLUDES, **PAGE})


def test_regions(contract: Contract, live: Live) -> None:
    assert regions(contract, live)


def test_clients(contract: Contract, live: Live) -> None:
    assert clients(contract, live)


def test_positions_with_their_bill_rate_history(contract: Contract, live: Live) -> None:
    found = positions(contract, live)
    assert any(isinstance(p.get("billingSetting"), dict) and p["billingSetting"].get("billSettings")
               for p in found), "no position arrived with billingSetting.billSettings"


def test_shifts_of_a_window(contract: Contract, live: Live) -> None:
    assert shifts(contract, live)


def test_shifts_changed_since(contract: Contract, live: Live) -> None:
    assert shifts(contract, live, **{"modifiedOn:after": live.since})


def test_employees_by_id(contract: Contract, live: Live) -> None:
    assert fetch(contract, live, "employees", {
        "id:in": ids(shifts(contract, live), "employee"), "includeInactive": "true",
        "include": "createdOn,updatedOn", **PAGE})


def test_employees_by_region(contract: Contract, live: Live) -> None:
    assert fetch(contract, live, "employees", {
        "region:in": ids(regions(contract, live)), "includeInactive": "true",
        "include": "createdOn,updatedOn", **PAGE})


def test_employees_changed_since(contract: Contract, live: Live) -> None:
    assert fetch(contract, live, "employees", {
        "region:in": ids(regions(contract, live)), "updatedOn:after": live.since,
        "includeInactive": "true", "include": "createdOn,updatedOn", **PAGE})


def test_shift_logs_of_removed_shifts(contract: Contract, live: Live) -> None:
    removed = [s["id"] for s in shifts(contract, live)[:3]]
    assert live.running.sim.delete_shifts(removed)["deleted"] == removed
    assert fetch(contract, live, "shift-logs", {
        "changeType": "REMOVED", "createdOn:after": live.since, **PAGE})
