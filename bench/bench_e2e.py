"""End-to-end benchmark of the shell: simulator → fetch → COPY staging → run_kaiser_batch.

For each size (default 100,000 and 1,000,000 shifts) it starts the bundled simulator in its
own process and, in a fresh migrated database, runs in child processes (so each figure is the
child's own peak RSS):

* ``download``: every page a full run fetches, without staging (the baseline);
* ``run``: the full run (fetch + stage + ``CALL tracktik.run_kaiser_batch``).

It prints wall time, shifts per second, the shell's peak RSS, and the ratio of
fetch-and-stage time to download time, each the median of ``--repeat`` runs.

    .venv/bin/python bench/bench_e2e.py                       # private cluster, both sizes
    .venv/bin/python bench/bench_e2e.py --sizes 100000 --repeat 3 --dsn postgresql://...

Targets: peak RSS under 200 MB and no more than 10 % higher at 1,000,000 than at 100,000;
fetch-and-stage within 1.5x of download-only.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

SHIFTS_PER_EMPLOYEE_YEAR = 890_448 / 4947  # Kaiser shifts per simulated guard at weeks=52 (measured)
WEEKS = 52
START = date(2025, 1, 6)


def child(args: argparse.Namespace) -> None:
    """Run one measured job in this process and print its figures as JSON."""
    from tracktik_etl.config import Config
    from tracktik_etl.pipeline import fetch_only, run_once

    config = Config.load(
        {"dsn": args.dsn, "portal_url": args.url, "client_id": "sim-client", "username": "sim-user"},
        environ={"TRACKTIK_CLIENT_SECRET": "sim-secret", "TRACKTIK_PASSWORD": "sim-pass"})
    end = START + timedelta(weeks=WEEKS) - timedelta(days=1)
    began = time.monotonic()
    if args.child == "download":
        counts = fetch_only(config, start=START, end=end)
        out = {"seconds": time.monotonic() - began, "fetch_seconds": time.monotonic() - began,
               "shifts": counts["shifts"], "status": "downloaded"}
    else:
        summary = run_once(config, mode="full", start=START, end=end)
        out = {"seconds": summary.seconds, "fetch_seconds": summary.fetch_seconds,
               "shifts": summary.staged["shifts"], "status": summary.database.get("status")}
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def measure(kind: str, url: str, dsn: str) -> dict[str, float]:
    proc = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--child", kind, "--url", url, "--dsn", dsn],
        capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def start_simulator(employees: int) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tracktik_sim", "--port", "0", "--employees", str(employees),
         "--weeks", str(WEEKS), "--start-date", START.isoformat(), "--expires-in", "86400"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if "listening on" in line:
            return proc, line.rsplit(" ", 1)[-1].strip()
    raise RuntimeError("simulator did not start: " + (proc.stderr.read() if proc.stderr else ""))


def fresh_database(admin_dsn: str, name: str) -> str:
    from tracktik_etl.migrate import migrate

    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    params = conninfo_to_dict(admin_dsn)
    params["dbname"] = name
    dsn = make_conninfo(**params)  # type: ignore[arg-type]
    migrate(dsn)
    return dsn


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000", help="shift counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median reported)")
    parser.add_argument("--dsn", help="admin DSN of an existing server (default: a private cluster)")
    parser.add_argument("--child", choices=["download", "run"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0

    cluster = None
    base = None
    admin_dsn = args.dsn
    if not admin_dsn:
        from tracktik_etl.cluster import PrivateCluster

        base = Path(tempfile.mkdtemp(prefix="tracktik-bench-"))
        os.chmod(base, 0o755)
        cluster = PrivateCluster(base / "data", durable=False)
        admin_dsn = cluster.start()
    results = []
    try:
        for size in [int(s) for s in args.sizes.split(",")]:
            employees = max(1, round(size / SHIFTS_PER_EMPLOYEE_YEAR))
            sim, url = start_simulator(employees)
            try:
                downloads, runs = [], []
                for _ in range(args.repeat):
                    downloads.append(measure("download", url, ""))
                    dsn = fresh_database(admin_dsn, "tracktik_bench")
                    runs.append(measure("run", url, dsn))
            finally:
                sim.terminate()
                sim.wait(30)
            shifts = runs[0]["shifts"]
            med = statistics.median
            row = {
                "size": size, "employees": employees, "shifts": shifts,
                "wall_s": med(r["seconds"] for r in runs),
                "shifts_per_s": med(r["shifts"] / r["seconds"] for r in runs),
                "fetch_stage_s": med(r["fetch_seconds"] for r in runs),
                "download_s": med(d["seconds"] for d in downloads),
                "peak_rss_mb": med(r["peak_rss_mb"] for r in runs),
                "download_rss_mb": med(d["peak_rss_mb"] for d in downloads),
                "status": runs[-1]["status"],
            }
            row["fetch_stage_vs_download"] = row["fetch_stage_s"] / row["download_s"]
            results.append(row)
            print(f"{shifts:>9} shifts ({employees} guards): wall {row['wall_s']:.1f} s, "
                  f"{row['shifts_per_s']:.0f} shifts/s, peak RSS {row['peak_rss_mb']:.0f} MB "
                  f"(download-only {row['download_rss_mb']:.0f} MB); fetch+stage "
                  f"{row['fetch_stage_s']:.1f} s vs download {row['download_s']:.1f} s "
                  f"= {row['fetch_stage_vs_download']:.2f}x; batch {row['status']}", flush=True)
        if len(results) >= 2:
            growth = results[-1]["peak_rss_mb"] / results[0]["peak_rss_mb"] - 1
            print(f"peak RSS growth from {results[0]['shifts']} to {results[-1]['shifts']} shifts: "
                  f"{growth * 100:+.1f} %")
    finally:
        if cluster is not None:
            cluster.stop()
            shutil.rmtree(base, ignore_errors=True)  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
