"""Loader isolation and bounded waits (issue 11), with real second sessions.

* Two ``tracktik_loader`` logins (created as docs/runbook.md says, names unique to this run):
  the second can neither stage into, mark, run nor fail the batch the first is still fetching,
  nor fail a staged batch, whether it takes the run and processing locks in shared mode or
  exclusively by hand (a failure is recorded only inside the definer ``_process_batch``, when
  an attempt really fails), nor provoke a deadlock that marks it failed; the first loader's
  batch then completes with every record it staged.
* A DBA's open transaction that holds a lock the routines need: ``start_batch`` and
  ``CALL tracktik.run_kaiser_batch`` give up after ``tracktik.settings.lock_timeout`` with
  TT004 (busy; nothing opened, the batch keeps its status), and work once the DBA commits.
* The DBA (the owner, here the test's superuser) still runs and fails batches with the CALL.

pgTAP cannot open a second session; the single-session checks (shared locks, the staging guard,
the setting) are in db/tests/batch and db/tests/start_batch.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from tracktik_etl.errors import BatchBusy, from_database_error
from tracktik_etl.staging import copy_records

N_REGIONS = 40
LOCK_TIMEOUT_SECONDS = 1.0
GIVE_UP = "SET statement_timeout = '15s'"   # an unbounded wait fails the test (57014), never hangs it
RUN_LOCK = "hashtext('tracktik.run_kaiser_batch')"


def regions(first: int, last: int) -> list[dict[str, Any]]:
    """Region records ``first``..``last``: region 1 is the Kaiser root, the others its children."""
    return [{"id": i, "customId": f"R{i}", "name": "Kaiser Permanente" if i == 1 else f"Region {i}",
             "parentRegion": None if i == 1 else 1, "status": "ACTIVE",
             "timeZone": "America/Los_Angeles", "updatedOn": "2025-01-01T00:00:00+00:00"}
            for i in range(first, last + 1)]


@dataclass
class Logins:
    owner: str
    first: str
    second: str


def as_user(dsn: str, user: str) -> str:
    params = conninfo_to_dict(dsn)
    params["user"] = user
    params.pop("password", None)
    return make_conninfo(**params)  # type: ignore[arg-type]


@pytest.fixture
def logins(db_dsn: str) -> Iterator[Logins]:
    suffix = f"{os.getpid()}_{uuid4().hex[:8]}"
    names = (f"etl_first_{suffix}", f"etl_second_{suffix}")
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        for name in names:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN IN ROLE tracktik_loader").format(sql.Identifier(name)))
    try:
        yield Logins(db_dsn, as_user(db_dsn, names[0]), as_user(db_dsn, names[1]))
    finally:
        with psycopg.connect(db_dsn, autocommit=True) as conn:
            for name in names:
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def sqlstate_of(conn: psycopg.Connection, statement: str, args: tuple[Any, ...] = ()) -> str | None:
    """Run ``statement`` on an autocommit connection; its SQLSTATE if refused, else None."""
    try:
        conn.execute(statement, args)  # type: ignore[arg-type]  # fixed test SQL
    except psycopg.Error as exc:
        return exc.sqlstate
    return None


def copy_state(conn: psycopg.Connection, batch: UUID, records: list[dict[str, Any]]) -> str | None:
    """COPY ``records`` into ``batch`` as the shell does; the SQLSTATE if refused, else None."""
    try:
        copy_records(conn, batch, "regions", records)
    except psycopg.Error as exc:
        return exc.sqlstate
    return None


def one(dsn: str, query: str, args: tuple[Any, ...] = ()) -> Any:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(query, args).fetchone()  # type: ignore[arg-type]  # fixed test SQL
        assert row is not None
        return row[0]


def set_lock_timeout(owner: str, seconds: float) -> None:
    with psycopg.connect(owner, autocommit=True) as conn:
        conn.execute("UPDATE tracktik.settings SET lock_timeout = make_interval(secs => %s)", (seconds,))


# -- a second loader ---------------------------------------------------------------------------

def test_a_second_loader_cannot_stage_mark_run_or_fail_a_batch_another_is_fetching(logins: Logins) -> None:
    with psycopg.connect(logins.first, autocommit=True) as first, \
            psycopg.connect(logins.second, autocommit=True) as second:
        batch = first.execute("SELECT tracktik.start_batch('full', '{}')").fetchone()[0]  # type: ignore[index]
        assert copy_state(first, batch, regions(1, N_REGIONS // 2)) is None

        # the second loader, while the first is still fetching
        assert copy_state(second, batch, regions(900, 901)) == "TT004", "staging into another's batch"
        assert sqlstate_of(second, "INSERT INTO staging.rejected_records"
                                   " (batch_id, resource, reason, raw_text)"
                                   " VALUES (%s, 'regions', 'forged', '{}')", (batch,)) == "TT004", \
            "setting records aside in another's batch"
        assert sqlstate_of(second, "SELECT tracktik.mark_batch_staged(%s, '{regions}')", (batch,)) == "TT004"
        assert sqlstate_of(second, "CALL tracktik.run_kaiser_batch(%s)", (batch,)) == "TT003", \
            "a running batch is never run"
        assert sqlstate_of(second, "SELECT tracktik._process_batch(%s)", (batch,)) == "TT004"
        # ... not even with the run lock taken by hand: a running batch is never processed
        assert second.execute(f"SELECT pg_try_advisory_lock({RUN_LOCK})").fetchone() == (True,)
        assert sqlstate_of(second, "SELECT tracktik._process_batch(%s)", (batch,)) == "TT003"
        assert sqlstate_of(second, "SELECT tracktik._fail_batch(%s, 'XX000', 'forged')", (batch,)) is not None
        second.execute(f"SELECT pg_advisory_unlock({RUN_LOCK})")
        # its liveness lock cannot be shared either while the first loader holds it
        assert second.execute("SELECT pg_try_advisory_lock_shared(hashtext('tracktik.batch'), hashtext(%s))",
                              (str(batch),)).fetchone() == (False,)
        assert one(logins.owner, "SELECT status FROM tracktik.etl_batches WHERE batch_id = %s", (batch,)) \
            == "running"

        # the first loader carries on: everything it staged is loaded
        assert copy_state(first, batch, regions(N_REGIONS // 2 + 1, N_REGIONS)) is None
        first.execute("SELECT tracktik.mark_batch_staged(%s, '{regions}')", (batch,))
        # ... and once staged, its own shell cannot add to it either
        assert copy_state(first, batch, regions(902, 902)) == "TT003"
        first.execute("CALL tracktik.run_kaiser_batch(%s)", (batch,))
        summary = first.execute("SELECT tracktik.batch_summary(%s)", (batch,)).fetchone()[0]  # type: ignore[index]

    assert summary["status"] == "completed"
    assert one(logins.owner, "SELECT records_processed FROM tracktik.etl_batches WHERE batch_id = %s",
               (batch,)) == N_REGIONS
    assert one(logins.owner, "SELECT count(*) FROM staging.api_records WHERE batch_id = %s",
               (batch,)) == N_REGIONS
    assert one(logins.owner, "SELECT count(*) FROM tracktik.dim_regions WHERE is_current") == N_REGIONS


def test_a_second_loader_cannot_take_over_the_batch_of_a_shell_that_ended(logins: Logins) -> None:
    with psycopg.connect(logins.first, autocommit=True) as first:
        batch = first.execute("SELECT tracktik.start_batch('full', '{}')").fetchone()[0]  # type: ignore[index]
        assert copy_state(first, batch, regions(1, 3)) is None
    with psycopg.connect(logins.second, autocommit=True) as second:
        assert copy_state(second, batch, regions(4, 5)) == "TT003"
        assert sqlstate_of(second, "SELECT tracktik.mark_batch_staged(%s, '{regions}')", (batch,)) == "TT003"
        second.execute("CALL tracktik.run_kaiser_batch()")     # housekeeping
    assert one(logins.owner, "SELECT status FROM tracktik.etl_batches WHERE batch_id = %s", (batch,)) \
        == "abandoned"
    assert one(logins.owner, "SELECT count(*) FROM tracktik.dim_regions") == 0


def test_shared_mode_locks_do_not_let_a_second_loader_fail_a_staged_batch(logins: Logins) -> None:
    with psycopg.connect(logins.first, autocommit=True) as first:
        batch = first.execute("SELECT tracktik.start_batch('full', '{}')").fetchone()[0]  # type: ignore[index]
        assert copy_state(first, batch, regions(1, N_REGIONS)) is None
        first.execute("SELECT tracktik.mark_batch_staged(%s, '{regions}')", (batch,))

    processing = "hashtext('tracktik.processing'), hashtext(%s)"
    with psycopg.connect(logins.second, autocommit=True) as second:
        second.execute(f"SELECT pg_advisory_lock_shared({RUN_LOCK})")
        second.execute(f"SELECT pg_advisory_lock_shared({processing})", (str(batch),))
        for call in ("SELECT tracktik._process_batch(%s)", "SELECT tracktik._batches_to_run(%s)"):
            assert sqlstate_of(second, call, (batch,)) == "TT004", f"{call} with shared locks"
        assert sqlstate_of(second, "SELECT tracktik._fail_batch(%s, 'XX000', 'forged')", (batch,)) is not None
        second.execute("SELECT pg_advisory_unlock_all()")
    assert one(logins.owner, "SELECT status FROM tracktik.etl_batches WHERE batch_id = %s",
               (batch,)) == "staged"

    # while the first loader's run holds the run lock, no shared hold can be taken beside it
    with psycopg.connect(logins.first, autocommit=True) as first, \
            psycopg.connect(logins.second, autocommit=True) as second:
        assert first.execute(f"SELECT pg_try_advisory_lock({RUN_LOCK})").fetchone() == (True,)
        assert second.execute(f"SELECT pg_try_advisory_lock_shared({RUN_LOCK})").fetchone() == (False,)
        first.execute(f"SELECT pg_advisory_unlock({RUN_LOCK})")
        first.execute("CALL tracktik.run_kaiser_batch()")
    assert one(logins.owner, "SELECT status FROM tracktik.etl_batches WHERE batch_id = %s", (batch,)) \
        == "completed"
    assert one(logins.owner, "SELECT count(*) FROM tracktik.dim_regions WHERE is_current") == N_REGIONS


def test_a_loader_holding_both_locks_exclusively_cannot_forge_a_failure(logins: Logins) -> None:
    """The issue's last gap: with no run going, a second loader takes the run lock and the
    batch's processing lock EXCLUSIVELY by hand (pg_advisory_lock is public) and tries to mark
    the first loader's staged batch failed. Nothing the loader may execute records a failure:
    that happens only inside the definer _process_batch, when an attempt really fails."""
    with psycopg.connect(logins.first, autocommit=True) as first:
        batch = first.execute("SELECT tracktik.start_batch('full', '{}')").fetchone()[0]  # type: ignore[index]
        assert copy_state(first, batch, regions(1, N_REGIONS)) is None
        first.execute("SELECT tracktik.mark_batch_staged(%s, '{regions}')", (batch,))

    processing = "hashtext('tracktik.processing'), hashtext(%s)"
    with psycopg.connect(logins.second, autocommit=True) as second:
        assert second.execute(f"SELECT pg_try_advisory_lock({RUN_LOCK})").fetchone() == (True,)
        assert second.execute(f"SELECT pg_try_advisory_lock({processing})",
                              (str(batch),)).fetchone() == (True,)
        forged = "SELECT tracktik._fail_batch(%s, 'XX000', 'forged')"
        assert sqlstate_of(second, forged, (batch,)) is not None, "a forged failure is refused"
        # no routine the loader may execute has "fail" in its name any more
        assert second.execute(
            "SELECT array_agg(p.oid::regprocedure::text) FROM pg_proc AS p"
            " WHERE p.pronamespace = 'tracktik'::regnamespace AND p.proname LIKE '%%fail%%'"
            "   AND has_function_privilege(p.oid, 'EXECUTE')").fetchone() == (None,)
        second.execute("SELECT pg_advisory_unlock_all()")
    assert one(logins.owner, "SELECT status FROM tracktik.etl_batches WHERE batch_id = %s", (batch,)) \
        == "staged", "the staged batch was not failed"

    # the first loader's next run loads it
    with psycopg.connect(logins.first, autocommit=True) as first:
        first.execute("CALL tracktik.run_kaiser_batch()")
    assert one(logins.owner, "SELECT status FROM tracktik.etl_batches WHERE batch_id = %s", (batch,)) \
        == "completed"
    assert one(logins.owner, "SELECT count(*) FROM tracktik.dim_regions WHERE is_current") == N_REGIONS


def test_a_deadlock_a_second_loader_provokes_does_not_fail_the_batch(logins: Logins) -> None:
    """A second loader holds the regions merge lock (an advisory lock anyone can take) while the
    first loader's run waits for it, then waits for the run lock: a deadlock that PostgreSQL
    breaks by rolling back the run. That is "busy" (TT004), not a failure of the batch: it
    stays staged and the next run loads it."""
    owner = logins.owner
    set_lock_timeout(owner, 10.0)   # PostgreSQL's deadlock check (after 1 s) comes first
    with psycopg.connect(logins.first, autocommit=True) as first:
        batch = first.execute("SELECT tracktik.start_batch('full', '{}')").fetchone()[0]  # type: ignore[index]
        assert copy_state(first, batch, regions(1, N_REGIONS)) is None
        first.execute("SELECT tracktik.mark_batch_staged(%s, '{regions}')", (batch,))

    merge_lock = "hashtext('tracktik.scd2'), hashtext('regions')"
    outcome: dict[str, Any] = {}
    with psycopg.connect(logins.first, autocommit=True) as first, \
            psycopg.connect(logins.second, autocommit=True) as second, \
            psycopg.connect(owner, autocommit=True) as watch:
        first.execute(GIVE_UP)
        second.execute(GIVE_UP)
        second.execute(f"SELECT pg_advisory_lock({merge_lock})")
        pid = first.info.backend_pid

        def run() -> None:
            try:
                first.execute("CALL tracktik.run_kaiser_batch()")
            except psycopg.Error as exc:
                outcome["error"] = exc

        worker = threading.Thread(target=run)
        worker.start()
        deadline = time.monotonic() + 10
        while not watch.execute("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted"
                                " AND locktype = 'advisory')", (pid,)).fetchone()[0]:  # type: ignore[index]
            assert time.monotonic() < deadline, "the run never waited for the merge lock"
            time.sleep(0.01)
        # the cycle: the run waits for the merge lock, the second loader for the run lock
        second.execute(f"SELECT pg_advisory_lock({RUN_LOCK})")
        worker.join(15)
        second.execute("SELECT pg_advisory_unlock_all()")

    error = outcome.get("error")
    assert error is not None and error.sqlstate == "TT004", f"busy, not failed: {error!r}"
    assert "40P01" in (error.diag.message_primary or ""), error.diag.message_primary
    assert one(owner, "SELECT status FROM tracktik.etl_batches WHERE batch_id = %s", (batch,)) == "staged"
    with psycopg.connect(logins.first, autocommit=True) as first:
        first.execute("CALL tracktik.run_kaiser_batch()")
    assert one(owner, "SELECT status FROM tracktik.etl_batches WHERE batch_id = %s", (batch,)) == "completed"


# -- a DBA's open transaction ------------------------------------------------------------------

@pytest.mark.parametrize("dba_statement", [
    "SELECT count(*) FROM staging.api_records",          # the new partition needs ACCESS EXCLUSIVE
    "LOCK TABLE tracktik.etl_batches IN SHARE MODE",     # the batch row cannot be inserted
], ids=["reads-staging", "locks-etl-batches"])
def test_start_batch_gives_up_behind_a_dbas_open_transaction(logins: Logins, dba_statement: str) -> None:
    set_lock_timeout(logins.owner, LOCK_TIMEOUT_SECONDS)
    with psycopg.connect(logins.owner) as dba, psycopg.connect(logins.first, autocommit=True) as etl:
        etl.execute(GIVE_UP)
        dba.execute(dba_statement)  # type: ignore[arg-type]  # fixed test SQL; the transaction stays open
        began = time.monotonic()
        with pytest.raises(psycopg.Error) as caught:
            etl.execute("SELECT tracktik.start_batch('incremental', '{}')")
        waited = time.monotonic() - began
        dba.rollback()

        assert caught.value.sqlstate == "TT004"
        assert "busy" in (caught.value.diag.message_primary or "")
        assert "next run" in (caught.value.diag.message_detail or "")
        assert isinstance(from_database_error(caught.value), BatchBusy), "the shell skips this run"
        assert LOCK_TIMEOUT_SECONDS * 0.9 <= waited < LOCK_TIMEOUT_SECONDS + 3, f"waited {waited:.2f} s"
        assert one(logins.owner, "SELECT count(*) FROM tracktik.etl_batches") == 0, "nothing was opened"
        assert etl.execute("SHOW lock_timeout").fetchone() == ("0",), "the session's own setting is kept"

        # the DBA is done: the next attempt opens its batch
        batch = etl.execute("SELECT tracktik.start_batch('incremental', '{}')").fetchone()[0]  # type: ignore[index]
        assert copy_state(etl, batch, regions(1, 2)) is None


def test_the_run_gives_up_behind_a_dbas_open_transaction_and_the_batch_stays_staged(logins: Logins) -> None:
    set_lock_timeout(logins.owner, LOCK_TIMEOUT_SECONDS)
    with psycopg.connect(logins.first, autocommit=True) as etl:
        batch = etl.execute("SELECT tracktik.start_batch('full', '{}')").fetchone()[0]  # type: ignore[index]
        assert copy_state(etl, batch, regions(1, N_REGIONS)) is None
        etl.execute("SELECT tracktik.mark_batch_staged(%s, '{regions}')", (batch,))

        etl.execute(GIVE_UP)
        with psycopg.connect(logins.owner) as dba:
            # an uncommitted change of the batch row: _process_batch waits for it
            dba.execute("UPDATE tracktik.etl_batches SET metadata = metadata WHERE batch_id = %s", (batch,))
            began = time.monotonic()
            with pytest.raises(psycopg.Error) as caught:
                etl.execute("CALL tracktik.run_kaiser_batch()")
            waited = time.monotonic() - began
            assert caught.value.sqlstate == "TT004"
            assert str(batch) in (caught.value.diag.message_primary or "")
            assert LOCK_TIMEOUT_SECONDS * 0.9 <= waited < LOCK_TIMEOUT_SECONDS + 3, f"waited {waited:.2f} s"
            dba.rollback()

            # a lock on the batch table: the run gives up before processing anything
            dba.execute("LOCK TABLE tracktik.etl_batches IN SHARE MODE")
            with pytest.raises(psycopg.Error) as caught:
                etl.execute("CALL tracktik.run_kaiser_batch()")
            assert caught.value.sqlstate == "TT004"
            dba.rollback()

        assert one(logins.owner, "SELECT status FROM tracktik.etl_batches WHERE batch_id = %s", (batch,)) \
            == "staged", "a lock wait does not fail the batch"
        assert one(logins.owner, "SELECT count(*) FROM tracktik.dim_regions") == 0
        # no lock of the run is left behind: the next run loads the batch
        assert etl.execute("SELECT count(*) FROM pg_locks"
                           " WHERE pid = pg_backend_pid() AND locktype = 'advisory'").fetchone() == (0,)
        etl.execute("CALL tracktik.run_kaiser_batch()")
        assert etl.execute("SHOW lock_timeout").fetchone() == ("0",), "the session's own setting is kept"
    assert one(logins.owner, "SELECT status FROM tracktik.etl_batches WHERE batch_id = %s", (batch,)) \
        == "completed"
    assert one(logins.owner, "SELECT count(*) FROM tracktik.dim_regions WHERE is_current") == N_REGIONS


# -- the DBA -----------------------------------------------------------------------------------

def test_the_dbas_call_still_runs_and_fails_loader_batches(logins: Logins) -> None:
    staged: list[UUID] = []
    with psycopg.connect(logins.first, autocommit=True) as etl:
        for first, last in ((1, N_REGIONS), (N_REGIONS + 1, N_REGIONS + 5)):
            batch = etl.execute("SELECT tracktik.start_batch('full', '{}')").fetchone()[0]  # type: ignore[index]
            assert copy_state(etl, batch, regions(first, last)) is None
            etl.execute("SELECT tracktik.mark_batch_staged(%s, '{}')", (batch,))
            staged.append(batch)

    with psycopg.connect(logins.owner, autocommit=True) as dba:
        dba.execute("CALL tracktik.run_kaiser_batch(%s)", (staged[0],))
        assert one(logins.owner, "SELECT status FROM tracktik.etl_batches WHERE batch_id = %s",
                   (staged[0],)) == "completed"

        dba.execute("UPDATE tracktik.settings SET default_time_zone = 'Mars/Olympus_Mons'")   # TT021
        with pytest.raises(psycopg.Error) as caught:
            dba.execute("CALL tracktik.run_kaiser_batch(%s)", (staged[1],))
        assert caught.value.sqlstate == "TT021", "the original error reaches the DBA"
        assert one(logins.owner, "SELECT status || ' ' || error_sqlstate FROM tracktik.etl_batches"
                                 " WHERE batch_id = %s", (staged[1],)) == "failed TT021"

        dba.execute("UPDATE tracktik.settings SET default_time_zone = 'America/Los_Angeles'")
        dba.execute("CALL tracktik.run_kaiser_batch(%s)", (staged[1],))
    assert one(logins.owner, "SELECT status FROM tracktik.etl_batches WHERE batch_id = %s",
               (staged[1],)) == "completed"
