"""Two sessions merging the same dimension at once never produce two current rows.

Each session stages its own batch holding the same new employees (some with different
contents), then calls ``tracktik.merge_dimensions`` in its own transaction. The first holds its
transaction open after merging; the second must wait on the dimension's advisory lock (seen in
``pg_locks``), then, once the first commits, merge against what it committed: one current
version per id, the second batch's changes as new versions, no error in either session.
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
