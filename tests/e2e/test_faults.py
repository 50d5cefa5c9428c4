"""Injected API faults are survived with nothing lost or duplicated; a killed shell leaves the
warehouse untouched and the next run recovers; two runs never overlap."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import psycopg
import pytest

from tracktik_etl.errors import BatchBusy
from tracktik_etl.pipeline import run_once

from .conftest import SIM, SIM_END, SIM_START, scalar


@pytest.mark.parametrize("fault", [
    {"kind": "rate_limit", "count": 3, "retry_after": 0},
    {"kind": "error", "status": 500, "count": 2},
    {"kind": "error", "status": 503, "count": 2},
    {"kind": "expire_tokens"},
])
def test_fault_is_survived_with_nothing_lost_or_duplicated(config, api, db_dsn, fault):
    kind = fault.pop("kind")
    api.faults.set(kind, **fault)
    summary = run_once(config, mode="full", start=SIM_START, end=SIM_END)
    assert summary.database["status"] == "completed"
    truth = api.truth(SIM_START, SIM_END)
    assert scalar(db_dsn, "SELECT count(*) FROM tracktik.fact_shifts") == truth["shifts"]["count"]
    assert summary.staged["shifts"] == truth["shifts"]["count"]


def _env(db_dsn: str, url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": db_dsn, "TRACKTIK_URL": url,
            "TRACKTIK_CLIENT_ID": SIM.client_id, "TRACKTIK_USERNAME": SIM.username,
            "TRACKTIK_CLIENT_SECRET": SIM.client_secret, "TRACKTIK_PASSWORD": SIM.password}


def test_killed_shell_leaves_warehouse_untouched_and_next_run_recovers(config, api, db_dsn):
    api.faults.set("slow", seconds=0.5, count=1000)
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tracktik_etl.cli", "backfill",
         "--start", SIM_START.isoformat(), "--end", SIM_END.isoformat()],
        env=_env(db_dsn, api.url), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while scalar(db_dsn, "SELECT count(*) FROM tracktik.etl_batches WHERE status = 'running'") == 0:
        assert time.monotonic() < deadline, "the shell never started a batch"
        time.sleep(0.2)
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    api.faults.clear()
    assert scalar(db_dsn, "SELECT count(*) FROM tracktik.fact_shifts") == 0
    assert scalar(db_dsn, "SELECT count(*) FROM tracktik.dim_regions") == 0
    summary = run_once(config, mode="full", start=SIM_START, end=SIM_END)
    assert summary.database["status"] == "completed"
    assert scalar(db_dsn, "SELECT count(*) FROM tracktik.etl_batches WHERE status = 'abandoned'") == 1
    assert scalar(db_dsn, "SELECT count(*) FROM tracktik.fact_shifts") \
        == api.truth(SIM_START, SIM_END)["shifts"]["count"]


def test_wrong_password_opens_no_batch(api, db_dsn):
    env = {**_env(db_dsn, api.url), "TRACKTIK_PASSWORD": "not-the-password"}
    proc = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "tracktik_etl.cli", "run"], env=env,
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "not-the-password" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert scalar(db_dsn, "SELECT count(*) FROM tracktik.etl_batches") == 0


def test_batch_left_staged_is_loaded_by_the_next_run_first(config, api, db_dsn):
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        orphan = conn.execute("SELECT tracktik.start_batch('incremental', '{}')").fetchone()[0]
        conn.execute("SELECT tracktik.mark_batch_staged(%s, '{}')", (orphan,))
    summary = run_once(config, mode="full", start=SIM_START, end=SIM_END)
    assert summary.database["status"] == "completed"
    assert scalar(db_dsn, "SELECT status FROM tracktik.etl_batches WHERE batch_id = %s", (orphan,)) \
        == "completed"


def test_two_runs_started_together_never_overlap(config, api, db_dsn):
    api.faults.set("slow", seconds=0.2, count=20)
    results: list[object] = []

    def go() -> None:
        try:
            results.append(run_once(config, mode="full", start=SIM_START, end=SIM_END))
        except BatchBusy as exc:
            results.append(exc)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    busy = [r for r in results if isinstance(r, BatchBusy)]
    done = [r for r in results if not isinstance(r, BatchBusy)]
    assert len(busy) == 1 and len(done) == 1, results
    assert scalar(db_dsn, "SELECT count(*) FROM tracktik.etl_batches") == 1


def test_serve_stops_cleanly_on_sigterm(api, db_dsn):
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tracktik_etl.cli", "-v", "serve", "--interval-minutes", "60",
         "--full-sync-days", "5000"],
        env=_env(db_dsn, api.url), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while scalar(db_dsn, "SELECT count(*) FROM tracktik.etl_batches WHERE status = 'completed'") == 0:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline, "serve never completed its first run"
        time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert '"msg": "service stopped"' in err
