"""``tracktik-etl doctor``: a read-only probe of a portal, run against the simulator."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tracktik_etl.cli import main
from tracktik_etl.config import Config
from tracktik_etl.doctor import run_doctor
from tracktik_sim import RunningSimulator

from .conftest import SIM, SIM_START

SHIFT_DATE = SIM_START + timedelta(days=10)
ENV = {"TRACKTIK_CLIENT_SECRET": SIM.client_secret, "TRACKTIK_PASSWORD": SIM.password}


def _config(url: str, **overrides: object) -> Config:
    return Config.load({"portal_url": url, "client_id": SIM.client_id, "username": SIM.username,
                        **overrides}, environ=dict(ENV))


def _fail_lines(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("FAIL")]


def test_doctor_passes_on_a_conformant_portal_and_only_reads(api: RunningSimulator) -> None:
    ok, lines = run_doctor(_config(api.url), shift_date=SHIFT_DATE)
    assert ok, "\n".join(lines)
    assert _fail_lines(lines) == []
    assert lines[-1].startswith("doctor: ") and "a run would work" in lines[-1]
    # read-only: nothing but GETs of data, and the one login
    assert api.stats.count("/rest/v1/", method="GET") == api.stats.count("/rest/v1/")
    assert api.stats.count(method="POST") == api.stats.count("/rest/oauth2/access_token") == 1
    # every request form a run uses was probed: the two shift filters, three employee forms
    assert api.stats.count("/rest/v1/shifts") == 2
    assert api.stats.count("/rest/v1/employees") == 3
    for resource in ("regions", "clients", "positions"):
        assert api.stats.count(f"/rest/v1/{resource}") >= 1, resource
    # a shift probe found shifts, so their fields were really inspected
    shift_lines = [line for line in lines if " shifts " in line and "startDateTime:between" in line]
    assert shift_lines and "answered" in shift_lines[0] and " 0 matching" not in shift_lines[0]


def test_doctor_names_a_resource_the_user_may_not_read(api: RunningSimulator) -> None:
    api.faults.set("forbidden", resource="positions")
    ok, lines = run_doctor(_config(api.url), shift_date=SHIFT_DATE)
    assert not ok
    fails = _fail_lines(lines)
    assert any(" positions " in line and "403" in line for line in fails), lines
    assert "a run would NOT work" in lines[-1]


def test_doctor_names_an_on_demand_field_the_portal_omits(api: RunningSimulator) -> None:
    api.faults.set("omit_field", resource="clients", field="name")
    ok, lines = run_doctor(_config(api.url), shift_date=SHIFT_DATE)
    assert not ok
    problems = [line for line in lines if "problem:" in line]
    assert any("'name' is missing on every record" in p and "include=name" in p for p in problems), lines


def test_doctor_reports_a_refused_login_in_one_line(api: RunningSimulator) -> None:
    config = Config.load({"portal_url": api.url, "client_id": SIM.client_id,
                          "username": SIM.username},
                         environ={"TRACKTIK_CLIENT_SECRET": SIM.client_secret,
                                  "TRACKTIK_PASSWORD": "not-the-password"})
    ok, lines = run_doctor(config, shift_date=SHIFT_DATE)
    assert not ok
    assert lines[0].startswith("FAIL regions") and "refused" in lines[0]
    assert "not-the-password" not in "\n".join(lines)


@pytest.mark.parametrize(("fault", "code"), [(None, 0), ("forbidden", 1)])
def test_doctor_command_exit_status(api: RunningSimulator, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str], fault: str | None,
                                    code: int) -> None:
    if fault:
        api.faults.set(fault, resource="clients")
    for name, value in {**ENV, "TRACKTIK_URL": api.url, "TRACKTIK_CLIENT_ID": SIM.client_id,
                        "TRACKTIK_USERNAME": SIM.username}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["doctor", "--shift-date", SHIFT_DATE.isoformat()]) == code
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1].startswith("doctor: ")
