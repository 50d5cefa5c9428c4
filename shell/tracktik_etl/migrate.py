"""Schema management: yoyo migrations, then every routine of ``db/functions``.

``db/migrations`` holds versioned DDL applied once each (yoyo, under yoyo's lock).
``db/functions`` holds the PL/pgSQL routines, one per file, re-applied on *every* migrate in
one transaction (yoyo's post-apply hooks run only when a migration is pending), followed by
``db/grants/*.sql`` (who may execute which routine). Routines in
the schemas ``tracktik`` and ``staging`` that no file defines any longer are dropped in the
same transaction, so the database always holds exactly the routines of the checkout.

The whole migrate runs under a session advisory lock, so concurrent invocations queue
instead of racing on yoyo's bookkeeping tables.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from yoyo import get_backend, read_migrations

from .errors import DatabaseUnavailable, redact_dsn

logger = logging.getLogger(__name__)

MANAGED_SCHEMAS = ("tracktik", "staging")
MIGRATE_LOCK_KEY = "tracktik.migrate"


def db_dir() -> Path:
    """The ``db/`` directory: ``$TRACKTIK_DB_DIR``, else the checkout this package lives in."""
    env = os.environ.get("TRACKTIK_DB_DIR")
    path = Path(env) if env else Path(__file__).resolve().parents[2] / "db"
    if not (path / "migrations").is_dir():
        raise FileNotFoundError(
            f"no db/migrations under {path}; run from a checkout or set TRACKTIK_DB_DIR"
        )
    return path


def yoyo_uri(dsn: str) -> str:
    """A yoyo URI (psycopg 3 driver) carrying every libpq parameter of ``dsn``."""
    params = {k: str(v) for k, v in conninfo_to_dict(dsn).items() if v is not None}
    dbname = params.pop("dbname", "")
    return f"postgresql+psycopg:///{dbname}?{urlencode(params)}"


def connect(dsn: str, *, autocommit: bool = False) -> psycopg.Connection:
    """psycopg.connect that turns an unreachable server or an unusable connection string into
    :class:`DatabaseUnavailable`, in one line without the DSN's password."""
    try:
        return psycopg.connect(dsn, autocommit=autocommit)
    except (psycopg.OperationalError, psycopg.ProgrammingError) as exc:
        message = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DatabaseUnavailable(f"cannot connect to the database: {redact_dsn(message, dsn)}") from None


@dataclass(frozen=True)
class MigrateResult:
    applied: tuple[str, ...]
    routines_applied: int
    routines_dropped: tuple[str, ...]


def routine_files(directory: Path | None = None) -> list[Path]:
    directory = directory or db_dir() / "functions"
    return sorted(directory.glob("*.sql"))


def _drop_routines(conn: psycopg.Connection, *, stale_only: bool, cascade: bool = False) -> tuple[str, ...]:
    """Drop the routines of the managed schemas that belong to no extension (with
    ``stale_only``, only those this transaction did not (re)create); return their signatures."""
    rows = conn.execute(
        """
        SELECT p.oid::regprocedure::text, CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = ANY(%s)
           AND NOT (%s AND p.xmin = pg_current_xact_id()::xid)
           AND NOT EXISTS (SELECT 1 FROM pg_depend d
                            WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
        """,
        (list(MANAGED_SCHEMAS), stale_only),
    ).fetchall()
    for signature, kind in rows:
        logger.info("dropping routine %s", signature)
        conn.execute(sql.SQL("DROP {} {} {}").format(sql.SQL(kind), sql.SQL(signature),
                                                     sql.SQL("CASCADE" if cascade else "")))
    return tuple(signature for signature, _ in rows)


def apply_routines(conn: psycopg.Connection, directory: Path | None = None) -> tuple[int, tuple[str, ...]]:
    """Apply every ``db/functions/*.sql`` file in order, drop stale routines, then apply
    ``db/grants/*.sql``; all in one transaction.

    A routine counts as stale when it lives in a managed schema, belongs to no extension and
    was not (re)created by this transaction: CREATE OR REPLACE rewrites its pg_proc row,
    so the row's xmin is this transaction's id.
    """
    files = routine_files(directory)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('tracktik.apply_routines'))")
        for path in files:
            try:
                conn.execute(path.read_bytes())  # a trusted file of the checkout
            except psycopg.Error as exc:
                raise RuntimeError(f"{path.name}: {exc}") from exc
        dropped = _drop_routines(conn, stale_only=True)
        # privileges last: REVOKE/GRANT rewrite every pg_proc row, so after the stale check
        grants = (directory or db_dir() / "functions").parent / "grants"
        for path in sorted(grants.glob("*.sql")):
            conn.execute(path.read_bytes())  # a trusted file of the checkout
    return len(files), dropped


@contextmanager
def _yoyo(dsn: str, lock_timeout: int) -> Iterator[Any]:
    """yoyo's backend under the migrate lock (a session advisory lock, then yoyo's own)."""
    with connect(dsn, autocommit=True) as lock_conn:
        lock_conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (MIGRATE_LOCK_KEY,))
        backend = get_backend(yoyo_uri(dsn))
        try:
            with backend.lock(timeout=lock_timeout):
                yield backend
        finally:
            backend.connection.close()


def migrate(dsn: str, *, lock_timeout: int = 120) -> MigrateResult:
    """Apply pending migrations under yoyo's lock, then (re)apply every routine."""
    migrations = read_migrations(str(db_dir() / "migrations"))
    with _yoyo(dsn, lock_timeout) as backend:
        pending = backend.to_apply(migrations)
        applied = tuple(m.id for m in pending)
        for mid in applied:
            logger.info("applying migration %s", mid)
        backend.apply_migrations(pending)
        with connect(dsn) as conn:
            count, dropped = apply_routines(conn)
    logger.info("applied %d migration(s) and %d routine file(s)", len(applied), count)
    return MigrateResult(applied, count, dropped)


def rollback_all(dsn: str, *, lock_timeout: int = 120) -> tuple[str, ...]:
    """Roll every migration back (to an empty schema). Routines are dropped first: they are
    not migration state and would otherwise pin the tables they reference."""
    migrations = read_migrations(str(db_dir() / "migrations"))
    with _yoyo(dsn, lock_timeout) as backend:
        with connect(dsn) as conn, conn.transaction():
            _drop_routines(conn, stale_only=False, cascade=True)
        todo = backend.to_rollback(migrations)
        backend.rollback_migrations(todo)
    return tuple(m.id for m in todo)
