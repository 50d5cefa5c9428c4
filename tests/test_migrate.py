"""``tracktik-etl migrate``: idempotent, reversible, concurrent-safe, routines always current."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from pathlib import Path

import psycopg
import pytest

from tracktik_etl.cluster import find_bindir
from tracktik_etl.migrate import db_dir, migrate, rollback_all

ROOT = Path(__file__).resolve().parents[1]


def migration_ids() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in (db_dir() / "migrations").glob("*.sql")
                        if not p.name.endswith(".rollback.sql")))


def schema_dump(dsn: str) -> str:
    """pg_dump of the schema (no data), without the lines that differ between runs."""
    proc = subprocess.run(  # noqa: S603 - fixed binary
        [str(find_bindir() / "pg_dump"), "--schema-only", "--no-owner", "-d", dsn],
        capture_output=True, text=True, check=True,
    )
    return "\n".join(
        line for line in proc.stdout.splitlines()
        if not line.startswith(("-- Dumped", "\\restrict", "\\unrestrict"))
    )


def test_migrate_twice_changes_nothing(empty_db_dsn: str) -> None:
    first = migrate(empty_db_dsn)
    assert first.applied == migration_ids()
    dump1 = schema_dump(empty_db_dsn)
    second = migrate(empty_db_dsn)
    assert second.applied == ()
    assert second.routines_dropped == ()
    assert schema_dump(empty_db_dsn) == dump1


def test_rollback_to_zero_then_migrate_again(empty_db_dsn: str) -> None:
    migrate(empty_db_dsn)
    dump1 = schema_dump(empty_db_dsn)
    undone = rollback_all(empty_db_dsn)
    assert undone, "rollback_all rolled nothing back"
    with psycopg.connect(empty_db_dsn) as conn:
        left = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname IN ('tracktik', 'staging')"
        ).fetchall()
        assert left == []
    migrate(empty_db_dsn)
    assert schema_dump(empty_db_dsn) == dump1


def test_routines_reapply_after_edit_without_migration(
    empty_db_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "db"
    shutil.copytree(db_dir(), copy)
    monkeypatch.setenv("TRACKTIK_DB_DIR", str(copy))
    migrate(empty_db_dsn)

    # edit a routine's body in place: the next migrate applies it, no migration needed
    target = copy / "functions" / "011_get_billing_period.sql"
    target.write_text(target.read_text().replace(
        "SELECT b.period_id FROM", "SELECT 'edited_' || b.period_id FROM"))
    # and remove a routine file: it must disappear from the database
    (copy / "functions" / "021_ensure_billing_period.sql").unlink()
    result = migrate(empty_db_dsn)
    assert result.applied == ()
    assert result.routines_dropped == ("tracktik.ensure_billing_period(date)",)
    with psycopg.connect(empty_db_dsn) as conn:
        got = conn.execute("SELECT tracktik.get_billing_period('2025-01-01')").fetchone()
        assert got == ("edited_2025_01",)
        gone = conn.execute(
            "SELECT to_regprocedure('tracktik.ensure_billing_period(date)')").fetchone()
        assert gone == (None,)


def test_broken_routine_file_leaves_previous_routines(
    empty_db_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "db"
    shutil.copytree(db_dir(), copy)
    monkeypatch.setenv("TRACKTIK_DB_DIR", str(copy))
    migrate(empty_db_dsn)
    (copy / "functions" / "011_get_billing_period.sql").write_text(
        "CREATE OR REPLACE FUNCTION tracktik.get_billing_period(p_date date) RETURNS text "
        "LANGUAGE sql AS $$ SELECT 'broken' $$;\n")
    (copy / "functions" / "012_broken.sql").write_text("CREATE FUNCTION syntax error;\n")
    with pytest.raises(RuntimeError, match="012_broken.sql"):
        migrate(empty_db_dsn)
    with psycopg.connect(empty_db_dsn) as conn:
        assert conn.execute("SELECT tracktik.get_billing_period('2025-01-01')").fetchone() == ("2025_01",)


def test_concurrent_migrates_both_succeed(empty_db_dsn: str) -> None:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            migrate(empty_db_dsn)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    with psycopg.connect(empty_db_dsn) as conn:
        applied = conn.execute("SELECT count(*) FROM _yoyo_migration").fetchone()[0]
    assert applied == len(migration_ids())


def test_cli_unreachable_database_is_one_clear_line() -> None:
    proc = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "tracktik_etl.cli", "migrate",
         "--dsn", "host=127.0.0.1 port=1 dbname=nowhere connect_timeout=2"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("tracktik-etl: error: cannot connect to the database")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_cli_missing_dsn_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    proc = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "tracktik_etl.cli", "migrate"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert "DATABASE_URL" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_migrate_applies_and_reports(empty_db_dsn: str) -> None:
    cmd = [sys.executable, "-m", "tracktik_etl.cli", "migrate", "--dsn", empty_db_dsn]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=120)  # noqa: S603
    assert first.returncode == 0, first.stderr
    assert f"migrations applied: {len(migration_ids())} (" in first.stdout
    second = subprocess.run(cmd, capture_output=True, text=True, timeout=120)  # noqa: S603
    assert second.returncode == 0, second.stderr
    assert "migrations applied: 0 (schema up to date)" in second.stdout


def test_cli_simulate_forwards_arguments_after_a_double_dash() -> None:
    proc = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "tracktik_etl.cli", "simulate", "--", "--help"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "--employees" in proc.stdout
