"""Crafted API records are stored as data and reported, never executed.

Records go through the real path, as a login role of tracktik_loader: ``start_batch``,
``tracktik_etl.staging.copy_records`` (COPY), ``mark_batch_staged``, ``CALL run_kaiser_batch``.
They carry SQL in string fields, SQL in an id given as a string, huge values (1 MB strings,
40-digit numbers) and wrong JSON types (an id that is an object, a date-time that is a number,
hours that are an array, nested arrays for a relation, records that are not objects).

Expected outcome, by design: the batch **completes**. One hostile or broken record must not
stop the billing of every other shift (a failed batch loads nothing); each bad record is
skipped, counted in ``records_failed`` and recorded in ``tracktik.data_quality_issues`` with
its id, the good records load, and strings are stored byte for byte. Cases the code once got
wrong (a 1 MB time zone, hours of a wrong JSON type, an unknown status) are separate tests.
"""

from __future__ import annotations

import json
import os
import random
import string
from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from tracktik_etl.staging import copy_records

DROP_FACTS = "x'); DROP TABLE tracktik.fact_shifts; --"
DROP_DIMS = "1; DROP TABLE tracktik.dim_employees; --"
FORTY_DIGITS = 1234567890123456789012345678901234567890
UPDATED = "2025-01-01T00:00:00+00:00"


def megabyte() -> str:
    """1 MiB of incompressible text (TOAST cannot shrink it below any index limit)."""
    rnd = random.Random(7)  # noqa: S311 - test data, not security
    return "".join(rnd.choice(string.ascii_letters) for _ in range(1024 * 1024))


def shift(shift_id: Any, day: int, **fields: Any) -> dict[str, Any]:
    record = {"id": shift_id, "status": "ACTIVE", "startDateTime": f"2025-01-{day:02d}T08:00:00-07:00",
              "endDateTime": f"2025-01-{day:02d}T16:00:00-07:00", "employee": 9001, "position": 99000,
              "updatedOn": UPDATED}
    record.update(fields)
    return record


def world() -> dict[str, list[Any]]:
    return {
        "regions": [
            {"id": 901, "name": "Kaiser Permanente", "parentRegion": None, "status": "ACTIVE",
             "timeZone": "America/Denver", "updatedOn": UPDATED},
            {"id": 902, "name": DROP_FACTS, "parentRegion": 901, "status": "ACTIVE",
             "timeZone": "America/Denver", "updatedOn": UPDATED},
        ],
        "clients": [{"id": 9100, "name": "Site'; DELETE FROM tracktik.etl_batches; --", "type": "CLIENT",
                     "status": "ACTIVE", "region": 902, "timeZone": "America/Denver", "updatedOn": UPDATED}],
        # the post's rate history embedded as the API returns it (billingSetting.billSettings),
        # with a crafted item next to the good one
        "positions": [{"id": 99000, "name": "Post $$ || pg_sleep(10) || $$", "status": "ACTIVE",
                       "account": 9100, "nonBillable": False, "updatedOn": UPDATED,
                       "billingSetting": {"id": 5, "position": 99000, "type": "HOURLY", "billSettings": [
                           {"id": 1, "positionBilling": 5, "billingType": "HOURLY", "rate": "40.00",
                            "effectiveDate": "2024-01-01"},
                           {"id": DROP_FACTS, "positionBilling": 5, "billingType": DROP_DIMS,
                            "rate": "40.00", "effectiveDate": "2024-01-01"}]}}],
        "employees": [
            {"id": 9001, "firstName": DROP_FACTS, "lastName": megabyte(), "email": "a@b.c'--",
             "status": "ACTIVE", "region": 902, "updatedOn": UPDATED},
            {"id": DROP_DIMS, "firstName": "string id", "status": "ACTIVE", "updatedOn": UPDATED},
            {"id": {"id": {"$ne": 1}}, "firstName": "object id", "status": "ACTIVE", "updatedOn": UPDATED},
            {"id": FORTY_DIGITS, "firstName": "40 digits", "status": "ACTIVE", "updatedOn": UPDATED},
            {"id": 9002, "firstName": "region as nested array", "region": [[902]], "status": "ACTIVE",
             "updatedOn": UPDATED},
        ],
        "shifts": [
            shift(50001, 13, timeZone=DROP_FACTS),                       # good, unknown zone: warning
            shift(50002, 14, attendanceStatus=DROP_FACTS, vacant=DROP_DIMS),   # good, junk in extra fields
            shift(DROP_FACTS, 15),
            shift(DROP_DIMS, 15),
            shift(FORTY_DIGITS, 15),
            shift({"a": 1}, 15),
            shift(50005, 15, startDateTime=1736780400),
            shift(50007, 16, position=[[99000]]),
            shift(50008, 16, clockedHours=FORTY_DIGITS),
            shift(50009, 16, employee={"id": DROP_FACTS}),
            shift(50010, 17, endDateTime=["2025-01-17T16:00:00-07:00"]),
            shift(megabyte(), 17),
        ],
    }


# (data_quality_issues.record_id, table_name, issue_type) of every bad record but the 1 MB id
EXPECTED_ISSUES = sorted([
    (DROP_FACTS, "position_bill_settings", "missing_required_field"),
    (DROP_DIMS, "dim_employees", "invalid_field_value"),
    ('{"id": {"$ne": 1}}', "dim_employees", "invalid_field_value"),
    (str(FORTY_DIGITS), "dim_employees", "invalid_field_value"),
    ("9002", "dim_employees", "invalid_field_value"),
    (DROP_FACTS, "fact_shifts", "missing_required_field"),
    (DROP_DIMS, "fact_shifts", "missing_required_field"),
    (str(FORTY_DIGITS), "fact_shifts", "missing_required_field"),
    ('{"a": 1}', "fact_shifts", "missing_required_field"),
    ("50005", "fact_shifts", "unparsable_timestamp"),
    ("50007", "fact_shifts", "missing_required_field"),
    ("50008", "fact_shifts", "invalid_hours"),
    ("50009", "fact_shifts", "missing_required_field"),
    ("50010", "fact_shifts", "unparsable_timestamp"),
])


@pytest.fixture
def loader_dsn(db_dsn: str) -> Iterator[str]:
    name = f"etl_crafted_{os.getpid()}_{uuid4().hex[:8]}"
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


def load(loader_dsn: str, records: dict[str, list[Any]]) -> tuple[UUID, psycopg.Error | None]:
    """Stage ``records`` and run the batch as the loader login; the error, if the run failed."""
    with psycopg.connect(loader_dsn, autocommit=True) as etl:
        batch = etl.execute("SELECT tracktik.start_batch('crafted', '{}')").fetchone()[0]  # type: ignore[index]
        for resource, items in records.items():
            copy_records(etl, batch, resource, items)
        etl.execute("SELECT tracktik.mark_batch_staged(%s, '{}')", (batch,))
        try:
            etl.execute("CALL tracktik.run_kaiser_batch(%s)", (batch,))
        except psycopg.Error as exc:
            return batch, exc
    return batch, None


SCHEMA_SNAPSHOT = """
    SELECT (SELECT array_agg(c.oid::regclass::text ORDER BY c.oid::regclass::text) FROM pg_class AS c
             WHERE c.relnamespace IN ('tracktik'::regnamespace, 'staging'::regnamespace)
               AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relname LIKE 'api_records\\_%'
               AND NOT c.relname LIKE 'fact_shifts\\_%'),
           (SELECT count(*) FROM pg_proc),
           (SELECT count(*) FROM pg_roles),
           (SELECT count(*) FROM pg_trigger),
           (SELECT count(*) FROM pg_rewrite)"""


def test_crafted_records_are_data_reported_and_never_executed(db_dsn: str, loader_dsn: str) -> None:
    with psycopg.connect(db_dsn) as owner:
        before = owner.execute(SCHEMA_SNAPSHOT).fetchone()

    batch, error = load(loader_dsn, world())
    assert error is None, f"the batch failed: {error}"

    with psycopg.connect(db_dsn) as owner:
        assert owner.execute(SCHEMA_SNAPSHOT).fetchone() == before, "no table, routine, role or rule changed"
        status, failed, processed = owner.execute(
            "SELECT status, records_failed, records_processed FROM tracktik.etl_batches WHERE batch_id = %s",
            (batch,)).fetchone()  # type: ignore[misc]
        assert status == "completed"
        assert failed == len(EXPECTED_ISSUES) + 1   # + the shift whose id is a 1 MB string

        # bad records: skipped, each reported with its id
        issues = owner.execute(
            "SELECT record_id, table_name, issue_type FROM tracktik.data_quality_issues"
            " WHERE batch_id = %s AND severity = 'error'", (batch,)).fetchall()
        assert sorted(r for r in issues if r[0] is None or len(r[0]) < 1000) == EXPECTED_ISSUES
        assert [len(r[0]) for r in issues if r[0] and len(r[0]) >= 1000] == [1024 * 1024], \
            "the 1 MB id is reported whole"
        assert owner.execute("SELECT array_agg(employee_id ORDER BY employee_id) FROM tracktik.dim_employees"
                             ).fetchone() == ([9001],)

        # good records: loaded, strings stored byte for byte
        assert owner.execute("SELECT array_agg(shift_id ORDER BY shift_id), sum(bill_total)"
                             " FROM tracktik.fact_shifts").fetchone() == ([50001, 50002], 640)
        first, last, email = owner.execute("SELECT first_name, last_name, email FROM tracktik.dim_employees"
                                           " WHERE employee_id = 9001").fetchone()  # type: ignore[misc]
        assert (first, last, email) == (DROP_FACTS, world()["employees"][0]["lastName"], "a@b.c'--")
        assert owner.execute("SELECT name FROM tracktik.dim_regions WHERE region_id = 902").fetchone() == (
            DROP_FACTS,)
        raw = owner.execute("SELECT raw_data FROM tracktik.fact_shifts WHERE shift_id = 50002").fetchone()[0]  # type: ignore[index]
        assert raw["vacant"] == DROP_DIMS and raw["attendanceStatus"] == DROP_FACTS
        zone = owner.execute("SELECT time_zone FROM tracktik.fact_shifts WHERE shift_id = 50001").fetchone()
        assert zone == ("America/Denver",), "an unknown zone falls back to the site's"
        assert owner.execute("SELECT issue_type FROM tracktik.data_quality_issues WHERE batch_id = %s"
                             " AND record_id = '50001'", (batch,)).fetchall() == [("invalid_time_zone",)]
        assert owner.execute("SELECT count(*) FROM tracktik.etl_batches").fetchone() == (1,), \
            "nothing was deleted"


def test_records_that_are_not_objects_are_reported(db_dsn: str, loader_dsn: str) -> None:
    records = {"shifts": ["[1, 2]", json.dumps("hello"), "null", "5", "{}", "[[[[[]]]]]"],
               "employees": ["[1, 2]", json.dumps(DROP_FACTS), "true"]}
    batch, error = load(loader_dsn, records)
    assert error is None, f"the batch failed: {error}"
    with psycopg.connect(db_dsn) as owner:
        assert owner.execute("SELECT status, records_failed FROM tracktik.etl_batches WHERE batch_id = %s",
                             (batch,)).fetchone() == ("completed", 9)
        assert owner.execute("SELECT table_name, count(*) FROM tracktik.data_quality_issues"
                             " WHERE batch_id = %s AND severity = 'error' GROUP BY 1 ORDER BY 1",
                             (batch,)).fetchall() == [("dim_employees", 3), ("fact_shifts", 6)]


def test_invalid_json_is_refused_by_copy_and_the_batch_left_for_abandonment(db_dsn: str,
                                                                            loader_dsn: str) -> None:
    with psycopg.connect(loader_dsn, autocommit=True) as etl:
        batch = etl.execute("SELECT tracktik.start_batch('crafted', '{}')").fetchone()[0]  # type: ignore[index]
        with pytest.raises(psycopg.errors.InvalidTextRepresentation):
            copy_records(etl, batch, "shifts", ['{"id": 1}', "{'id': 2} ; DROP TABLE tracktik.fact_shifts"])
    with psycopg.connect(db_dsn, autocommit=True) as owner:
        owner.execute("CALL tracktik.run_kaiser_batch()")
        assert owner.execute("SELECT status FROM tracktik.etl_batches WHERE batch_id = %s",
                             (batch,)).fetchone() == ("abandoned",)
        assert owner.execute("SELECT to_regclass('tracktik.fact_shifts') IS NOT NULL").fetchone() == (True,)


def test_a_huge_time_zone_is_a_warning_not_a_failed_batch(db_dsn: str, loader_dsn: str) -> None:
    records = world()
    records["shifts"] = [shift(50001, 13, timeZone=megabyte())]
    batch, error = load(loader_dsn, records)
    assert error is None, f"the batch failed: {error.sqlstate if error else ''}"
    with psycopg.connect(db_dsn) as owner:
        assert owner.execute("SELECT issue_type FROM tracktik.data_quality_issues WHERE batch_id = %s"
                             " AND record_id = '50001'", (batch,)).fetchall() == [("invalid_time_zone",)]


def test_hours_of_a_wrong_json_type_are_reported(db_dsn: str, loader_dsn: str) -> None:
    records = world()
    records["shifts"] = [shift(50006, 14, clockedHours=[8]), shift(50011, 14, approvedHours={"h": 8}),
                         shift(50012, 14, breakInMinutes="thirty"), shift(50013, 14, clockedHours=megabyte())]
    batch, error = load(loader_dsn, records)
    assert error is None
    with psycopg.connect(db_dsn) as owner:
        reported = owner.execute("SELECT record_id, issue_type, severity FROM tracktik.data_quality_issues"
                                 " WHERE batch_id = %s AND table_name = 'fact_shifts' ORDER BY 1",
                                 (batch,)).fetchall()
        assert reported == [(str(i), "invalid_hours", "error") for i in (50006, 50011, 50012, 50013)]
        assert owner.execute("SELECT metadata -> 'facts' ->> 'failed' FROM tracktik.etl_batches"
                             " WHERE batch_id = %s", (batch,)).fetchone() == ("4",), "counted as failed"
        assert owner.execute("SELECT count(*) FROM tracktik.fact_shifts").fetchone() == (0,)


def test_an_unknown_or_huge_status_is_reported_and_not_billed(db_dsn: str, loader_dsn: str) -> None:
    records = world()
    records["shifts"] = [shift(50014, 14, status="PENDING"), shift(50015, 14, status=megabyte()),
                         shift(50016, 14, status=DROP_FACTS), shift(50017, 14, status="cancelled")]
    batch, error = load(loader_dsn, records)
    assert error is None, f"the batch failed: {error}"
    with psycopg.connect(db_dsn) as owner:
        reported = owner.execute("SELECT record_id, issue_type, severity FROM tracktik.data_quality_issues"
                                 " WHERE batch_id = %s AND table_name = 'fact_shifts' ORDER BY 1",
                                 (batch,)).fetchall()
        assert reported == [(str(i), "invalid_status", "error") for i in (50014, 50015, 50016)]
        assert owner.execute("SELECT array_agg(shift_id), sum(bill_total) FROM tracktik.fact_shifts"
                             ).fetchone() == ([50017], 0), "only the cancelled shift is stored, unbilled"
