"""Benchmark of the SCD2 merge (tracktik.merge_dimensions) on dim_employees.

Setup: 100,000 employees holding 3 versions each (generated set-based in SQL), and one staged
batch of the same 100,000 employee records in which 10% changed (jobTitle, later updatedOn).

Measured, each ``--repeat`` times (default 3), medians reported:

* baseline: a bare ``INSERT ... SELECT`` of those 100,000 staged records, typed, into an empty
  UNLOGGED copy of dim_employees, in the same run, three ways:
  - "bare": a copy of the columns only (``LIKE ... INCLUDING DEFAULTS``), constant
    attributes_hash: the cheapest reading, the reference of the ratios printed first;
  - "bare + hash": the same with the attributes_hash expression the merge computes;
  - "full copy": ``LIKE ... INCLUDING ALL`` (same indexes and unique current index; the
    no-overlap check is a statement trigger since migration 0025 and is not copied) with the
    hash: what writing the rows into such a table costs;
* merge: ``SELECT tracktik.merge_dimensions(batch)`` (10% changed), rolled back after each
  run and the table vacuumed;
* re-merge: the same batch merged again after the merge was committed (nothing changes).

The four full-sync rounds against a dbt snapshot (and dlt): ``bench/bench_peer_scd2.py``.

Usage::

    .venv/bin/python bench/bench_scd2.py [--dsn DSN] [--repeat N] [--employees N]

Without ``--dsn`` a private throw-away cluster is started in a temporary directory
(``tracktik_etl.cluster.PrivateCluster(durable=False)``) and removed afterwards. With a DSN
(a superuser of a scratch server), a database ``tracktik_bench`` is (re)created on it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shell"))

from tracktik_etl.cluster import PrivateCluster  # noqa: E402
from tracktik_etl.migrate import migrate  # noqa: E402

BENCH_DB = "tracktik_bench"

GENERATE_REGIONS = """
INSERT INTO tracktik.dim_regions (region_id, custom_id, name, status, time_zone, valid_from,
                                  is_current, attributes_hash)
SELECT r, 'R' || r, 'Region ' || r, 'ACTIVE', 'America/Los_Angeles', '2024-01-01', true, '\\x00'
  FROM generate_series(1, 10) AS r
"""

GENERATE_VERSIONS = """
INSERT INTO tracktik.dim_employees (employee_id, custom_id, first_name, last_name, email, phone,
                                    status, region_id, region_name, job_title, valid_from, valid_to,
                                    is_current, attributes_hash, source_updated_on)
SELECT x.employee_id, x.custom_id, x.first_name, x.last_name, x.email, x.phone, x.status,
       x.region_id, 'Region ' || x.region_id, x.job_title, x.valid_from, x.valid_to, x.valid_to IS NULL,
       {hash}, x.valid_from
  FROM (SELECT i AS employee_id, 'E' || i AS custom_id, 'First' || i AS first_name,
               'Last' || i AS last_name, 'guard' || i || '@example.com' AS email,
               '+1-555-' || lpad(i::text, 7, '0') AS phone, 'ACTIVE' AS status,
               1 + i %% 10 AS region_id, 'Guard grade ' || v AS job_title,
               timestamptz '2024-01-01 00:00+00' + (v - 1) * interval '90 days'
                   + (i %% 1000) * interval '1 minute' AS valid_from,
               CASE WHEN v < 3 THEN timestamptz '2024-01-01 00:00+00' + v * interval '90 days'
                                    + (i %% 1000) * interval '1 minute' END AS valid_to
          FROM generate_series(1, %(n)s) AS i, generate_series(1, 3) AS v) AS x
 ORDER BY x.employee_id, x.valid_from
"""

STAGE_BATCH = """
INSERT INTO staging.api_records (batch_id, resource, record)
SELECT %(batch)s, 'employees',
       jsonb_build_object(
           'id', d.employee_id, 'customId', d.custom_id, 'firstName', d.first_name,
           'lastName', d.last_name, 'email', d.email, 'primaryPhone', d.phone, 'status', d.status,
           'region', CASE WHEN d.employee_id %% 2 = 0 THEN to_jsonb(d.region_id)
                          ELSE jsonb_build_object('id', d.region_id, 'name', d.region_name) END,
           'jobTitle', CASE WHEN d.employee_id %% 10 = 0 THEN d.job_title || ' (promoted)'
                            ELSE d.job_title END,
           'createdOn', '2023-06-01T08:00:00+00:00',
           'updatedOn', CASE WHEN d.employee_id %% 10 = 0 THEN '2025-05-01T12:00:00+00:00'
                             ELSE to_char(d.valid_from AT TIME ZONE 'UTC',
                                          'YYYY-MM-DD"T"HH24:MI:SS"+00:00"') END)
  FROM tracktik.dim_employees AS d
 WHERE d.is_current
 ORDER BY d.employee_id
"""

BASELINE_INSERT = """
INSERT INTO bench_copy (employee_id, custom_id, first_name, last_name, email, phone, status,
                        region_id, job_title, valid_from, is_current, attributes_hash,
                        source_updated_on, etl_batch_id)
SELECT t.employee_id, t.custom_id, t.first_name, t.last_name, t.email, t.phone, t.status,
       t.region_id, t.job_title, t.updated_on, true, {hash}, t.updated_on, %(batch)s
  FROM (SELECT (s.record ->> 'id')::bigint AS employee_id, s.record ->> 'customId' AS custom_id,
               s.record ->> 'firstName' AS first_name, s.record ->> 'lastName' AS last_name,
               s.record ->> 'email' AS email, s.record ->> 'primaryPhone' AS phone,
               s.record ->> 'status' AS status,
               (CASE WHEN jsonb_typeof(s.record -> 'region') = 'object' THEN s.record -> 'region' ->> 'id'
                     ELSE s.record ->> 'region' END)::bigint AS region_id,
               s.record ->> 'jobTitle' AS job_title,
               (s.record ->> 'updatedOn')::timestamptz AS updated_on
          FROM staging.api_records AS s
         WHERE s.batch_id = %(batch)s AND s.resource = 'employees'
        OFFSET 0) AS t
"""


@contextmanager
def server(dsn: str | None) -> Iterator[str]:
    """Yield a superuser DSN: the given one, or a private throw-away cluster's."""
    if dsn:
        yield dsn
        return
    base = Path(tempfile.mkdtemp(prefix="tracktik-bench-pg-"))
    os.chmod(base, 0o755)  # the server may run as another user (postgres) than us
    cluster = PrivateCluster(base / "data", durable=False)
    try:
        yield cluster.start()
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


def bench_dsn(admin_dsn: str) -> str:
    params = {k: v for k, v in conninfo_to_dict(admin_dsn).items() if v is not None}
    params["dbname"] = BENCH_DB
    return make_conninfo(**params)  # type: ignore[arg-type]


def timed(conn: psycopg.Connection, statement: str, params: dict[str, object]) -> float:
    start = time.perf_counter()
    conn.execute(statement, params)  # type: ignore[arg-type]  # fixed bench SQL
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default=os.environ.get("TRACKTIK_BENCH_DSN"),
                        help="superuser DSN of a scratch server (env TRACKTIK_BENCH_DSN); "
                             "default: a private throw-away cluster")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (>= 3)")
    parser.add_argument("--employees", type=int, default=100_000, help="employees (default 100000)")
    args = parser.parse_args()
    n_rep = max(3, args.repeat)

    with server(args.dsn) as admin_dsn:
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{BENCH_DB}"')
        dsn = bench_dsn(admin_dsn)
        migrate(dsn)

        with psycopg.connect(dsn, autocommit=True) as conn:
            print(f"setup: {args.employees:,} employees x 3 versions ...", flush=True)
            t0 = time.perf_counter()
            hash_x, hash_t = conn.execute(
                "SELECT tracktik._scd2_hash_sql('employees', 'x'), tracktik._scd2_hash_sql('employees', 't')"
            ).fetchone()  # type: ignore[misc]
            conn.execute(GENERATE_REGIONS)
            conn.execute(GENERATE_VERSIONS.format(hash=hash_x),  # type: ignore[arg-type]
                         {"n": args.employees})
            batch = conn.execute("SELECT tracktik.start_batch('bench', '{}')").fetchone()[0]  # type: ignore[index]
            conn.execute("UPDATE tracktik.etl_batches SET status = 'staged', started_at = '2025-06-01' "
                         "WHERE batch_id = %s", (batch,))
            conn.execute(STAGE_BATCH, {"batch": batch})  # type: ignore[arg-type]
            conn.execute("VACUUM ANALYZE tracktik.dim_employees")
            conn.execute("VACUUM ANALYZE tracktik.dim_regions")
            conn.execute("VACUUM ANALYZE staging.api_records")
            staged = conn.execute("SELECT count(*) FROM staging.api_records WHERE batch_id = %s",
                                  (batch,)).fetchone()[0]  # type: ignore[index]
            print(f"setup done in {time.perf_counter() - t0:.1f} s; {staged:,} records staged", flush=True)

            def baseline(hash_expr: str, including: str) -> float:
                with conn.transaction(force_rollback=True):
                    conn.execute(f"CREATE UNLOGGED TABLE bench_copy "  # type: ignore[arg-type]
                                 f"(LIKE tracktik.dim_employees INCLUDING {including})")
                    return timed(conn, BASELINE_INSERT.format(hash=hash_expr), {"batch": batch})

            def merge() -> float:
                with conn.transaction(force_rollback=True):
                    elapsed = timed(conn, "SELECT tracktik.merge_dimensions(%(batch)s)", {"batch": batch})
                conn.execute("VACUUM tracktik.dim_employees")
                return elapsed

            # the full copies first: their indexes would evict the others' pages from the
            # server's buffers; then one untimed warm-up, then bare, hashed and merge
            # interleaved so that drift affects them alike
            full = [baseline(hash_t, "ALL") for _ in range(n_rep)]
            baseline("'\\x'::bytea", "DEFAULTS")
            merge()
            bare: list[float] = []
            hashed: list[float] = []
            merged: list[float] = []
            for _ in range(n_rep):
                bare.append(baseline("'\\x'::bytea", "DEFAULTS"))
                hashed.append(baseline(hash_t, "DEFAULTS"))
                merged.append(merge())

            # the merge once for real, checked, then the same batch again
            counts = conn.execute("SELECT tracktik.merge_dimensions(%s)", (batch,)).fetchone()[0]  # type: ignore[index]
            conn.execute("VACUUM ANALYZE tracktik.dim_employees")
            emp = counts["employees"]
            expected = args.employees // 10
            assert emp["inserted"] == expected and emp["closed"] == expected, emp
            assert emp["unchanged"] == args.employees - expected, emp
            remerged = []
            for _ in range(n_rep):
                with conn.transaction(force_rollback=True):
                    remerged.append(
                        timed(conn, "SELECT tracktik.merge_dimensions(%(batch)s)", {"batch": batch}))
            again = conn.execute("SELECT tracktik.merge_dimensions(%s)", (batch,)).fetchone()[0]  # type: ignore[index]
            assert again["employees"]["inserted"] == 0 and again["employees"]["closed"] == 0, again

        b, h, f, m, r = (statistics.median(x) for x in (bare, hashed, full, merged, remerged))
        ms = lambda xs: ", ".join(f"{x * 1000:.0f}" for x in xs)  # noqa: E731
        print(f"\nmedians of {n_rep} runs ({args.employees:,} records, 10% changed; all runs in ms)")
        print(f"  baseline, bare (columns only, constant hash) : {b * 1000:8.1f} ms   [{ms(bare)}]")
        print(f"  baseline, bare + attributes_hash            : {h * 1000:8.1f} ms   [{ms(hashed)}]")
        print(f"  baseline, full copy (INCLUDING ALL) + hash  : {f * 1000:8.1f} ms   [{ms(full)}]")
        print(f"  merge (10% changed)                         : {m * 1000:8.1f} ms   [{ms(merged)}]")
        print(f"  merge again (nothing changed)               : {r * 1000:8.1f} ms   [{ms(remerged)}]")
        print("  ratios                       bare   bare+hash   full copy   target")
        print(f"  merge / baseline           {m / b:6.2f}   {m / h:9.2f}   {m / f:9.2f}   <= 3")
        print(f"  merge again / baseline     {r / b:6.2f}   {r / h:9.2f}   {r / f:9.2f}   <= 1")
        print(f"  employees counts: {emp}")
        return 0


if __name__ == "__main__":
    sys.exit(main())
