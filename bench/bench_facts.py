"""Benchmark of the batch load: 100,000 staged shifts of 5,000 employees through run_kaiser_batch.

    .venv/bin/python bench/bench_facts.py [--dsn DSN] [--runs 3] [--shifts 100000] [--employees 5000]

Without ``--dsn`` a private throw-away cluster (``PrivateCluster(durable=False)``) is started in a
temporary directory. A template database is built once: migrated, with two staged batches of
identical content (regions, sites, posts, employees, TrackTik bill settings and the shifts).
Each run clones the template and measures, in that order:

* ``bare``   INSERT ... SELECT of the same shift rows, extracted from the staged JSON (the fact
             columns and the raw record), into an unpartitioned UNLOGGED table without indexes:
             the floor of what any load must do;
* ``first``  CALL tracktik.run_kaiser_batch(batch 1): merge, facts, billing, quality, watermarks,
             reporting refresh, commit (when tracktik.merge_dimensions does not exist yet, the
             dimensions are inserted directly and load_fact_shifts is timed instead);
* ``again``  the same records once more as batch 2: nothing changed, nothing rewritten;
* ``floor``  (after the check) the final fact rows, copied aside, written again into the emptied
             tracktik.fact_shifts with a plain INSERT: what storing them costs (logged,
             partitioned, primary key and three indexes), the floor under ``first``.

It prints the medians, shifts per second, first/bare (target <= 4), again/first (target
< 0.25) and floor/bare.

With ``--tracktik-config`` the template also holds a third batch of the same records whose
positions carry TrackTik billing settings (overtime rule, holiday group, discount, breaks,
holiday treatment) and which stages the BILLING overtime rules and items and the holiday
groups, holidays and dates they name; each run then also times ``configured``: that batch
through run_kaiser_batch on a second clone of the same template, and prints both timings and
configured/first (target <= 1.25).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "shell"))

from tracktik_etl.cluster import PrivateCluster  # noqa: E402
from tracktik_etl.migrate import migrate  # noqa: E402

TEMPLATE = "tracktik_bench_template"

# Markets under the Kaiser root: (id, name, time zone). California markets get daily overtime.
MARKETS = [
    (10, "Northern California", "America/Los_Angeles"),
    (11, "Southern California", "America/Los_Angeles"),
    (12, "Colorado", "America/Denver"),
    (13, "Georgia", "America/New_York"),
    (14, "Mid-Atlantic", "America/New_York"),
]

STAGE_DIMENSIONS = """
INSERT INTO staging.api_records (batch_id, resource, record)
SELECT %(batch)s, 'regions', jsonb_build_object('id', 1, 'customId', 'KP', 'name', 'Kaiser Permanente',
       'parentRegion', NULL, 'status', 'ACTIVE', 'timeZone', 'America/Los_Angeles',
       'updatedOn', '2024-06-01T00:00:00+00:00')
UNION ALL
SELECT %(batch)s, 'regions', jsonb_build_object('id', m.id, 'customId', 'M' || m.id, 'name', m.name,
       'parentRegion', 1, 'status', 'ACTIVE', 'timeZone', m.tz, 'updatedOn', '2024-06-01T00:00:00+00:00')
  FROM unnest(%(market_ids)s::bigint[], %(market_names)s::text[], %(market_zones)s::text[]) AS m(id, name, tz)
UNION ALL
SELECT %(batch)s, 'clients', jsonb_build_object('id', 100 + s, 'customId', 'S' || s, 'name', 'Site ' || s,
       'type', 'SERVICE_LOCATION', 'status', 'ACTIVE', 'region', 10 + s %% 5, 'parentClient', NULL,
       'address', jsonb_build_object('city', 'City ' || s), 'timeZone', NULL,
       'updatedOn', '2024-06-01T00:00:00+00:00')
  FROM generate_series(0, %(sites)s - 1) AS s
UNION ALL
SELECT %(batch)s, 'positions', jsonb_build_object('id', 1000 + p, 'customId', 'P' || p,
       'name', (ARRAY['Main Entrance Officer', 'STANDBY Officer', 'Night WATCH', 'Lobby Officer',
                      'Mobile Patrol', 'Control Room Operator', 'Loading Dock Officer'])[1 + p %% 7],
       'status', 'ACTIVE', 'account', 100 + p %% %(sites)s, 'nonBillable', p %% 97 = 0,
       'updatedOn', '2024-06-01T00:00:00+00:00')
       -- the post's rate history, embedded as the API returns it (5%% of the posts have none)
       || CASE WHEN p %% 20 = 7 THEN '{}'::jsonb ELSE jsonb_build_object('billingSetting',
              jsonb_build_object('id', 500000 + p, 'type', 'HOURLY', 'billSettings', jsonb_build_array(
                  jsonb_build_object('id', 1 + p, 'positionBilling', 500000 + p, 'billingType', 'HOURLY',
                                     'rate', 38 + (p %% 17) * 0.75, 'effectiveDate', '2024-07-01',
                                     'overtimeRateType', 'MULTIPLIER',
                                     'customOvertimeMultiplier1', 1.5, 'customOvertimeMultiplier2', 2.0,
                                     'updatedOn', '2024-06-20T00:00:00+00:00')))) END
  FROM generate_series(0, %(positions)s - 1) AS p
UNION ALL
SELECT %(batch)s, 'employees', jsonb_build_object('id', 10000 + e, 'customId', 'E' || e,
       'firstName', 'Guard', 'lastName', 'No' || e, 'email', 'g' || e || '@example.com',
       'primaryPhone', '555-' || e, 'status', 'ACTIVE', 'region', 10 + e %% 5,
       'jobTitle', 'Security Officer', 'updatedOn', '2024-06-01T00:00:00+00:00')
  FROM generate_series(0, %(employees)s - 1) AS e
"""

# An employee works 5 days of every 7 (rotating), one post, in the post's site's zone; 1 shift in
# 10 is a 12-hour one (daily overtime in California), 3% are cancelled.
STAGE_SHIFTS = """
INSERT INTO staging.api_records (batch_id, resource, record)
SELECT %(batch)s, 'shifts',
       jsonb_build_object(
           'id', 5000000 + n, 'status', CASE WHEN n %% 33 = 0 THEN 'CANCELLED' ELSE 'ACTIVE' END,
           'startDateTime', to_char(t.s AT TIME ZONE 'UTC', t.fmt),
           'endDateTime', to_char(t.e AT TIME ZONE 'UTC', t.fmt),
           'timeZone', t.tz, 'employee', 10000 + t.emp, 'position', 1000 + t.pos,
           'breakInMinutes', 30, 'billable', true, 'payable', true, 'vacant', false,
           'attendanceStatus', 'ON_TIME',
           'clockedHours', t.h, 'approvedHours', t.h,
           'billableHours', CASE WHEN n %% 33 = 0 OR t.pos %% 97 = 0 THEN 0 ELSE t.h END,
           'payableHours', CASE WHEN n %% 33 = 0 THEN 0 ELSE t.h END,
           'createdOn', to_char((t.s - interval '20 days') AT TIME ZONE 'UTC', t.fmt),
           'updatedOn', to_char((t.e + interval '3 hours') AT TIME ZONE 'UTC', t.fmt),
           'modifiedOn', to_char((t.e + interval '3 hours') AT TIME ZONE 'UTC', t.fmt))
  FROM (
    SELECT w.n, w.emp, w.pos, w.tz, 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"' AS fmt,
           (w.day + make_time(w.start_hour, 0, 0)) AT TIME ZONE w.tz AS s,
           (w.day + make_time(w.start_hour, 0, 0) + make_interval(mins => w.minutes)) AT TIME ZONE w.tz AS e,
           round(w.minutes / 60.0 - 0.5, 2) AS h
      FROM (
        SELECT row_number() OVER (ORDER BY d, emp) AS n, emp, emp %% %(positions)s AS pos,
               (%(zones)s::text[])[1 + (emp %% %(positions)s %% %(sites)s) %% 5] AS tz,
               DATE '2025-01-10' + d AS day,
               (ARRAY[6, 14, 22])[1 + emp %% 3] AS start_hour,
               CASE WHEN (emp + d) %% 10 = 0 THEN 12 * 60 + 30 ELSE 8 * 60 + 30 END AS minutes
          FROM generate_series(0, %(employees)s - 1) AS emp
         CROSS JOIN generate_series(0, %(days)s - 1) AS d
         WHERE (emp + d) %% 7 < 5
      ) AS w
     WHERE w.n <= %(shifts)s
  ) AS t
"""

# TrackTik's billing configuration for the posts (--tracktik-config): three BILLING rules (a
# California-like DAILY 8 / 12 with a 7th-consecutive-day item, a WEEKLY 40, a BI-WEEKLY 80
# BEST_OF with a DAILY 10 RATE item and a Sunday item), one holiday group with its holiday and
# dates, and per post an overtime rule, the group, a discount, break billing and a holiday
# treatment.
STAGE_CONFIG = """
INSERT INTO staging.api_records (batch_id, resource, record)
SELECT %(batch)s, 'overtime-rules', jsonb_build_object('id', r.id, 'name', 'Rule ' || r.id,
       'periodLength', r.period, 'ruleType', 'BILLING', 'method', r.method)
  FROM (VALUES (1, 'WEEKLY', 'SEQUENTIAL'), (2, 'WEEKLY', 'SEQUENTIAL'),
               (3, 'BI-WEEKLY', 'BEST_OF')) AS r(id, period, method)
UNION ALL
SELECT %(batch)s, 'overtime-rule-items', jsonb_build_object('id', i.id, 'overtimeRule', i.rule,
       'ruleType', i.kind, 'threshold', i.threshold, 'rateType', i.rate_type)
       || CASE WHEN i.rate_type = 'RATE' THEN jsonb_build_object('rateAmount', i.value)
               ELSE jsonb_build_object('rateMultiplier', i.value) END
  FROM (VALUES (101, 1, 'DAILY', 8, 'MULTIPLIER', 1.5), (102, 1, 'DAILY', 12, 'MULTIPLIER', 2.0),
               (103, 1, 'CONSECUTIVE_DAYS', 7, 'MULTIPLIER', 2.0), (104, 1, 'PERIOD', 40, 'MULTIPLIER', 1.5),
               (105, 1, 'HOLIDAY', 8, 'MULTIPLIER', 2.0),
               (201, 2, 'PERIOD', 40, 'MULTIPLIER', 1.5),
               (301, 3, 'PERIOD', 80, 'MULTIPLIER', 1.5), (302, 3, 'DAILY', 10, 'RATE', 60),
               (303, 3, 'DAY_SPECIFIC', 7, 'MULTIPLIER', 1.25))
       AS i(id, rule, kind, threshold, rate_type, value)
UNION ALL
SELECT %(batch)s, 'holiday-groups', jsonb_build_object('id', 1, 'name', 'Kaiser holidays', 'isGlobal', true)
UNION ALL
SELECT %(batch)s, 'holidays', jsonb_build_object('id', 11, 'label', 'Kaiser holiday', 'code', 'KH',
       'groups', jsonb_build_array(jsonb_build_object('id', 1)))
UNION ALL
SELECT %(batch)s, 'holiday-dates', jsonb_build_object('id', 100 + n, 'name', 'Kaiser holiday', 'holiday', 11,
       'holidayDate', d || 'T00:00:00+00:00')
  FROM unnest(ARRAY['2025-01-01', '2025-01-20', '2025-02-17', '2025-05-26']) WITH ORDINALITY AS u(d, n)
"""
CONFIG_POSITIONS = """
UPDATE staging.api_records AS a
   SET record = jsonb_set(a.record, '{billingSetting}', a.record -> 'billingSetting' || jsonb_build_object(
           'overtimeRule', 1 + (a.record ->> 'id')::int %% 3, 'holidayGroup', 1,
           'discountRate', CASE WHEN (a.record ->> 'id')::int %% 5 = 0 THEN 3 ELSE 0 END,
           'billBreaks', CASE WHEN (a.record ->> 'id')::int %% 4 = 0 THEN 'ALL' ELSE 'NONE' END,
           'holiday', CASE WHEN (a.record ->> 'id')::int %% 6 = 0 THEN 'RATE' ELSE 'REGULAR' END,
           'holidayRate', 70, 'holidayMultiplier', 1.5))
 WHERE a.batch_id = %(batch)s AND a.resource = 'positions' AND a.record ? 'billingSetting'
"""
CONFIG_RESOURCES = ["overtime-rules", "overtime-rule-items", "holiday-groups", "holidays", "holiday-dates"]

BARE = """
CREATE UNLOGGED TABLE bench_bare (
    shift_id bigint, status text, start_datetime timestamptz, end_datetime timestamptz, time_zone text,
    employee_id bigint, position_id bigint, break_minutes numeric, clocked_hours numeric(10,2),
    approved_hours numeric(10,2), billable boolean, payable boolean, raw_data jsonb)
"""
BARE_INSERT = """
INSERT INTO bench_bare
SELECT (r.record ->> 'id')::bigint, r.record ->> 'status', (r.record ->> 'startDateTime')::timestamptz,
       (r.record ->> 'endDateTime')::timestamptz, r.record ->> 'timeZone', (r.record ->> 'employee')::bigint,
       (r.record ->> 'position')::bigint, (r.record ->> 'breakInMinutes')::numeric,
       (r.record ->> 'clockedHours')::numeric, (r.record ->> 'approvedHours')::numeric,
       (r.record ->> 'billable')::boolean, (r.record ->> 'payable')::boolean, r.record
  FROM staging.api_records AS r
 WHERE r.batch_id = %s AND r.resource = 'shifts'
"""


def dsn_for(base: str, dbname: str) -> str:
    params = {k: v for k, v in conninfo_to_dict(base).items() if v is not None}
    params["dbname"] = dbname
    return make_conninfo(**params)  # type: ignore[arg-type]


def has_merge(conn: psycopg.Connection) -> bool:
    row = conn.execute("SELECT to_regprocedure('tracktik.merge_dimensions(uuid)') IS NOT NULL").fetchone()
    return bool(row and row[0])


def build_template(base: str, args: argparse.Namespace) -> tuple[list[str], bool]:
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}"')
        admin.execute(f'CREATE DATABASE "{TEMPLATE}"')
    dsn = dsn_for(base, TEMPLATE)
    migrate(dsn)
    params = {
        "market_ids": [m[0] for m in MARKETS], "market_names": [m[1] for m in MARKETS],
        "market_zones": [m[2] for m in MARKETS], "zones": [m[2] for m in MARKETS],
        "sites": args.sites, "positions": args.positions, "employees": args.employees,
        "shifts": args.shifts, "days": 28,
    }
    batches: list[str] = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        merge = has_merge(conn) and not args.load_only
        for n in range(3 if args.tracktik_config else 2):
            batch = conn.execute("SELECT tracktik.start_batch('bench', '{}')").fetchone()[0]  # type: ignore[index]
            conn.execute(STAGE_DIMENSIONS, {**params, "batch": batch})
            conn.execute(STAGE_SHIFTS, {**params, "batch": batch})
            resources = ["regions", "clients", "positions", "position-bill-settings"]
            if n == 2:   # the same records with TrackTik's billing configuration
                conn.execute(STAGE_CONFIG, {"batch": batch})
                conn.execute(CONFIG_POSITIONS, {"batch": batch})
                resources += CONFIG_RESOURCES
            conn.execute("SELECT tracktik.mark_batch_staged(%s, %s, '{}')", (batch, resources))
            batches.append(str(batch))
        staged = conn.execute(
            "SELECT count(*) FROM staging.api_records WHERE resource = 'shifts' AND batch_id = %s",
            (batches[0],)).fetchone()[0]  # type: ignore[index]
        if staged != args.shifts:
            raise SystemExit(f"staged {staged} shifts, expected {args.shifts}")
        if not merge:
            insert_dimensions_directly(conn, batches[0])
        conn.execute("VACUUM ANALYZE")
    return batches, merge


def insert_dimensions_directly(conn: psycopg.Connection, batch: str) -> None:
    """Without tracktik.merge_dimensions: current versions straight from the staged records."""
    conn.execute("""
        INSERT INTO tracktik.dim_regions (region_id, custom_id, name, parent_region_id, status, time_zone,
                                          valid_from, is_current, attributes_hash)
        SELECT (record ->> 'id')::bigint, record ->> 'customId', record ->> 'name',
               (record ->> 'parentRegion')::bigint, record ->> 'status', record ->> 'timeZone',
               '2024-06-01', true, '\\x00'
          FROM staging.api_records WHERE batch_id = %(b)s AND resource = 'regions';
        INSERT INTO tracktik.dim_clients (client_id, custom_id, name, client_type, status, region_id,
                                          time_zone, valid_from, is_current, attributes_hash)
        SELECT (record ->> 'id')::bigint, record ->> 'customId', record ->> 'name', record ->> 'type',
               record ->> 'status', (record ->> 'region')::bigint, record ->> 'timeZone',
               '2024-06-01', true, '\\x00'
          FROM staging.api_records WHERE batch_id = %(b)s AND resource = 'clients';
        INSERT INTO tracktik.dim_positions (position_id, custom_id, name, status, client_id, non_billable,
                                            valid_from, is_current, attributes_hash)
        SELECT (record ->> 'id')::bigint, record ->> 'customId', record ->> 'name', record ->> 'status',
               (record ->> 'account')::bigint, (record ->> 'nonBillable')::boolean,
               '2024-06-01', true, '\\x00'
          FROM staging.api_records WHERE batch_id = %(b)s AND resource = 'positions';
        INSERT INTO tracktik.dim_employees (employee_id, custom_id, first_name, last_name, email, phone,
                                            status, region_id, job_title, valid_from, is_current,
                                            attributes_hash)
        SELECT (record ->> 'id')::bigint, record ->> 'customId', record ->> 'firstName',
               record ->> 'lastName', record ->> 'email', record ->> 'primaryPhone', record ->> 'status',
               (record ->> 'region')::bigint, record ->> 'jobTitle', '2024-06-01', true, '\\x00'
          FROM staging.api_records WHERE batch_id = %(b)s AND resource = 'employees';
    """.replace("%(b)s", "'" + batch + "'"))  # noqa: S608 - a uuid we generated


def timed(conn: psycopg.Connection, sql: str, params: tuple[object, ...] = ()) -> float:
    began = time.perf_counter()
    conn.execute(sql, params)  # type: ignore[arg-type]
    return time.perf_counter() - began


def configured_run(base: str, run: int, batch: str, merge: bool) -> tuple[float, float]:
    """The batch with TrackTik's billing configuration, first on a fresh clone: (seconds, billed total)."""
    name = f"tracktik_bench_cfg{run}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    try:
        with psycopg.connect(dsn_for(base, name), autocommit=True) as conn:
            conn.execute("SELECT count(*), sum(length(record::text)) FROM staging.api_records")  # warm cache
            if merge:
                seconds = timed(conn, "CALL tracktik.run_kaiser_batch(%s)", (batch,))
            else:
                with conn.transaction():
                    seconds = timed(conn, "SELECT tracktik.load_fact_shifts(%s)", (batch,))
            total = conn.execute(
                "SELECT coalesce(sum(bill_total), 0) FROM tracktik.fact_shifts").fetchone()[0]  # type: ignore[index]
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return seconds, float(total)


def one_run(base: str, run: int, batches: list[str], merge: bool) -> dict[str, float]:
    name = f"tracktik_bench_run{run}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    try:
        with psycopg.connect(dsn_for(base, name), autocommit=True) as conn:
            conn.execute("SELECT count(*), sum(length(record::text)) FROM staging.api_records")  # warm cache
            conn.execute(BARE)
            bare = timed(conn, BARE_INSERT, (batches[0],))
            if merge:
                first = timed(conn, "CALL tracktik.run_kaiser_batch(%s)", (batches[0],))
                again = timed(conn, "CALL tracktik.run_kaiser_batch(%s)", (batches[1],))
                statuses = conn.execute(
                    "SELECT array_agg(status ORDER BY started_at) FROM tracktik.etl_batches"
                    " WHERE batch_id = ANY (%s::uuid[])", (batches[:2],)
                ).fetchone()[0]  # type: ignore[index]
                if statuses != ["completed", "completed"]:
                    raise SystemExit(f"batches ended {statuses}")
            else:
                with conn.transaction():
                    first = timed(conn, "SELECT tracktik.load_fact_shifts(%s)", (batches[0],))
                with conn.transaction():
                    again = timed(conn, "SELECT tracktik.load_fact_shifts(%s)", (batches[1],))
            facts, second_writes = conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE etl_batch_id = %s) FROM tracktik.fact_shifts",
                (batches[1],)).fetchone()  # type: ignore[misc]
            if second_writes:
                raise SystemExit(f"the unchanged batch rewrote {second_writes} fact rows")
            # the floor: the final fact rows, already computed, written again into fact_shifts
            # itself (partitioned, logged, primary key and three indexes) with a plain INSERT
            conn.execute("CREATE UNLOGGED TABLE bench_final AS SELECT * FROM tracktik.fact_shifts")
            conn.execute("VACUUM ANALYZE bench_final")
            conn.execute("TRUNCATE tracktik.fact_shifts")
            floor = timed(conn, "INSERT INTO tracktik.fact_shifts SELECT * FROM bench_final")
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return {"bare": bare, "first": first, "again": again, "floor": floor, "facts": float(facts)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default=os.environ.get("TRACKTIK_BENCH_DSN"),
                        help="superuser DSN of a server to use (env TRACKTIK_BENCH_DSN); "
                             "default: a private throw-away cluster")
    parser.add_argument("--runs", type=int, default=3, help="measured runs (median reported)")
    parser.add_argument("--shifts", type=int, default=100_000)
    parser.add_argument("--employees", type=int, default=5_000)
    parser.add_argument("--positions", type=int, default=700)
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--tracktik-config", action="store_true",
                        help="also time a batch of the same records with TrackTik's billing configuration "
                             "(overtime rules, holiday group, discounts, breaks) and print configured/first")
    parser.add_argument("--load-only", action="store_true",
                        help="insert the dimensions directly and time load_fact_shifts, as when "
                             "tracktik.merge_dimensions does not exist")
    args = parser.parse_args()
    if args.shifts > args.employees * 20:
        parser.error("at most 20 shifts per employee (28 days, 5 of every 7)")

    cluster = None
    tmp = None
    base = args.dsn
    if base is None:
        tmp = Path(tempfile.mkdtemp(prefix="tracktik-bench-"))
        os.chmod(tmp, 0o755)
        cluster = PrivateCluster(tmp / "data", durable=False)
        base = cluster.start()
    try:
        print(f"building the template: {args.shifts} shifts, {args.employees} employees ...", flush=True)
        batches, merge = build_template(base, args)
        what = ("CALL run_kaiser_batch" if merge
                else "load_fact_shifts (no merge_dimensions: dimensions inserted directly)")
        print(f"timing: {what}; {args.runs} runs", flush=True)
        results = []
        for run in range(args.runs):
            r = one_run(base, run, batches, merge)
            if args.tracktik_config:
                r["configured"], r["configured_total"] = configured_run(base, run, batches[2], merge)
            results.append(r)
            print(f"  run {run + 1}: bare {r['bare']:.3f}s  first {r['first']:.3f}s  again {r['again']:.3f}s"
                  f"  floor {r['floor']:.3f}s  ({int(r['facts'])} facts)"
                  + (f"  configured {r['configured']:.3f}s (billed {r['configured_total']:,.2f})"
                     if args.tracktik_config else ""), flush=True)
        bare = statistics.median(r["bare"] for r in results)
        first = statistics.median(r["first"] for r in results)
        again = statistics.median(r["again"] for r in results)
        floor = statistics.median(r["floor"] for r in results)
        print(f"median bare INSERT ... SELECT : {bare:.3f}s ({args.shifts / bare:,.0f} rows/s)")
        print(f"median first run              : {first:.3f}s ({args.shifts / first:,.0f} shifts/s)")
        print(f"median unchanged re-run       : {again:.3f}s")
        print(f"first / bare                  : {first / bare:.2f}  (target <= 4)")
        print(f"re-run / first                : {again / first:.2f}  (target < 0.25)")
        print(f"floor / bare                  : {floor / bare:.2f}  (plain INSERT of the final rows into "
              "fact_shifts itself: what storing them costs)")
        if args.tracktik_config:
            configured = statistics.median(r["configured"] for r in results)
            print(f"median first run, defaults    : {first:.3f}s")
            print(f"median first run, TrackTik cfg: {configured:.3f}s")
            print(f"configured / defaults         : {configured / first:.2f}  (target <= 1.25)")
    finally:
        if cluster is not None:
            cluster.stop()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
