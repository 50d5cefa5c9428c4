"""tracktik-etl status: when the last successful run was, and whether a batch failed since."""

from __future__ import annotations

import json
import subprocess
import sys

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
    assert "last successful run: -" in render_status(status)


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
