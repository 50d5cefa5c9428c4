"""End-to-end fixtures: the bundled simulator on loopback and a migrated database per test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import psycopg
import pytest

from tracktik_etl.config import Config
from tracktik_sim import RunningSimulator, Simulator, SimulatorConfig

SIM = SimulatorConfig(seed=11, employees=40, weeks=4)
SIM_START: date = SIM.start_date
SIM_END: date = SIM.start_date + timedelta(weeks=SIM.weeks) - timedelta(days=1)


@pytest.fixture
def api() -> Iterator[RunningSimulator]:
    """A fresh simulator per test (mutations and faults must not leak between tests)."""
    with Simulator(SIM).serve() as running:
        yield running


def make_config(dsn: str, url: str, **overrides: object) -> Config:
    return Config.load(
        {"dsn": dsn, "portal_url": url, "client_id": SIM.client_id, "username": SIM.username,
         **overrides},
        environ={"TRACKTIK_CLIENT_SECRET": SIM.client_secret, "TRACKTIK_PASSWORD": SIM.password},
    )


@pytest.fixture
def config(db_dsn: str, api: RunningSimulator) -> Config:
    return make_config(db_dsn, api.url)


def scalar(dsn: str, sql: str, params: tuple[object, ...] = ()) -> object:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(sql, params).fetchone()  # type: ignore[arg-type]
        return None if row is None else row[0]
