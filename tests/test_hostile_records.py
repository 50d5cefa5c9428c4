"""Hostile records through the loader's COPY path: none can stop a batch, each is reported.

Every kind of bad record below goes through the real path, as a login role of
``tracktik_loader``: ``start_batch``, :func:`tracktik_etl.staging.split_stageable` (records that
PostgreSQL cannot store as jsonb are set aside) with :func:`copy_records` and
:func:`copy_rejected` (COPY), ``mark_batch_staged``, ``CALL tracktik.run_kaiser_batch``. For each
kind the test asserts that

* the batch completes (or fails naming the record: counted as batch-fatal here, the goal is 0),
* the good record of the same batch is loaded,
* the bad one is reported with its id (``data_quality_issues``: table, record id, issue type),
* the next run, to which TrackTik sends the same bad record again, completes too, loads its
  good record, and the issue is still open and recorded once (a record identical to the stored
  row is not parsed again, so a loaded record's warning is not necessarily found again).

A kind is *reported cleanly* when all of that holds, *batch-fatal* when a run failed, and
*silent* when the runs completed but the record was not reported as expected. The figures are
printed (``pytest -s``) and asserted: 0 batch-fatal, 0 silent, at least 40 kinds.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from yoyo import get_backend, read_migrations

from tracktik_etl.migrate import db_dir, migrate, yoyo_uri
from tracktik_etl.staging import copy_records, copy_rejected, split_stageable

UPDATED = "2025-01-01T00:00:00+00:00"
REGION, SITE, POST, EMPLOYEE = 901, 9100, 99000, 9001
FORTY_DIGITS = 1234567890123456789012345678901234567890
MEGABYTE = "x" * (1024 * 1024)
AFTER_10K = "9999-12-31T23:59:59-15:00"   # 10000-01-01 14:59:59 UTC


def shift(shift_id: Any, day: int = 13, **fields: Any) -> dict[str, Any]:
    """A good shift record (8 hours in Denver) unless ``fields`` break it."""
    record = {"id": shift_id, "status": "ACTIVE", "startDateTime": f"2025-01-{day:02d}T08:00:00-07:00",
              "endDateTime": f"2025-01-{day:02d}T16:00:00-07:00", "employee": EMPLOYEE, "position": POST,
              "updatedOn": UPDATED, "modifiedOn": UPDATED}
    record.update(fields)
    return record


def at(days: int, hour: int) -> str:
    """An ISO date-time ``days`` from now at ``hour`` UTC."""
    day = (datetime.now(UTC) + timedelta(days=days)).date()
    return f"{day.isoformat()}T{hour:02d}:00:00+00:00"


def setting(setting_id: Any, rate: Any = "40.00", **fields: Any) -> dict[str, Any]:
    item = {"id": setting_id, "positionBilling": 5, "billingType": "HOURLY", "rate": rate,
            "effectiveDate": "2024-01-01", "overtimeRateType": "MULTIPLIER", "updatedOn": UPDATED}
    item.update(fields)
    return item


def post(post_id: int, *settings: dict[str, Any]) -> dict[str, Any]:
    """A positions record of the world's site with its bill-rate history embedded."""
    billing = {"id": post_id, "position": post_id, "type": "HOURLY", "billSettings": list(settings)}
    return {"id": post_id, "name": f"Post {post_id}", "status": "ACTIVE", "account": SITE,
            "nonBillable": False, "updatedOn": UPDATED, "billingSetting": billing}


def region(region_id: Any, **fields: Any) -> dict[str, Any]:
    record = {"id": region_id, "name": f"Region {region_id}", "parentRegion": None, "status": "ACTIVE",
              "timeZone": "America/Denver", "updatedOn": UPDATED}
    record.update(fields)
    return record


def world() -> dict[str, list[Any]]:
    return {
        "regions": [region(REGION, name="Kaiser Permanente")],
        "clients": [{"id": SITE, "name": "Denver Clinic", "type": "CLIENT", "status": "ACTIVE",
                     "region": REGION, "timeZone": "America/Denver", "updatedOn": UPDATED}],
        "positions": [post(POST, setting(1))],
        "employees": [{"id": EMPLOYEE, "firstName": "Guard", "status": "ACTIVE", "region": REGION,
                       "updatedOn": UPDATED}],
    }


@dataclass
class Kind:
    """One kind of bad record: what is staged, and the issue(s) that must name it."""

    name: str
    records: dict[str, list[Any]]
    expect: list[tuple[str, str | None, str]]   # (table_name, record_id, issue_type)


def kinds() -> list[Kind]:
    """The hostile records, ids unique per kind (7xxx shifts, 8xxx settings and posts)."""
    k: list[Kind] = []

    def s(name: str, sid: int, issue: str, **fields: Any) -> None:
        k.append(Kind(name, {"shifts": [shift(sid, **fields)]}, [("fact_shifts", str(sid), issue)]))

    # shifts: dates and stamps outside their sane range
    s("shift dated 9999-12-31", 7001, "date_out_of_range",
      startDateTime="9999-12-31T08:00:00-07:00", endDateTime="9999-12-31T16:00:00-07:00")
    s("shift dated 0001-01-01", 7002, "date_out_of_range",
      startDateTime="0001-01-01T08:00:00-07:00", endDateTime="0001-01-01T16:00:00-07:00")
    s("shift three years ahead", 7003, "date_out_of_range",
      startDateTime=at(1100, 8), endDateTime=at(1100, 16))
    s("modifiedOn after year 10,000 in UTC", 7004, "date_out_of_range", modifiedOn=AFTER_10K)
    s("updatedOn before 1900", 7005, "date_out_of_range", updatedOn="1850-01-01T00:00:00+00:00",
      modifiedOn="1850-01-01T00:00:00+00:00")
    s("modifiedOn in 2030 (future)", 7006, "future_timestamp", modifiedOn="2030-01-01T00:00:00+00:00")
    # shifts: time zones that must never be applied
    s("timeZone UTC+5 (POSIX, inverted sign)", 7010, "invalid_time_zone", timeZone="UTC+5")
    s("timeZone abbreviation PST", 7011, "invalid_time_zone", timeZone="PST")
    s("timeZone of 1 MB", 7012, "invalid_time_zone", timeZone=MEGABYTE)
    s("timeZone <+05>-5 (POSIX with brackets)", 7013, "invalid_time_zone", timeZone="<+05>-5")
    # shifts: plausibility (loaded with a warning)
    s("approvedHours 30 on an 8-hour shift", 7020, "hours_exceed_scheduled", approvedHours=30)
    s("clockedHours 20 on an 8-hour shift", 7021, "hours_exceed_scheduled", clockedHours=20)
    s("breakInMinutes 900 on an 8-hour shift", 7022, "break_exceeds_shift", breakInMinutes=900)
    s("shift 300 days ahead", 7023, "far_future_shift", startDateTime=at(300, 8), endDateTime=at(300, 16))
    s("billableHours that differ from ours", 7024, "billing_variance", billableHours=3)
    # shifts: numbers out of range or of the wrong type
    s("clockedHours 1e300", 7030, "invalid_hours", clockedHours=1e300)
    s("approvedHours -5", 7031, "invalid_hours", approvedHours=-5)
    s("clockedHours with 40 digits", 7032, "invalid_hours", clockedHours=FORTY_DIGITS)
    s("breakInMinutes 'thirty'", 7033, "invalid_hours", breakInMinutes="thirty")
    s("breakInMinutes 100000", 7034, "invalid_hours", breakInMinutes=100000)
    # shifts: shapes
    s("end before start", 7040, "end_before_start", endDateTime="2025-01-13T07:00:00-07:00")
    s("a 30-hour shift", 7041, "shift_over_24h", endDateTime="2025-01-14T14:00:00-07:00")
    s("status PENDING", 7042, "invalid_status", status="PENDING")
    s("startDateTime without offset", 7043, "timestamp_without_offset", startDateTime="2025-01-13T08:00:00")
    s("startDateTime 2025-02-30", 7044, "unparsable_timestamp", startDateTime="2025-02-30T08:00:00-07:00")
    s("startDateTime year 0000", 7045, "unparsable_timestamp", startDateTime="0000-01-13T08:00:00-07:00")
    s("startDateTime as a number", 7046, "unparsable_timestamp", startDateTime=1736780400)
    s("position as a nested array", 7047, "missing_required_field", position=[[POST]])
    k.append(Kind("shift id with 40 digits", {"shifts": [shift(FORTY_DIGITS)]},
                  [("fact_shifts", str(FORTY_DIGITS), "missing_required_field")]))
    k.append(Kind("a record that is a JSON array", {"shifts": ["[7050, 7051]"]},
                  [("fact_shifts", None, "missing_required_field")]))
    k.append(Kind("the same shift twice, differing",
                  {"shifts": [shift(7052), shift(7052, endDateTime="2025-01-13T15:00:00-07:00")]},
                  [("fact_shifts", "7052", "duplicate_in_batch")]))
    # bill settings (embedded in the posts' billingSetting.billSettings)
    def b(name: str, sid: int, issue: str, *args: Any, **fields: Any) -> None:
        k.append(Kind(name, {"positions": [post(sid, setting(sid, *args, **fields))]},
                      [("position_bill_settings", str(sid), issue)]))

    b("rate rounding to 100,000,000.00", 8001, "invalid_rate", 99999999.995)
    b("customOvertimeMultiplier1 1000", 8002, "invalid_rate", customOvertimeMultiplier1=1000)
    b("customOvertimeMultiplier1 999.9995", 8003, "invalid_rate", customOvertimeMultiplier1=999.9995)
    b("negative rate", 8004, "invalid_rate", -40)
    b("rate 'NaN' as a string", 8005, "missing_required_field", "NaN")
    b("effectiveDate 9999-12-31", 8006, "date_out_of_range", effectiveDate="9999-12-31")
    b("bill setting updatedOn after year 10,000", 8007, "date_out_of_range", updatedOn=AFTER_10K)
    k.append(Kind("rate x hours beyond NUMERIC(10,2)",
                  {"positions": [post(8008, setting(8008, "99999999.00"))],
                   "shifts": [shift(7060, position=8008)]},
                  [("fact_shifts", "7060", "billing_out_of_range")]))
    k.append(Kind("overtime premium beyond NUMERIC(10,2)",
                  {"positions": [post(8009, setting(8009, "1000000.00", customOvertimeMultiplier1=999))],
                   "shifts": [shift(7061 + i, day=17 + i, position=8009, employee=EMPLOYEE + 1)
                              for i in range(6)]},
                  [("fact_shifts", "7066", "billing_out_of_range")]))
    # dimension records
    k.append(Kind("region updatedOn after year 10,000", {"regions": [region(9201, updatedOn=AFTER_10K)]},
                  [("dim_regions", "9201", "date_out_of_range")]))
    k.append(Kind("region timeZone UTC+5", {"regions": [region(9202, timeZone="UTC+5")]},
                  [("dim_regions", "9202", "invalid_time_zone")]))
    k.append(Kind("employee id as an object",
                  {"employees": [{"id": {"id": 9301}, "status": "ACTIVE", "updatedOn": UPDATED}]},
                  [("dim_employees", '{"id": 9301}', "invalid_field_value")]))
    k.append(Kind("client updatedOn without offset",
                  {"clients": [{"id": 9401, "name": "x", "status": "ACTIVE", "region": REGION,
                                "updatedOn": "2025-01-01T00:00:00"}]},
                  [("dim_clients", "9401", "timestamp_without_offset")]))
    k.append(Kind("employee updatedOn 0000-00-00",
                  {"employees": [{"id": 9302, "status": "ACTIVE", "updatedOn": "0000-00-00T00:00:00Z"}]},
                  [("dim_employees", "9302", "unparsable_timestamp")]))
    # records PostgreSQL cannot store as jsonb: set aside by the shell, reported by the batch
    k.append(Kind("\\u0000 in a shift's string", {"shifts": [shift(7070, note="a\x00b")]},
                  [("fact_shifts", "7070", "unstageable_record")]))
    k.append(Kind("NaN as a shift's number", {"shifts": [shift(7071, clockedHours=math.nan)]},
                  [("fact_shifts", "7071", "unstageable_record")]))
    k.append(Kind("Infinity as a shift's number", {"shifts": [shift(7072, approvedHours=math.inf)]},
                  [("fact_shifts", "7072", "unstageable_record")]))
    k.append(Kind("lone surrogate in an employee's name",
                  {"employees": [{"id": 9303, "firstName": "\ud800", "status": "ACTIVE",
                                  "updatedOn": UPDATED}]},
                  [("dim_employees", "9303", "unstageable_record")]))
    k.append(Kind("\\u0000 in a region's key",
                  {"regions": [{"id": 9203, "na\x00me": "x", "updatedOn": UPDATED}]},
                  [("dim_regions", "9203", "unstageable_record")]))
    k.append(Kind("NaN without an id", {"shifts": [{"clockedHours": math.nan}]},
                  [("fact_shifts", None, "unstageable_record")]))
    return k


@pytest.fixture
def loader_dsn(db_dsn: str) -> Iterator[str]:
    name = f"etl_hostile_{os.getpid()}_{uuid4().hex[:8]}"
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN IN ROLE tracktik_loader").format(sql.Identifier(name)))
    params = conninfo_to_dict(db_dsn)
    params["user"] = name
    params.pop("password", None)
    try:
        yield make_conninfo(**params)  # type: ignore[arg-type]
    finally:
        with psycopg.connect(db_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def _texts(items: Sequence[Any]) -> tuple[list[str], list[Any]]:
    """The JSON texts the API would send for ``items`` (a str is already JSON text)."""
    texts: list[str] = []
    parsed: list[Any] = []
    for item in items:
        if isinstance(item, str):
            texts.append(item)
            parsed.append(json.loads(item))
        else:
            texts.append(json.dumps(item, ensure_ascii=False))
            parsed.append(item)
    return texts, parsed


def run_batch(loader_dsn: str, records: Mapping[str, Sequence[Any]]) -> tuple[UUID, psycopg.Error | None]:
    """Stage ``records`` as the shell does and run the batch as the loader login."""
    with psycopg.connect(loader_dsn, autocommit=True) as etl:
        batch = etl.execute("SELECT tracktik.start_batch('hostile', '{}')").fetchone()[0]  # type: ignore[index]
        for resource, items in records.items():
            texts, parsed = _texts(items)
            good, _, rejected = split_stageable(texts, parsed)
            copy_records(etl, batch, resource, good)
            if rejected:
                copy_rejected(etl, batch, resource, rejected)
        etl.execute("SELECT tracktik.mark_batch_staged(%s, '{}')", (batch,))
        try:
            etl.execute("CALL tracktik.run_kaiser_batch(%s)", (batch,))
        except psycopg.Error as exc:
            return batch, exc
    return batch, None


def reported(owner: psycopg.Connection, batch: UUID | None, table: str, record_id: str | None,
             issue_type: str) -> bool:
    """One open issue of that table, record and type (that ``batch`` recorded or found again)."""
    row = owner.execute(
        "SELECT count(*) FROM tracktik.data_quality_issues"
        " WHERE table_name = %s AND record_id IS NOT DISTINCT FROM %s AND issue_type = %s"
        "   AND resolved_at IS NULL AND (%s::uuid IS NULL OR %s IN (batch_id, last_seen_batch_id))",
        (table, record_id, issue_type, batch, batch)).fetchone()
    return bool(row and row[0] == 1)


def test_no_hostile_record_stops_a_batch_and_each_is_reported(db_dsn: str, loader_dsn: str) -> None:
    batch, error = run_batch(loader_dsn, world())
    assert error is None, f"the world did not load: {error}"
    cases = kinds()
    outcome: dict[str, str] = {}
    details: dict[str, str] = {}
    good_id = 60000
    with psycopg.connect(db_dsn, autocommit=True) as owner:
        for kind in cases:
            problems: list[str] = []
            fatal = False
            for attempt in ("first run", "next run"):   # TrackTik sends the bad record again
                good_id += 1
                records = {resource: list(items) for resource, items in kind.records.items()}
                records.setdefault("shifts", []).append(shift(good_id, day=20))
                batch, error = run_batch(loader_dsn, records)
                status, message = owner.execute(
                    "SELECT status, error_message FROM tracktik.etl_batches WHERE batch_id = %s",
                    (batch,)).fetchone()  # type: ignore[misc]
                if error is not None or status != "completed":
                    fatal = True
                    problems.append(f"{attempt}: {status} {error.sqlstate if error else ''} {message}")
                    break
                if owner.execute("SELECT count(*) FROM tracktik.fact_shifts WHERE shift_id = %s",
                                 (good_id,)).fetchone() != (1,):
                    problems.append(f"{attempt}: the good record was not loaded")
                for table, record_id, issue_type in kind.expect:
                    by = batch if attempt == "first run" else None
                    if not reported(owner, by, table, record_id, issue_type):
                        problems.append(f"{attempt}: no open {issue_type} of {table} {record_id}")
            for table, record_id, issue_type in kind.expect:
                count = owner.execute(
                    "SELECT count(*) FROM tracktik.data_quality_issues WHERE table_name = %s"
                    " AND record_id IS NOT DISTINCT FROM %s AND issue_type = %s",
                    (table, record_id, issue_type)).fetchone()
                if not fatal and count != (1,):
                    problems.append(f"{issue_type} of {table} {record_id} recorded {count} times")
            outcome[kind.name] = "batch-fatal" if fatal else ("silent" if problems else "reported cleanly")
            if problems:
                details[kind.name] = "; ".join(problems)

    figures = {"kinds tried": len(cases),
               "reported cleanly": sum(v == "reported cleanly" for v in outcome.values()),
               "batch-fatal": sum(v == "batch-fatal" for v in outcome.values()),
               "silent": sum(v == "silent" for v in outcome.values())}
    print("\nhostile records (database side, loader's COPY path):", json.dumps(figures))
    for name, why in details.items():
        print(f"  {outcome[name]}: {name}: {why}")
    assert figures["kinds tried"] >= 40
    assert details == {}, "kinds not reported cleanly"
    assert figures["batch-fatal"] == 0 and figures["silent"] == 0


def test_a_batch_that_still_fails_names_its_step(db_dsn: str, loader_dsn: str) -> None:
    """A failure that cannot be set aside is recorded with the step (and batch) it happened in."""
    with psycopg.connect(db_dsn, autocommit=True) as owner:
        owner.execute("""
            CREATE FUNCTION public.fail_future_issue() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.issue_type = 'hours_exceed_scheduled' THEN
                    RAISE EXCEPTION USING ERRCODE = '22003', MESSAGE = 'injected overflow';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER fail_future_issue BEFORE INSERT ON tracktik.data_quality_issues
                FOR EACH ROW EXECUTE FUNCTION public.fail_future_issue();""")
    records = world()
    records["shifts"] = [shift(7101, approvedHours=30)]
    batch, error = run_batch(loader_dsn, records)
    assert error is not None and error.sqlstate == "22003"
    assert error.diag.message_primary == "injected overflow", "the original error reaches the caller"
    with psycopg.connect(db_dsn, autocommit=True) as owner:
        status, message = owner.execute(
            "SELECT status, error_message FROM tracktik.etl_batches WHERE batch_id = %s",
            (batch,)).fetchone()  # type: ignore[misc]
        assert status == "failed"
        assert "injected overflow" in message
        assert f"batch {batch} failed while loading the bill settings and shifts" in message
        owner.execute("DROP TRIGGER fail_future_issue ON tracktik.data_quality_issues")
    again, error = run_batch(loader_dsn, records)
    assert error is None, "the next run is not blocked once the cause is gone"


def test_migration_collapses_duplicate_open_issues(empty_db_dsn: str) -> None:
    """A warehouse that already holds the same open issue several times migrates: the oldest
    stays open, the others are resolved naming it."""
    migrations = read_migrations(str(db_dir() / "migrations"))
    backend = get_backend(yoyo_uri(empty_db_dsn))
    try:
        with backend.lock():
            backend.apply_migrations(backend.to_apply(migrations.filter(lambda m: m.id < "0018")))
    finally:
        backend.connection.close()
    with psycopg.connect(empty_db_dsn, autocommit=True) as conn:
        conn.execute("""
            INSERT INTO tracktik.data_quality_issues
                   (table_name, record_id, issue_type, severity, issue_description, created_at)
            SELECT 'dim_regions', '7', 'invalid_field_value', 'error', 'copy ' || i,
                   now() - make_interval(hours => 10 - i)
              FROM generate_series(1, 5) AS i
            UNION ALL
            SELECT 'dim_regions', '8', 'invalid_field_value', 'error', 'single', now()""")
    migrate(empty_db_dsn)
    with psycopg.connect(empty_db_dsn) as conn:
        rows = conn.execute("SELECT issue_description, resolved_at IS NULL, resolution_note"
                            " FROM tracktik.data_quality_issues WHERE record_id = '7'"
                            " ORDER BY issue_id").fetchall()
        assert [r[:2] for r in rows] == [("copy 1", True)] + [(f"copy {i}", False) for i in range(2, 6)]
        kept = conn.execute("SELECT issue_id FROM tracktik.data_quality_issues WHERE record_id = '7'"
                            " AND resolved_at IS NULL").fetchone()[0]  # type: ignore[index]
        assert all(f"duplicate of open issue {kept}" in r[2] for r in rows[1:])
        assert conn.execute("SELECT count(*) FROM tracktik.data_quality_issues WHERE record_id = '8'"
                            " AND resolved_at IS NULL").fetchone() == (1,)
