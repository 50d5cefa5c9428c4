"""Peer benchmark of the SCD2 merge: the warehouse against a dbt snapshot (and dlt's scd2 merge).

The same four full-sync rounds of ``--employees`` employees (default 100,000), on the same
PostgreSQL server, in the same run:

1. ``initial``    every employee is new;
2. ``50% changed`` every even id has a new ``jobTitle`` and a later ``updatedOn``;
3. ``10% deleted`` the ids ending in 5 are absent from the extract (closed / invalidated);
4. ``unchanged``  the same extract again.

Through:

* **warehouse**: ``tracktik.start_batch`` -> the employees records staged as the API returns
  them (JSON, relations as ids, ``updatedOn`` with its offset) -> ``mark_batch_staged(batch,
  '{employees}')`` -> ``CALL tracktik.run_kaiser_batch(batch)``; the CALL is timed as a whole.
* **dbt**: a dbt-core + dbt-postgres 1.9 snapshot (``strategy: timestamp`` on ``updated_on``,
  ``hard_deletes: invalidate``, ``unique_key: id``) over a typed source table holding the same
  rows, in its own database. Timed by dbt's own figure (``execution_time`` of the snapshot node
  in ``target/run_results.json``) and by the wall time of the whole ``dbt snapshot`` command
  (process start, parse, connection included). Ratios use dbt's own figure.
* **dlt** (when ``dlt[postgres]`` installs): ``pipeline.run`` of the same rows with
  ``write_disposition={"disposition": "merge", "strategy": "scd2"}``, ``primary_key="id"``
  (records absent from the extract are retired), into its own database; the source rows are
  read before the clock starts. Timed: ``pipeline.run`` as a whole.

dbt and dlt are installed by this script with ``python -m venv`` + pip into
``.bench-venvs/dbt`` and ``.bench-venvs/dlt`` (git-ignored); an existing venv is reused. Staging
and source loading are not timed. Each run starts from empty databases (the warehouse's cloned
from a migrated template); ``--runs`` runs (default 3), medians per round and of the totals.
After every round the three agree on the number of versions and of current versions.

Usage::

    .venv/bin/python bench/bench_peer_scd2.py [--dsn DSN] [--runs N] [--employees N] [--no-dlt]

Without ``--dsn`` a private throw-away cluster is started in a temporary directory
(``tracktik_etl.cluster.PrivateCluster(durable=False)``) and removed afterwards. With a DSN (a
superuser of a scratch server, reachable over TCP by dbt and dlt too), the databases
``peer_*`` are (re)created on it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "shell"))

from tracktik_etl.cluster import PrivateCluster  # noqa: E402
from tracktik_etl.migrate import migrate  # noqa: E402

VENVS = ROOT / ".bench-venvs"
DBT_REQUIREMENTS = ["dbt-core~=1.9.0", "dbt-postgres~=1.9.0"]
DLT_REQUIREMENTS = ["dlt[postgres]"]
TEMPLATE_DB = "peer_template"
WAREHOUSE_DB = "peer_warehouse"
DBT_DB = "peer_dbt"
DLT_DB = "peer_dlt"
ROUNDS = ["initial", "50% changed", "10% deleted", "unchanged"]

# The extract of round r (1..4), typed. Even ids change in round 2; ids ending in 5 are
# deleted from round 3 on. updatedOn is in the past, so no stamp is a future one.
ROUND_ROWS = """
SELECT i::bigint AS id, 'E' || i AS custom_id, 'First' || i AS first_name, 'Last' || i AS last_name,
       'guard' || i || '@example.com' AS email, '+1-555-' || lpad(i::text, 7, '0') AS phone,
       'ACTIVE' AS status, (1 + mod(i, 10))::bigint AS region_id,
       'Guard grade ' || mod(i, 5)
           || CASE WHEN %(round)s >= 2 AND mod(i, 2) = 0 THEN ' (promoted)' ELSE '' END AS job_title,
       timestamptz '2023-06-01 08:00+00' AS created_on,
       CASE WHEN %(round)s >= 2 AND mod(i, 2) = 0 THEN timestamptz '2025-03-01 12:00+00'
            ELSE timestamptz '2025-01-01 00:00+00' END + mod(i, 1000) * interval '1 minute' AS updated_on
  FROM generate_series(1, %(n)s) AS i
 WHERE %(round)s < 3 OR mod(i, 10) <> 5
 ORDER BY i
"""

# ... as the API returns it: JSON, the region as an id, ISO 8601 date-times with an offset
STAGE_WAREHOUSE = """
INSERT INTO staging.api_records (batch_id, resource, record)
SELECT %(batch)s, 'employees',
       jsonb_build_object('id', r.id, 'customId', r.custom_id, 'firstName', r.first_name,
                          'lastName', r.last_name, 'email', r.email, 'primaryPhone', r.phone,
                          'status', r.status, 'region', r.region_id, 'jobTitle', r.job_title,
                          'createdOn', to_char(r.created_on AT TIME ZONE 'UTC', {iso}),
                          'updatedOn', to_char(r.updated_on AT TIME ZONE 'UTC', {iso}))
  FROM ({rows}) AS r
""".replace("{iso}", """'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'""")

SOURCE_TABLE = """
CREATE SCHEMA src;
CREATE TABLE src.employees (
    id bigint PRIMARY KEY, custom_id text, first_name text, last_name text, email text, phone text,
    status text, region_id bigint, job_title text, created_on timestamptz, updated_on timestamptz)
"""

DBT_PROJECT = """\
name: peer_scd2
version: "1.0"
config-version: 2
profile: peer_scd2
snapshot-paths: ["snapshots"]
model-paths: ["models"]
"""

DBT_SOURCES = """\
version: 2
sources:
  - name: src
    schema: src
    tables:
      - name: employees
"""

DBT_SNAPSHOT = """\
snapshots:
  - name: employees_snapshot
    relation: source('src', 'employees')
    config:
      unique_key: id
      strategy: timestamp
      updated_at: updated_on
      hard_deletes: invalidate
"""

DBT_PROFILE = """\
peer_scd2:
  target: bench
  outputs:
    bench:
      type: postgres
      host: "{host}"
      port: {port}
      user: "{user}"
      password: "{password}"
      dbname: "{dbname}"
      schema: snapshots
      threads: 1
"""

# Run inside the dlt venv: one round (argv[1] = JSON of the settings), prints JSON timings.
DLT_CHILD = r"""
import json, sys, time
import psycopg2
import dlt
cfg = json.loads(sys.argv[1])
with psycopg2.connect(cfg["source_dsn"]) as conn, conn.cursor() as cur:
    cur.execute("SELECT id, custom_id, first_name, last_name, email, phone, status, region_id, job_title, "
                "created_on, updated_on FROM src.employees ORDER BY id")
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r)) for r in cur.fetchall()]
pipeline = dlt.pipeline(pipeline_name="peer_scd2", pipelines_dir=cfg["pipelines_dir"],
                        destination=dlt.destinations.postgres(credentials=cfg["destination"]),
                        dataset_name="dlt_scd2")
began = time.perf_counter()
pipeline.run(rows, table_name="employees", primary_key="id",
             write_disposition={"disposition": "merge", "strategy": "scd2"})
elapsed = time.perf_counter() - began
steps = {s.step: (s.finished_at - s.started_at).total_seconds() for s in pipeline.last_trace.steps
         if s.finished_at is not None}
print(json.dumps({"run": elapsed, "steps": steps}))
"""


# -- environment ---------------------------------------------------------------------------------
def ensure_venv(name: str, requirements: list[str], probe: str) -> Path | None:
    """The venv .bench-venvs/<name> with ``requirements`` installed; None when pip fails."""
    venv = VENVS / name
    python = venv / "bin" / "python"
    if python.exists() and subprocess.run([str(python), "-c", probe], capture_output=True).returncode == 0:
        return venv
    print(f"installing {' '.join(requirements)} into {venv} ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run([str(python), "-m", "pip", "install", "-q", *requirements],
                         capture_output=True, text=True)
    if pip.returncode != 0:
        print(f"  pip failed ({pip.returncode}):\n{pip.stderr[-2000:]}", flush=True)
        return None
    return venv


@contextmanager
def server(dsn: str | None) -> Iterator[str]:
    """Yield a superuser DSN: the given one, or a private throw-away cluster's."""
    if dsn:
        yield dsn
        return
    base = Path(tempfile.mkdtemp(prefix="tracktik-peer-pg-"))
    os.chmod(base, 0o755)  # the server may run as another user (postgres) than us
    cluster = PrivateCluster(base / "data", durable=False)
    try:
        yield cluster.start()
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


def dsn_for(admin_dsn: str, dbname: str) -> str:
    params = {k: v for k, v in conninfo_to_dict(admin_dsn).items() if v is not None}
    params["dbname"] = dbname
    return make_conninfo(**params)  # type: ignore[arg-type]


def url_for(admin_dsn: str, dbname: str) -> str:
    """A URL of ``dbname`` for dlt, which insists on a password (any one passes trust auth)."""
    p = conninfo_to_dict(admin_dsn)
    password = f":{p.get('password') or 'trust'}"
    return f"postgresql://{p.get('user') or 'postgres'}{password}@{p.get('host') or '127.0.0.1'}:" \
           f"{p.get('port') or 5432}/{dbname}"


def recreate(admin_dsn: str, dbname: str, template: str | None = None) -> None:
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{dbname}"' + (f' TEMPLATE "{template}"' if template else ""))


# -- the three contenders --------------------------------------------------------------------------
def warehouse_round(conn: psycopg.Connection, rnd: int, n: int) -> float:
    batch = conn.execute("SELECT tracktik.start_batch('full', '{}')").fetchone()[0]  # type: ignore[index]
    conn.execute(STAGE_WAREHOUSE.replace("{rows}", ROUND_ROWS),  # type: ignore[arg-type]  # fixed bench SQL
                 {"batch": batch, "round": rnd, "n": n})
    conn.execute("SELECT tracktik.mark_batch_staged(%s, '{employees}')", (batch,))
    began = time.perf_counter()
    conn.execute("CALL tracktik.run_kaiser_batch(%s)", (batch,))
    elapsed = time.perf_counter() - began
    status, merge = conn.execute("SELECT status, metadata -> 'merge' -> 'employees' "
                                 "FROM tracktik.etl_batches WHERE batch_id = %s",
                                 (batch,)).fetchone()  # type: ignore[misc]
    if status != "completed":
        raise SystemExit(f"warehouse round {rnd}: batch {batch} ended {status}")
    if rnd == 3 and merge["closed"] != n // 10:
        raise SystemExit(f"warehouse round 3 closed {merge['closed']}, expected {n // 10}: {merge}")
    return elapsed


def dbt_round(venv: Path, project: Path, env: dict[str, str]) -> tuple[float, float]:
    began = time.perf_counter()
    proc = subprocess.run([str(venv / "bin" / "dbt"), "snapshot", "--project-dir", str(project),
                           "--profiles-dir", str(project), "--no-use-colors"],
                          capture_output=True, text=True, env=env, cwd=project)
    wall = time.perf_counter() - began
    if proc.returncode != 0:
        raise SystemExit(f"dbt snapshot failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}")
    results = json.loads((project / "target" / "run_results.json").read_text())
    node = next(r for r in results["results"] if r["unique_id"].startswith("snapshot."))
    if node["status"] != "success":
        raise SystemExit(f"dbt snapshot node: {node['status']} {node.get('message')}")
    return float(node["execution_time"]), wall


def dlt_round(venv: Path, cfg: dict[str, str], env: dict[str, str]) -> float:
    proc = subprocess.run([str(venv / "bin" / "python"), "-c", DLT_CHILD, json.dumps(cfg)],
                          capture_output=True, text=True, env=env, cwd=cfg["pipelines_dir"])
    if proc.returncode != 0:
        raise SystemExit(f"dlt round failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return float(json.loads(proc.stdout.strip().splitlines()[-1])["run"])


def versions(conn: psycopg.Connection, sql: str) -> tuple[int, int]:
    row = conn.execute(sql).fetchone()  # type: ignore[arg-type]  # fixed bench SQL
    assert row is not None
    return int(row[0]), int(row[1])


def expected_versions(rnd: int, n: int) -> tuple[int, int]:
    changed = n // 2
    deleted = (n + 5) // 10
    return [(n, n), (n + changed, n), (n + changed, n - deleted), (n + changed, n - deleted)][rnd - 1]


def one_run(admin_dsn: str, run: int, args: argparse.Namespace, dbt: Path, dlt: Path | None,
            project: Path) -> dict[str, list[float]]:
    n = args.employees
    recreate(admin_dsn, WAREHOUSE_DB, TEMPLATE_DB)
    recreate(admin_dsn, DBT_DB)
    if dlt:
        recreate(admin_dsn, DLT_DB)
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1",
           "RUNTIME__DLTHUB_TELEMETRY": "false", "DBT_PARTIAL_PARSE": "true"}
    pipelines_dir = Path(tempfile.mkdtemp(prefix="peer-dlt-"))
    dlt_cfg = {"source_dsn": url_for(admin_dsn, DBT_DB), "destination": url_for(admin_dsn, DLT_DB),
               "pipelines_dir": str(pipelines_dir)}
    out: dict[str, list[float]] = {"warehouse": [], "dbt": [], "dbt_command": [], "dlt": []}
    try:
        with psycopg.connect(dsn_for(admin_dsn, WAREHOUSE_DB), autocommit=True) as wh, \
             psycopg.connect(dsn_for(admin_dsn, DBT_DB), autocommit=True) as src:
            src.execute(SOURCE_TABLE)
            for rnd in range(1, 5):
                # stage / load the source (untimed)
                src.execute("TRUNCATE src.employees")
                src.execute(f"INSERT INTO src.employees {ROUND_ROWS}",  # type: ignore[arg-type]
                            {"round": rnd, "n": n})
                # alternate who goes first, so that drift affects all alike
                order = ["warehouse", "dbt", "dlt"] if (run + rnd) % 2 else ["dbt", "dlt", "warehouse"]
                for who in order:
                    if who == "warehouse":
                        out["warehouse"].append(warehouse_round(wh, rnd, n))
                    elif who == "dbt":
                        node, wall = dbt_round(dbt, project, env)
                        out["dbt"].append(node)
                        out["dbt_command"].append(wall)
                    elif dlt:
                        out["dlt"].append(dlt_round(dlt, dlt_cfg, env))
                # all agree on the history
                want = expected_versions(rnd, n)
                got = {"warehouse": versions(wh, "SELECT count(*), count(*) FILTER (WHERE is_current) "
                                                 "FROM tracktik.dim_employees WHERE NOT is_inferred"),
                       "dbt": versions(src, "SELECT count(*), count(*) FILTER (WHERE dbt_valid_to IS NULL) "
                                            "FROM snapshots.employees_snapshot")}
                if dlt:
                    with psycopg.connect(dsn_for(admin_dsn, DLT_DB)) as d:
                        got["dlt"] = versions(d, "SELECT count(*), count(*) FILTER "
                                                 "(WHERE _dlt_valid_to IS NULL) FROM dlt_scd2.employees")
                bad = {k: v for k, v in got.items() if v != want}
                if bad:
                    raise SystemExit(f"round {rnd}: expected (versions, current) {want}, got {bad}")
                print(f"  run {run} round {rnd} ({ROUNDS[rnd - 1]}): warehouse {out['warehouse'][-1]:.2f} s, "
                      f"dbt {out['dbt'][-1]:.2f} s (command {out['dbt_command'][-1]:.2f} s)"
                      + (f", dlt {out['dlt'][-1]:.2f} s" if dlt else ""), flush=True)
    finally:
        shutil.rmtree(pipelines_dir, ignore_errors=True)
    return out


def write_dbt_project(admin_dsn: str, project: Path) -> None:
    p = conninfo_to_dict(admin_dsn)
    (project / "snapshots").mkdir(parents=True, exist_ok=True)
    (project / "models").mkdir(exist_ok=True)
    (project / "dbt_project.yml").write_text(DBT_PROJECT)
    (project / "models" / "sources.yml").write_text(DBT_SOURCES)
    (project / "snapshots" / "employees.yml").write_text(DBT_SNAPSHOT)
    (project / "profiles.yml").write_text(DBT_PROFILE.format(
        host=p.get("host") or "127.0.0.1", port=p.get("port") or 5432, user=p.get("user") or "postgres",
        password=p.get("password") or "", dbname=DBT_DB))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default=os.environ.get("TRACKTIK_BENCH_DSN"),
                        help="superuser DSN of a scratch server (env TRACKTIK_BENCH_DSN); "
                             "default: a private throw-away cluster")
    parser.add_argument("--runs", type=int, default=3, help="runs (default 3); medians are reported")
    parser.add_argument("--employees", type=int, default=100_000, help="employees (default 100000)")
    parser.add_argument("--no-dlt", action="store_true", help="leave dlt out")
    args = parser.parse_args()
    if args.employees < 10:
        parser.error("--employees must be at least 10")

    dbt = ensure_venv("dbt", DBT_REQUIREMENTS, "import dbt.adapters.postgres, dbt.version; "
                      "assert dbt.version.__version__.startswith('1.9')")
    if dbt is None:
        raise SystemExit("dbt-core / dbt-postgres 1.9 did not install: no peer to measure against")
    dlt = None if args.no_dlt else ensure_venv("dlt", DLT_REQUIREMENTS, "import dlt, psycopg2")
    if dlt is None and not args.no_dlt:
        print("dlt[postgres] did not install: dlt is left out", flush=True)

    project = Path(tempfile.mkdtemp(prefix="peer-dbt-"))
    runs: list[dict[str, list[float]]] = []
    try:
        with server(args.dsn) as admin_dsn:
            recreate(admin_dsn, TEMPLATE_DB)
            migrate(dsn_for(admin_dsn, TEMPLATE_DB))
            write_dbt_project(admin_dsn, project)
            print(f"{args.employees:,} employees, 4 full-sync rounds, {args.runs} runs", flush=True)
            for run in range(1, args.runs + 1):
                runs.append(one_run(admin_dsn, run, args, dbt, dlt, project))
    finally:
        shutil.rmtree(project, ignore_errors=True)

    def med(key: str, i: int) -> float:
        return statistics.median(r[key][i] for r in runs)

    def med_total(key: str) -> float:
        return statistics.median(sum(r[key]) for r in runs)

    has_dlt = bool(runs and runs[0]["dlt"])
    print(f"\nmedians of {len(runs)} runs, seconds ({args.employees:,} employees; "
          "dbt = the snapshot node's execution_time, dbt cmd = the whole `dbt snapshot` command)")
    head = f"  {'round':<14}{'warehouse':>10}{'dbt':>8}{'dbt/wh':>8}{'dbt cmd':>9}"
    print(head + (f"{'dlt':>8}{'dlt/wh':>8}" if has_dlt else ""))
    rows = [(name, med("warehouse", i), med("dbt", i), med("dbt_command", i),
             med("dlt", i) if has_dlt else 0.0) for i, name in enumerate(ROUNDS)]
    rows.append(("total", med_total("warehouse"), med_total("dbt"), med_total("dbt_command"),
                 med_total("dlt") if has_dlt else 0.0))
    for name, w, d, c, t in rows:
        line = f"  {name:<14}{w:>10.2f}{d:>8.2f}{d / w:>8.2f}{c:>9.2f}"
        print(line + (f"{t:>8.2f}{t / w:>8.2f}" if has_dlt else ""))
    print("  (total = median over runs of the run's sum; ratios > 1: the warehouse is faster)")
    for key in ("warehouse", "dbt", "dbt_command", "dlt"):
        if runs and runs[0][key]:
            print(f"  all runs, {key}: " + "; ".join(", ".join(f"{x:.2f}" for x in r[key]) for r in runs))
    wins = all(rows[i][2] > rows[i][1] for i in range(4))
    print(f"  warehouse faster than dbt on every round: {'yes' if wins else 'no'}; "
          f"total dbt/warehouse {rows[4][2] / rows[4][1]:.2f} (target >= 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
