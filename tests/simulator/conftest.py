"""Fixtures for the simulator's tests: a fresh simulator on loopback per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from tracktik_sim import RunningSimulator, Simulator, SimulatorConfig

SMALL = SimulatorConfig(seed=7, employees=150, weeks=12)
"""Twelve weeks from 2025-01-06: spans the spring DST change (2025-03-09)."""


class Api:
    """A thin raw-HTTP helper around one running simulator (no client code involved)."""

    def __init__(self, running: RunningSimulator) -> None:
        self.running = running
        self.sim = running.sim
        self.url = running.url
        self.http = requests.Session()
        self._token: str | None = None

    def grant(self, **form: str) -> requests.Response:
        return self.http.post(self.url + "rest/oauth2/access_token", data=form, timeout=10)

    def login(self) -> dict[str, Any]:
        cfg = self.sim.config
        resp = self.grant(grant_type="password", client_id=cfg.client_id,
                          client_secret=cfg.client_secret, username=cfg.username,
                          password=cfg.password)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def token(self) -> str:
        if self._token is None:
            self._token = self.login()["access_token"]
        return self._token

    def get(self, resource: str, params: dict[str, Any] | None = None,
            token: str | None = None) -> requests.Response:
        headers = {"Authorization": "Bearer " + (token or self.token())}
        return self.http.get(self.url + "rest/v1/" + resource, params=params or {},
                             headers=headers, timeout=30)

    def ok(self, resource: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        resp = self.get(resource, params)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def error(self, resource: str, params: dict[str, Any] | None, status: int) -> str:
        resp = self.get(resource, params)
        assert resp.status_code == status, resp.text
        body = resp.json()
        assert body["status"] == status
        return body["error"]

    def all(self, resource: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        offset = 0
        while True:
            body = self.ok(resource, {**(params or {}), "limit": 1000, "offset": offset})
            out.extend(body["data"])
            offset += len(body["data"])
            if len(body["data"]) < 1000:
                return out

    def control(self, method: str, path: str, json: Any = None) -> Any:
        resp = self.http.request(method, self.url + "_sim/" + path, json=json, timeout=10)
        assert resp.status_code == 200, resp.text
        return resp.json()


@pytest.fixture
def make_api() -> Iterator[Callable[..., Api]]:
    started: list[RunningSimulator] = []

    def make(config: SimulatorConfig = SMALL) -> Api:
        running = Simulator(config).serve()
        started.append(running)
        return Api(running)

    yield make
    for running in started:
        running.stop()


@pytest.fixture
def api(make_api: Callable[..., Api]) -> Api:
    return make_api()
