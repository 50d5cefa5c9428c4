"""Two sessions merging (or writing by hand) the same dimension at once never produce two
current rows, nor overlapping versions.

Each session stages its own batch holding the same new employees (some with different
contents), then calls ``tracktik.merge_dimensions`` in its own transaction. The first holds its
transaction open after merging; the second must wait on the dimension's advisory lock (seen in
``pg_locks``), then, once the first commits, merge against what it committed: one current
version per id, the second batch's changes as new versions, no error in either session.

Versions written by hand (a DBA's INSERT) are held to the same rule by the no-overlap triggers:
a second transaction writing an overlapping version of the same id waits for the first and is
refused (READ COMMITTED), or cannot serialise (REPEATABLE READ).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

N_EMPLOYEES = 50


def records(job_title: str, updated_on: str) -> list[dict[str, Any]]:
    return [
        {"id": i, "customId": f"E{i}", "firstName": f"First{i}", "lastName": f"Last{i}",
         "status": "ACTIVE", "jobTitle": job_title if i % 2 else "Guard", "updatedOn": updated_on}
        for i in range(1, N_EMPLOYEES + 1)
    ]


def staged_batch(dsn: str, recs: list[dict[str, Any]]) -> str:
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute("SELECT tracktik.start_batch('test', '{}')").fetchone()
        assert row is not None
        batch = str(row[0])
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO staging.api_records (batch_id, resource, record) VALUES (%s, 'employees', %s)",
                [(batch, Jsonb(r)) for r in recs],
            )
        conn.execute("UPDATE tracktik.etl_batches SET status = 'staged' WHERE batch_id = %s", (batch,))
    return batch


def test_concurrent_merges_of_one_dimension_keep_one_current_row(db_dsn: str) -> None:
    first = staged_batch(db_dsn, records("Officer", "2025-01-01T00:00:00Z"))
    second = staged_batch(db_dsn, records("Sergeant", "2025-02-01T00:00:00Z"))

    merged_first = threading.Event()
    release_first = threading.Event()
    errors: list[BaseException] = []
    pids: dict[str, int] = {}
    results: dict[str, Any] = {}

    def session(name: str, batch: str, hold: bool) -> None:
        try:
            with psycopg.connect(db_dsn) as conn:  # one transaction, committed on exit
                pids[name] = conn.info.backend_pid
                row = conn.execute("SELECT tracktik.merge_dimensions(%s)", (batch,)).fetchone()
                assert row is not None
                results[name] = row[0]
                if hold:
                    merged_first.set()
                    assert release_first.wait(30), "the test never released the first session"
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
            merged_first.set()

    t1 = threading.Thread(target=session, args=("first", first, True))
    t1.start()
    assert merged_first.wait(30)
    t2 = threading.Thread(target=session, args=("second", second, False))
    t2.start()

    # the second session is blocked on the dimension lock while the first holds it
    with psycopg.connect(db_dsn, autocommit=True) as watcher:
        deadline = time.monotonic() + 20
        waiting = False
        while not waiting and time.monotonic() < deadline and "second" not in results:
            if "second" in pids:
                row = watcher.execute(
                    "SELECT count(*) FROM pg_locks WHERE pid = %s AND locktype = 'advisory' AND NOT granted",
                    (pids["second"],),
                ).fetchone()
                waiting = bool(row and row[0])
            time.sleep(0.05)
        assert waiting, "the second merge did not wait for the first"
        assert "second" not in results

        release_first.set()
        t1.join(30)
        t2.join(30)
        assert not errors, errors

        per_id = watcher.execute(
            "SELECT employee_id, count(*) FILTER (WHERE is_current), count(*) "
            "FROM tracktik.dim_employees GROUP BY employee_id ORDER BY employee_id"
        ).fetchall()
        overlaps = watcher.execute(
            "SELECT count(*) FROM tracktik.dim_employees a JOIN tracktik.dim_employees b "
            "ON a.employee_id = b.employee_id AND a.surrogate_key < b.surrogate_key "
            "AND tstzrange(a.valid_from, a.valid_to) && tstzrange(b.valid_from, b.valid_to)"
        ).fetchone()

    assert len(per_id) == N_EMPLOYEES
    assert all(current == 1 for _, current, _ in per_id), "an id has more or less than one current row"
    # odd ids changed in the second batch: two versions; even ids were the same: one
    assert {emp: total for emp, _, total in per_id} == {
        i: (2 if i % 2 else 1) for i in range(1, N_EMPLOYEES + 1)
    }
    assert overlaps == (0,)
    assert results["first"]["employees"]["inserted"] == N_EMPLOYEES
    assert results["second"]["employees"]["inserted"] == N_EMPLOYEES // 2
    assert results["second"]["employees"]["unchanged"] == N_EMPLOYEES // 2


def test_concurrent_inferred_members_are_made_once(db_dsn: str) -> None:
    """Two sessions inferring the same unknown ids: one placeholder each, no error."""
    barrier = threading.Barrier(2)
    created: list[int] = []
    errors: list[BaseException] = []

    def session() -> None:
        try:
            with psycopg.connect(db_dsn) as conn:
                barrier.wait(10)
                row = conn.execute(
                    "SELECT tracktik.ensure_inferred_members('positions', %s, NULL)", (list(range(1, 21)),)
                ).fetchone()
                assert row is not None
                created.append(row[0])
                time.sleep(0.2)  # hold the lock a little: the other session must wait
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=session) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert sorted(created) == [0, 20]
    with psycopg.connect(db_dsn) as conn:
        row = conn.execute(
            "SELECT count(*), count(DISTINCT position_id) FROM tracktik.dim_positions WHERE is_current"
        ).fetchone()
    assert row == (20, 20)


OVERLAP_INSERT = (
    "INSERT INTO tracktik.dim_employees (employee_id, valid_from, valid_to, is_current, attributes_hash) "
    "VALUES (%s, %s, %s, false, '\\x01')"
)


def overlaps(conn: psycopg.Connection) -> int:
    row = conn.execute(
        "SELECT count(*) FROM tracktik.dim_employees a JOIN tracktik.dim_employees b "
        "ON a.employee_id = b.employee_id AND a.surrogate_key < b.surrogate_key "
        "AND tstzrange(a.valid_from, a.valid_to) && tstzrange(b.valid_from, b.valid_to)"
    ).fetchone()
    assert row is not None
    return int(row[0])


def test_concurrent_overlapping_inserts_second_waits_then_is_refused(db_dsn: str) -> None:
    """READ COMMITTED: two sessions each insert a version of the same new id, overlapping the
    other's. The second waits for the first (the dimension's row of scd2_write_serial), then
    checks against what the first committed, and is refused with 23P01."""
    errors: list[BaseException] = []
    pids: dict[str, int] = {}
    done = threading.Event()

    with psycopg.connect(db_dsn) as first:  # READ COMMITTED, one open transaction
        first.execute(OVERLAP_INSERT, (7, "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z"))

        def second_session() -> None:
            try:
                with psycopg.connect(db_dsn) as second:
                    pids["second"] = second.info.backend_pid
                    second.execute(OVERLAP_INSERT, (7, "2025-01-15T00:00:00Z", "2025-03-01T00:00:00Z"))
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                errors.append(exc)
            finally:
                done.set()

        thread = threading.Thread(target=second_session)
        thread.start()
        with psycopg.connect(db_dsn, autocommit=True) as watcher:
            deadline = time.monotonic() + 20
            waiting = False
            while not waiting and time.monotonic() < deadline and not done.is_set():
                if "second" in pids:
                    row = watcher.execute(
                        "SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", (pids["second"],)
                    ).fetchone()
                    waiting = bool(row and row[0])
                time.sleep(0.05)
        assert waiting, "the second writer did not wait for the first"
        first.commit()
    thread.join(30)
    assert len(errors) == 1 and isinstance(errors[0], psycopg.errors.ExclusionViolation), errors
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        assert overlaps(conn) == 0
        row = conn.execute("SELECT count(*) FROM tracktik.dim_employees WHERE employee_id = 7").fetchone()
        assert row == (1,)


def test_concurrent_overlapping_insert_under_repeatable_read_is_refused(db_dsn: str) -> None:
    """REPEATABLE READ: the second session's snapshot predates the first's commit, so it cannot
    see the first's version; its overlapping write is refused all the same (40001 from the
    serialising row; 23P01 would do too) instead of creating an overlap."""
    with psycopg.connect(db_dsn) as second:
        second.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        second.execute("SELECT count(*) FROM tracktik.dim_employees")  # the snapshot is taken here
        with psycopg.connect(db_dsn) as first:
            first.execute(OVERLAP_INSERT, (8, "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z"))
        try:
            second.execute(OVERLAP_INSERT, (8, "2025-01-15T00:00:00Z", "2025-03-01T00:00:00Z"))
        except (psycopg.errors.SerializationFailure, psycopg.errors.ExclusionViolation):
            second.rollback()
        else:
            raise AssertionError("the overlapping insert under REPEATABLE READ was not refused")
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        assert overlaps(conn) == 0
        row = conn.execute("SELECT count(*) FROM tracktik.dim_employees WHERE employee_id = 8").fetchone()
        assert row == (1,)
