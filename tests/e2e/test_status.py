"""tracktik-etl status: when the last successful run was, whether a batch failed since, and which
billing periods the shift data does not cover yet."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import psycopg

from tracktik_etl.pipeline import run_once
from tracktik_etl.status import collect_status, render_status

from .conftest import SIM_END, SIM_START


def _status_cli(dsn: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "tracktik_etl.cli", "status", "--dsn", dsn, *extra],
        capture_output=True, text=True, timeout=60)


def test_status_before_any_run_says_so(db_dsn):
    status = collect_status(db_dsn)
    assert status["last_successful_run"] is None
    assert status["batches"] == []
    assert status["shift_data_through"] is None and status["incomplete_periods"] == []
    text = render_status(status)
    assert "last successful run: -" in text and "shift data up to: -" in text


def test_status_shows_last_success_and_failures_since(config, db_dsn):
    run_once(config, mode="full", start=SIM_START, end=SIM_END)
    ok = _status_cli(db_dsn, "--json")
    assert ok.returncode == 0, ok.stderr
    data = json.loads(ok.stdout)
    assert data["last_successful_run"] is not None
    assert data["failed_since_last_success"] == 0
    assert {s["resource"] for s in data["sync"]} >= {"shifts", "employees"}

    # a batch that fails after the last success: staged, then its processing breaks
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        batch = conn.execute("SELECT tracktik.start_batch('incremental', '{}')").fetchone()[0]
        conn.execute("SELECT tracktik.mark_batch_staged(%s, '{}')", (batch,))
        conn.execute("UPDATE tracktik.settings SET default_time_zone = 'Mars/Olympus_Mons'")
        try:
            conn.execute("CALL tracktik.run_kaiser_batch(%s)", (batch,))
        except psycopg.Error:
            pass
    failed = _status_cli(db_dsn)
    assert failed.returncode == 1
    assert "failed or abandoned batches since then: 1" in failed.stdout
    assert "failed" in failed.stdout

    # a DBA's reprocess completes a batch too, but it is no ETL run: the failure stays flagged
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        conn.execute("UPDATE tracktik.settings SET default_time_zone = 'America/Los_Angeles'")
        period = conn.execute("SELECT min(billing_period_id) FROM tracktik.fact_shifts").fetchone()[0]
        conn.execute("CALL tracktik.reprocess_billing_period(%s)", (period,))
    after = _status_cli(db_dsn)
    assert after.returncode == 1
    assert "failed or abandoned batches since then: 1" in after.stdout


def test_status_marks_the_periods_the_shift_data_does_not_cover(config, db_dsn):
    run_once(config, mode="full", start=SIM_START, end=SIM_END)
    with psycopg.connect(db_dsn) as conn:  # the watermark's local date, from the tables
        through = conn.execute(
            """SELECT (s.last_sync_timestamp AT TIME ZONE t.default_time_zone)::date
                 FROM tracktik.etl_sync_status AS s CROSS JOIN tracktik.settings AS t
                WHERE s.table_name = 'shifts'""").fetchone()[0]
        periods = conn.execute(
            """SELECT period_id, start_date, end_date FROM tracktik.billing_periods
                WHERE end_date >= %s AND start_date <= current_date ORDER BY start_date""",
            (through,)).fetchall()
    assert through <= SIM_END + timedelta(days=3)
    assert periods and periods[0][1] <= through, "the simulated data ends inside a period"

    data = json.loads(_status_cli(db_dsn, "--json").stdout)
    assert data["shift_data_through"] == through.isoformat()
    assert [p["period_id"] for p in data["incomplete_periods"]] == [pid for pid, *_ in periods]
    assert all(p["data_through"] == through.isoformat() for p in data["incomplete_periods"])
    text = _status_cli(db_dsn).stdout
    assert f"shift data up to: {through.isoformat()}" in text
    pid, start, end = periods[0]
    assert f"  {pid}  {start} – {end}  data up to {through}; this period is not complete" in text

    # once the data passes the last day of every stored period (local midnight after it), none is left
    with psycopg.connect(db_dsn) as conn:
        conn.execute(
            """UPDATE tracktik.etl_sync_status
                  SET last_sync_timestamp = ((SELECT max(end_date) + 1 FROM tracktik.billing_periods)
                                             ::timestamp AT TIME ZONE
                                             (SELECT default_time_zone FROM tracktik.settings))
                WHERE table_name = 'shifts'""")
    data = json.loads(_status_cli(db_dsn, "--json").stdout)
    assert data["incomplete_periods"] == []
    assert "incomplete billing periods (shift data ends before the period does):\n  none" in (
        _status_cli(db_dsn).stdout)
