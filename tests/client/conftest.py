"""Fixtures for the client's tests: a fresh simulator on loopback and clients pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tracktik_etl.client import TrackTikClient
from tracktik_sim import RunningSimulator, Simulator, SimulatorConfig

CONFIG = SimulatorConfig(seed=5, employees=80, weeks=6, client_secret="cl1ent-s3cret-QX",
                         password="pa55-w0rd-ZK")
"""Recognisable secrets, so tests can search logs and errors for them."""


@pytest.fixture
def sim_api() -> Iterator[RunningSimulator]:
    with Simulator(CONFIG).serve() as running:
        yield running


@pytest.fixture
def make_client(sim_api: RunningSimulator) -> Iterator[Callable[..., TrackTikClient]]:
    made: list[TrackTikClient] = []

    def make(**overrides: Any) -> TrackTikClient:
        cfg = sim_api.sim.config
        options: dict[str, Any] = {
            "timeout": 5.0, "max_retries": 6, "max_retry_seconds": 20.0,
            "backoff_base": 0.01, "backoff_cap": 0.05,
        }
        creds = {"client_id": cfg.client_id, "client_secret": cfg.client_secret,
                 "username": cfg.username, "password": cfg.password}
        for key in list(creds):
            if key in overrides:
                creds[key] = overrides.pop(key)
        options.update(overrides)
        client = TrackTikClient(sim_api.url, **creds, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., TrackTikClient]) -> TrackTikClient:
    return make_client()
