"""CALL tracktik.run_kaiser_batch: the procedure COMMITs, so these tests use autocommit connections
to a fresh database (``db_dsn``) instead of pgTAP's one transaction.

The shared SQL helpers of ``db/tests/helpers/020_facts.sql`` (schema ``tt_test``) build the
world and stage records. Tests that need the SCD2 merge of issue 3
(``tracktik.merge_dimensions``) are marked xfail while it does not exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import psycopg
import pytest

from tracktik_etl.errors import BatchBusy, BatchStateError, from_database_error

RUN_LOCK = "tracktik.run_kaiser_batch"


@pytest.fixture
def conn(db_dsn: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(db_dsn, autocommit=True) as c:
        yield c


def staged_batch(dsn: str, *, world: bool = True, shifts: str = "", batch_type: str = "test") -> UUID:
    """Open a batch on its own connection (as the shell does), stage, mark it staged, close."""
    with psycopg.connect(dsn, autocommit=True) as c:
        batch = c.execute("SELECT tt_test.new_batch(%s)", (batch_type,)).fetchone()[0]  # type: ignore[index]
        if world:
            c.execute("SELECT tt_test.stage_world(%s)", (batch,))
        if shifts:
            c.execute(shifts.replace(":b", f"'{batch}'"))
        c.execute("SELECT tracktik.mark_batch_staged(%s, '{}')", (batch,))
    return batch


SIX_COLORADO_DAYS = "SELECT tt_test.stage_days(:b, 100, 1, 2000, '2025-01-17', 6)"


def batch_row(conn: psycopg.Connection, batch: UUID) -> tuple[str, str | None, str | None]:
    row = conn.execute(
        "SELECT status, error_sqlstate, error_message FROM tracktik.etl_batches WHERE batch_id = %s",
        (batch,)).fetchone()
    assert row is not None
    return row  # type: ignore[return-value]


def run_lock_held(conn: psycopg.Connection) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM pg_locks"
        " WHERE locktype = 'advisory' AND objsubid = 1 AND objid::int = hashtext(%s)",
        (RUN_LOCK,)).fetchone()
    return bool(row and row[0])


def test_run_completes_a_staged_batch_and_commits(db_dsn: str, conn: psycopg.Connection) -> None:
    conn.execute("SELECT tt_test.add_world_rates()")
    batch = staged_batch(db_dsn, shifts=SIX_COLORADO_DAYS)
    conn.execute("SET ROLE tracktik_loader")   # as the shell runs it: the loader's grants suffice
    conn.execute("CALL tracktik.run_kaiser_batch(%s)", (batch,))
    conn.execute("RESET ROLE")
    with psycopg.connect(db_dsn) as other:   # committed: another session sees it
        assert other.execute("SELECT count(*) FROM tracktik.fact_shifts").fetchone() == (6,)
        assert other.execute("SELECT status FROM tracktik.etl_batches WHERE batch_id = %s",
                             (batch,)).fetchone() == ("completed",)
        assert other.execute("SELECT bill_overtime_hours FROM tracktik.fact_shifts WHERE shift_id = 105"
                             ).fetchone()[0] == 8  # type: ignore[index]
    assert not run_lock_held(conn), "the run lock is released"


def test_a_completed_batch_is_refused_with_tt003(db_dsn: str, conn: psycopg.Connection) -> None:
    batch = staged_batch(db_dsn, world=False)
    conn.execute("UPDATE tracktik.etl_batches SET status = 'completed' WHERE batch_id = %s", (batch,))
    with pytest.raises(psycopg.Error) as caught:
        conn.execute("CALL tracktik.run_kaiser_batch(%s)", (batch,))
    assert caught.value.sqlstate == "TT003"
    assert isinstance(from_database_error(caught.value), BatchStateError)
    assert batch_row(conn, batch)[0] == "completed", "the completed batch is left as it was"
    assert not run_lock_held(conn), "the run lock is released after a refusal"


def test_an_unknown_batch_is_refused_with_tt002(conn: psycopg.Connection) -> None:
    with pytest.raises(psycopg.Error) as caught:
        conn.execute("CALL tracktik.run_kaiser_batch('00000000-0000-0000-0000-000000000000')")
    assert caught.value.sqlstate == "TT002"


def test_a_second_caller_gets_tt004_at_once(db_dsn: str, conn: psycopg.Connection) -> None:
    batch = staged_batch(db_dsn, world=False)
    with psycopg.connect(db_dsn, autocommit=True) as first:
        first.execute("SELECT pg_advisory_lock(hashtext(%s))", (RUN_LOCK,))   # a run in progress
        with pytest.raises(psycopg.Error) as caught:
            conn.execute("CALL tracktik.run_kaiser_batch(%s)", (batch,))
        assert caught.value.sqlstate == "TT004"
        assert isinstance(from_database_error(caught.value), BatchBusy)
        assert batch_row(conn, batch)[0] == "staged", "the batch was not touched"


def test_a_call_inside_a_transaction_block_is_refused_without_holding_the_lock(
        db_dsn: str, conn: psycopg.Connection) -> None:
    with psycopg.connect(db_dsn) as in_tx:   # not autocommit: CALL runs inside BEGIN
        with pytest.raises(psycopg.Error) as caught:
            in_tx.execute("CALL tracktik.run_kaiser_batch()")
        assert caught.value.sqlstate == "2D000"   # invalid transaction termination
        in_tx.rollback()
        assert not run_lock_held(conn)


def test_a_failure_mid_batch_rolls_everything_back_and_is_recorded(
        db_dsn: str, conn: psycopg.Connection) -> None:
    conn.execute("SELECT tt_test.add_world_rates()")
    bad_record = """; SELECT tt_test.stage(:b, 'shifts', '{"id": 999}')"""
    batch = staged_batch(db_dsn, shifts=SIX_COLORADO_DAYS + bad_record)
    # fail after the merge and the fact load (which recorded an issue for the bad record), when
    # the watermarks are written
    conn.execute("""
        CREATE FUNCTION tt_test.fail_watermarks() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION USING ERRCODE = '22012', MESSAGE = 'injected failure'; END $$;
        CREATE TRIGGER fail_watermarks BEFORE INSERT ON tracktik.etl_sync_status
            FOR EACH ROW EXECUTE FUNCTION tt_test.fail_watermarks();
    """)
    with pytest.raises(psycopg.errors.DivisionByZero) as caught:
        conn.execute("CALL tracktik.run_kaiser_batch(%s)", (batch,))
    assert caught.value.diag.message_primary == "injected failure", "the original error reaches the caller"

    status, sqlstate, message = batch_row(conn, batch)
    assert (status, sqlstate) == ("failed", "22012"), "the batch is failed with the original SQLSTATE"
    assert message and "injected failure" in message
    for table in ("fact_shifts", "dim_regions", "dim_employees", "etl_sync_status", "data_quality_issues",
                  "position_bill_settings"):
        count = conn.execute(f"SELECT count(*) FROM tracktik.{table}").fetchone()  # noqa: S608 - fixed names
        assert count == (0,), f"tracktik.{table} is untouched"
    assert conn.execute("SELECT count(*) FROM staging.api_records WHERE batch_id = %s",
                        (batch,)).fetchone() == (28,), "staging is kept"
    assert not run_lock_held(conn)

    # after the fix the same batch runs again
    conn.execute("DROP TRIGGER fail_watermarks ON tracktik.etl_sync_status")
    conn.execute("CALL tracktik.run_kaiser_batch(%s)", (batch,))
    status, sqlstate, message = batch_row(conn, batch)
    assert (status, sqlstate, message) == ("completed", None, None)
    assert conn.execute("SELECT count(*) FROM tracktik.fact_shifts").fetchone() == (6,)
    assert conn.execute("SELECT records_failed FROM tracktik.etl_batches WHERE batch_id = %s",
                        (batch,)).fetchone() == (1,)


def test_the_same_records_again_leave_every_fact_row_byte_identical(
        db_dsn: str, conn: psycopg.Connection) -> None:
    conn.execute("SELECT tt_test.add_world_rates()")
    shifts = (SIX_COLORADO_DAYS
              + "; SELECT tt_test.stage_days(:b, 200, 2, 1000, '2025-01-13', 5, 10)"
              + "; SELECT tt_test.stage_shift(:b, 300, 3, 2001,"
                " '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00')")
    first = staged_batch(db_dsn, shifts=shifts)
    conn.execute("CALL tracktik.run_kaiser_batch(%s)", (first,))
    snapshot = ("SELECT shift_id, ctid::text, xmin::text, f::text"
                " FROM tracktik.fact_shifts AS f ORDER BY shift_id")
    before = conn.execute(snapshot).fetchall()
    assert len(before) == 12

    again = staged_batch(db_dsn, shifts=shifts)
    conn.execute("CALL tracktik.run_kaiser_batch(%s)", (again,))
    assert batch_row(conn, again)[0] == "completed"
    assert conn.execute(snapshot).fetchall() == before, "same tuples (ctid, xmin), same bytes"
    facts = conn.execute("SELECT metadata -> 'facts' FROM tracktik.etl_batches WHERE batch_id = %s",
                         (again,)).fetchone()[0]  # type: ignore[index]
    assert facts["unchanged"] == 12 and facts["written"] == 0


def test_without_argument_every_staged_batch_runs_oldest_first_and_dead_ones_are_abandoned(
        db_dsn: str, conn: psycopg.Connection) -> None:
    conn.execute("SELECT tt_test.add_world_rates()")
    older = staged_batch(db_dsn, shifts=SIX_COLORADO_DAYS)
    newer = staged_batch(db_dsn, world=False,
                         shifts="SELECT tt_test.stage_days(:b, 100, 1, 2000, '2025-01-17', 1, 12)")
    with psycopg.connect(db_dsn, autocommit=True) as dead:
        dead_batch = dead.execute("SELECT tt_test.new_batch()").fetchone()[0]  # type: ignore[index]
    with psycopg.connect(db_dsn, autocommit=True) as alive:
        alive_batch = alive.execute("SELECT tt_test.new_batch()").fetchone()[0]  # type: ignore[index]

        conn.execute("CALL tracktik.run_kaiser_batch()")

        assert batch_row(conn, older)[0] == "completed"
        assert batch_row(conn, newer)[0] == "completed"
        order = conn.execute("SELECT array_agg(batch_id ORDER BY completed_at) FROM tracktik.etl_batches "
                             "WHERE batch_id IN (%s, %s)", (older, newer)).fetchone()[0]  # type: ignore[index]
        assert order == [older, newer], "oldest first, each in its own transaction"
        assert conn.execute("SELECT scheduled_hours FROM tracktik.fact_shifts WHERE shift_id = 100"
                            ).fetchone()[0] == 12, "the newer batch's version of shift 100 won"  # type: ignore[index]
        assert batch_row(conn, dead_batch)[0] == "abandoned", "a running batch whose shell died is abandoned"
        assert batch_row(conn, alive_batch)[0] == "running", "a running batch whose shell lives is left alone"


def test_a_failure_names_the_dimension_record_that_violates_a_dbas_check_constraint(
        db_dsn: str, conn: psycopg.Connection) -> None:
    """A check the range checks know nothing of (a DBA's CHECK on dim_regions.name) fails the
    batch; the records of the batch are validated again against it and the one that violates
    it is named in error_message: resource, id, API field and value."""
    conn.execute("ALTER TABLE tracktik.dim_regions"
                 " ADD CONSTRAINT dba_no_los_angeles CHECK (name <> 'Los Angeles')")
    batch = staged_batch(db_dsn)   # region 12 is "Los Angeles"
    with pytest.raises(psycopg.errors.CheckViolation) as caught:
        conn.execute("CALL tracktik.run_kaiser_batch(%s)", (batch,))
    assert "dba_no_los_angeles" in (caught.value.diag.message_primary or ""), "the original error"
    named = 'on regions record 12 (field name = "Los Angeles")'
    assert named in (caught.value.diag.message_detail or ""), caught.value.diag.message_detail

    status, sqlstate, message = batch_row(conn, batch)
    assert (status, sqlstate) == ("failed", "23514")
    assert message is not None
    assert f"batch {batch} failed while merging the dimensions" in message, message
    assert named in message, message
    failure = conn.execute("SELECT metadata -> 'failure' FROM tracktik.etl_batches WHERE batch_id = %s",
                           (batch,)).fetchone()[0]  # type: ignore[index]
    assert failure["record"]["resource"] == "regions" and failure["record"]["id"] == "12"
    assert failure["record"]["violations"] == 1
    assert conn.execute("SELECT count(*) FROM tracktik.dim_regions").fetchone() == (0,), "rolled back"

    conn.execute("ALTER TABLE tracktik.dim_regions DROP CONSTRAINT dba_no_los_angeles")
    conn.execute("CALL tracktik.run_kaiser_batch(%s)", (batch,))
    assert batch_row(conn, batch) == ("completed", None, None)


def test_a_failure_on_a_fact_row_names_the_shift_record(db_dsn: str, conn: psycopg.Connection) -> None:
    """A DBA's CHECK on fact_shifts (inherited by its partitions) that one 12-hour shift violates:
    the failing row's shift id names the staged shift record."""
    conn.execute("SELECT tt_test.add_world_rates()")
    conn.execute("ALTER TABLE tracktik.fact_shifts"
                 " ADD CONSTRAINT dba_at_most_ten_hours CHECK (scheduled_hours <= 10)")
    batch = staged_batch(db_dsn, shifts=SIX_COLORADO_DAYS
                         + "; SELECT tt_test.stage_days(:b, 300, 2, 2001, '2025-01-17', 1, 12)")
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("CALL tracktik.run_kaiser_batch(%s)", (batch,))
    status, sqlstate, message = batch_row(conn, batch)
    assert (status, sqlstate) == ("failed", "23514")
    assert message is not None and "on shifts record 300 (column scheduled_hours)" in message, message
    assert f"batch {batch} failed while loading the bill settings and shifts" in message
    assert conn.execute("SELECT count(*) FROM tracktik.fact_shifts").fetchone() == (0,), "rolled back"


def test_a_failure_that_names_no_table_still_names_the_step(db_dsn: str, conn: psycopg.Connection) -> None:
    """Where no record can be pinned (an unusable setting), error_message names the step only."""
    batch = staged_batch(db_dsn, shifts=SIX_COLORADO_DAYS)
    conn.execute("UPDATE tracktik.settings SET default_time_zone = 'Mars/Olympus_Mons'")
    with pytest.raises(psycopg.Error) as caught:
        conn.execute("CALL tracktik.run_kaiser_batch(%s)", (batch,))
    assert caught.value.sqlstate == "TT021"
    status, sqlstate, message = batch_row(conn, batch)
    assert (status, sqlstate) == ("failed", "TT021")
    assert message is not None and "failed while loading the bill settings and shifts" in message
    assert " record " not in message, message
    assert not run_lock_held(conn)
