# ruff: noqa: S608 - statements are built from catalog names (regclass/quote_ident output)
"""Least privilege with real login roles, as a service and a finance user would connect.

The roles are created as docs/runbook.md says (``CREATE ROLE ... LOGIN IN ROLE
tracktik_loader|tracktik_reader``), with names unique to this run (roles are cluster-wide),
and dropped afterwards. The private test cluster trusts 127.0.0.1, so ``user=<role>`` logs in.
Every table and routine is taken from the catalog, so new objects are covered too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from tracktik_etl.staging import copy_records

DENIED = psycopg.errors.InsufficientPrivilege
REGION = {"id": 1, "customId": "K", "name": "Kaiser Permanente", "parentRegion": None, "status": "ACTIVE",
          "timeZone": "America/Los_Angeles", "updatedOn": "2025-01-01T00:00:00+00:00"}

# routines each role may execute (docs/runbook.md, "Roles and logins"; the pgTAP suite
# db/tests/security/routine_privileges_by_role.test.sql asserts the same policy in the catalog)
LOADER_ROUTINES = {
    "tracktik.start_batch(text,jsonb)", "tracktik.mark_batch_staged(uuid,text[],jsonb)",
    "tracktik.run_kaiser_batch(uuid)", "tracktik._batches_to_run(uuid)", "tracktik._process_batch(uuid)",
    "tracktik.merge_dimensions(uuid)",
    "tracktik.ensure_inferred_members(text,bigint[],uuid)", "tracktik.sync_watermarks()",
    "tracktik.batch_summary(uuid)", "tracktik.get_billing_period(date)",
    "tracktik.billing_period_bounds(date)",
}
WRITING_ROUTINES = ("run_kaiser_batch", "start_batch", "mark_batch_staged", "reprocess_billing_period",
                    "calculate_billing", "prune_staging", "merge_dimensions", "load_fact_shifts",
                    "ensure_billing_period", "ensure_inferred_members", "rehash_dimension")


@dataclass
class Logins:
    owner: str
    loader: str
    reader: str


def as_user(dsn: str, user: str) -> str:
    params = conninfo_to_dict(dsn)
    params["user"] = user
    params.pop("password", None)
    return make_conninfo(**params)  # type: ignore[arg-type]


@pytest.fixture
def logins(db_dsn: str) -> Iterator[Logins]:
    suffix = f"{os.getpid()}_{uuid4().hex[:8]}"
    loader, reader = f"etl_service_{suffix}", f"finance_{suffix}"
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN IN ROLE tracktik_loader").format(sql.Identifier(loader)))
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN IN ROLE tracktik_reader").format(sql.Identifier(reader)))
    try:
        yield Logins(db_dsn, as_user(db_dsn, loader), as_user(db_dsn, reader))
    finally:
        with psycopg.connect(db_dsn, autocommit=True) as conn:
            for name in (loader, reader):
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def catalog(dsn: str, query: str) -> list[tuple[str, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(query).fetchall()  # type: ignore[arg-type]  # fixed test SQL


def tables(dsn: str, schema: str) -> list[tuple[str, str]]:
    """Tables and partitions of a schema, with one column name each."""
    return catalog(dsn, f"""
        SELECT c.oid::regclass::text, (SELECT quote_ident(a.attname) FROM pg_attribute AS a
                                        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                                        ORDER BY a.attnum LIMIT 1)
          FROM pg_class AS c
         WHERE c.relnamespace = '{schema}'::regnamespace AND c.relkind IN ('r', 'p')
         ORDER BY 1""")  # type: ignore[return-value]


def routine_calls(dsn: str) -> list[tuple[str, str]]:
    """(signature, a call of it with NULL arguments) for every routine of tracktik and staging.

    Functions take their NULLs from a subquery that the planner cannot pull up: a strict function
    called with NULL constants is folded to NULL at plan time, before any privilege check.
    """
    return catalog(dsn, """
        SELECT p.oid::regprocedure::text,
               CASE WHEN p.prokind = 'p'
                    THEN 'CALL ' || p.oid::regproc::text || '('
                         || coalesce((SELECT string_agg('NULL::' || format_type(t, NULL), ', ' ORDER BY i)
                                        FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(t, i)), '')
                         || ')'
                    ELSE 'SELECT ' || p.oid::regproc::text || '('
                         || coalesce((SELECT string_agg('v.a' || i, ', ' ORDER BY i)
                                        FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(t, i)), '')
                         || ') FROM (SELECT '
                         || coalesce((SELECT string_agg('NULL::' || format_type(t, NULL) || ' AS a' || i, ', '
                                                        ORDER BY i)
                                        FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(t, i)), '')
                         || ' OFFSET 0) AS v'
               END
          FROM pg_proc AS p
         WHERE p.pronamespace IN ('tracktik'::regnamespace, 'staging'::regnamespace)
         ORDER BY 1""")  # type: ignore[return-value]


def refused(conn: psycopg.Connection, statement: str) -> str | None:
    """Run ``statement`` in a savepoint; None if it was refused for lack of privilege, else why not."""
    try:
        with conn.transaction():
            conn.execute(statement)  # type: ignore[arg-type]  # built from the catalog
    except DENIED:
        return None
    except psycopg.Error as exc:
        return f"{statement}: {exc.sqlstate} {exc}"
    return f"{statement}: ran"


def staged_world(loader_dsn: str) -> str:
    """As the loader login, through the real path: start, COPY, mark staged, run."""
    with psycopg.connect(loader_dsn, autocommit=True) as etl:
        batch = etl.execute("SELECT tracktik.start_batch('incremental', '{}')").fetchone()[0]  # type: ignore[index]
        assert copy_records(etl, batch, "regions", [REGION]) == 1
        etl.execute("SELECT tracktik.mark_batch_staged(%s, '{regions}')", (batch,))
        etl.execute("CALL tracktik.run_kaiser_batch(%s)", (batch,))
        summary = etl.execute("SELECT tracktik.batch_summary(%s)", (batch,)).fetchone()[0]  # type: ignore[index]
        assert summary["status"] == "completed"
        etl.execute("SELECT * FROM tracktik.sync_watermarks()")
        assert etl.execute("SELECT current_user <> session_user OR pg_has_role('tracktik_loader', 'USAGE')"
                           ).fetchone() == (True,)
    return str(batch)


def test_the_loader_login_runs_a_batch_through_the_real_path(logins: Logins) -> None:
    batch = staged_world(logins.loader)
    with psycopg.connect(logins.owner) as owner:
        assert owner.execute("SELECT name FROM tracktik.dim_regions WHERE region_id = 1").fetchone() == (
            "Kaiser Permanente",)
        assert owner.execute("SELECT status FROM tracktik.etl_batches WHERE batch_id = %s",
                             (batch,)).fetchone() == ("completed",)


def test_the_loader_login_cannot_call_the_internals_of_run_kaiser_batch_directly(logins: Logins) -> None:
    """The loader may EXECUTE _batches_to_run and _process_batch (run_kaiser_batch runs with its
    rights), but called directly they refuse: TT004 without the run lock the procedure takes
    (no bypass of one-run-at-a-time). No routine marks a batch failed on request, even with
    that lock taken by hand: only _process_batch records a failure, when its attempt fails."""
    with psycopg.connect(logins.loader, autocommit=True) as etl:
        batch = etl.execute("SELECT tracktik.start_batch('incremental', '{}')").fetchone()[0]  # type: ignore[index]
        assert copy_records(etl, batch, "regions", [REGION]) == 1
        etl.execute("SELECT tracktik.mark_batch_staged(%s, '{regions}')", (batch,))
        for call, args in (("SELECT tracktik._process_batch(%s)", (batch,)),
                           ("SELECT tracktik._batches_to_run(%s)", (batch,)),
                           ("SELECT tracktik._batches_to_run()", ())):
            with pytest.raises(psycopg.Error) as caught:
                etl.execute(call, args)
            assert caught.value.sqlstate == "TT004", f"{call}: {caught.value.sqlstate} {caught.value}"
        # with the run lock taken by hand: still no failing a batch at will
        lock = "hashtext('tracktik.run_kaiser_batch')"
        assert etl.execute(f"SELECT pg_try_advisory_lock({lock})").fetchone() == (True,)
        with pytest.raises(psycopg.Error):
            etl.execute("SELECT tracktik._fail_batch(%s, 'XX000', 'forged')", (batch,))
        etl.execute(f"SELECT pg_advisory_unlock({lock})")
        status = "SELECT tracktik.batch_summary(%s) ->> 'status'"
        assert etl.execute(status, (batch,)).fetchone() == ("staged",)

        # the procedure itself still works as the loader
        etl.execute("CALL tracktik.run_kaiser_batch(%s)", (batch,))
        assert etl.execute(status, (batch,)).fetchone() == ("completed",)
    with psycopg.connect(logins.owner) as owner:
        assert owner.execute("SELECT name FROM tracktik.dim_regions WHERE region_id = 1").fetchone() == (
            "Kaiser Permanente",)


def test_the_loader_login_writes_no_tracktik_table_and_reads_nothing(logins: Logins) -> None:
    staged_world(logins.loader)   # partitions of staging and facts exist now
    problems: list[str] = []
    with psycopg.connect(logins.loader) as etl:
        for table, column in tables(logins.owner, "tracktik"):
            for statement in (f"INSERT INTO {table} DEFAULT VALUES",
                              f"UPDATE {table} SET {column} = {column}",
                              f"DELETE FROM {table}",
                              f"TRUNCATE {table}",
                              f"SELECT 1 FROM {table} LIMIT 1"):
                problems.append(refused(etl, statement) or "")
        for table, column in tables(logins.owner, "staging"):
            for statement in (f"SELECT 1 FROM {table} LIMIT 1", f"UPDATE {table} SET {column} = {column}",
                              f"DELETE FROM {table}", f"TRUNCATE {table}"):
                problems.append(refused(etl, statement) or "")
        for view, in catalog(logins.owner, "SELECT c.oid::regclass::text FROM pg_class AS c"
                                           " WHERE c.relnamespace = 'tracktik'::regnamespace"
                                           " AND c.relkind IN ('v', 'm')"):
            problems.append(refused(etl, f"SELECT 1 FROM {view} LIMIT 1") or "")
    assert [p for p in problems if p] == []
    assert len(problems) > 100, "every table, partition and view was tried"


def test_the_loader_login_executes_only_its_routines(logins: Logins) -> None:
    problems = []
    with psycopg.connect(logins.loader) as etl:
        for signature, call in routine_calls(logins.owner):
            if signature not in LOADER_ROUTINES:
                problems.append(refused(etl, call))
    assert [p for p in problems if p] == []
    assert len(problems) > 30


@pytest.mark.parametrize("login", ["loader", "reader"])
def test_no_login_creates_objects(logins: Logins, login: str) -> None:
    problems = []
    with psycopg.connect(getattr(logins, login)) as conn:
        for statement in ("CREATE TABLE tracktik.intruder (id int)",
                          "CREATE TABLE staging.intruder (id int)",
                          "CREATE TABLE public.intruder (id int)",
                          "CREATE VIEW tracktik.intruder AS SELECT 1",
                          "CREATE FUNCTION tracktik.intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'",
                          "CREATE FUNCTION public.intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'",
                          "CREATE SCHEMA intruder",
                          "CREATE TABLE staging.api_records_intruder PARTITION OF staging.api_records"
                          " FOR VALUES IN ('00000000-0000-0000-0000-000000000000')",
                          "ALTER TABLE tracktik.fact_shifts ADD COLUMN intruder int",
                          "COMMENT ON TABLE tracktik.fact_shifts IS 'mine'",
                          "REFRESH MATERIALIZED VIEW tracktik.mv_billing_period_totals"):
            problems.append(refused(conn, statement))
        # refused, or (the reader holds SELECT without grant option) a WARNING that grants nothing
        refused(conn, "GRANT SELECT ON tracktik.fact_shifts TO PUBLIC")
        assert conn.execute("SELECT has_table_privilege('public', 'tracktik.fact_shifts', 'SELECT')"
                            ).fetchone() == (False,)
    if login == "loader":   # the staging partition parent may not be written around
        with psycopg.connect(logins.loader) as etl:
            problems.append(refused(etl, "ALTER TABLE staging.api_records DETACH PARTITION"
                                         " staging.api_records_intruder"))
    assert [p for p in problems if p and "does not exist" not in p] == []


def test_the_reader_login_reads_everything_and_writes_nothing(logins: Logins) -> None:
    staged_world(logins.loader)
    problems: list[str] = []
    relations = catalog(logins.owner, "SELECT c.oid::regclass::text FROM pg_class AS c"
                                      " WHERE c.relnamespace = 'tracktik'::regnamespace"
                                      " AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY 1")
    with psycopg.connect(logins.reader) as finance:
        for relation, in relations:
            finance.execute(f"SELECT * FROM {relation} LIMIT 1").fetchall()  # type: ignore[arg-type]
        for table, column in tables(logins.owner, "tracktik"):
            for statement in (f"INSERT INTO {table} DEFAULT VALUES",
                              f"UPDATE {table} SET {column} = {column}",
                              f"DELETE FROM {table}", f"TRUNCATE {table}"):
                problems.append(refused(finance, statement) or "")
        problems.append(refused(finance, "SELECT 1 FROM staging.api_records") or "")
        problems.append(refused(finance, "COPY staging.api_records (batch_id, resource, record) FROM STDIN")
                        or "")
        for signature, call in routine_calls(logins.owner):
            if signature.split("(")[0].split(".")[1] in WRITING_ROUTINES:
                problems.append(refused(finance, call) or "")
    assert [p for p in problems if p] == []
    assert len(relations) > 25 and len(problems) > 80


def test_the_reader_login_uses_its_lookups(logins: Logins) -> None:
    with psycopg.connect(logins.reader) as finance:
        assert finance.execute("SELECT tracktik.get_billing_period(DATE '2025-03-09')"
                               ).fetchone() == ("2025_06",)
        assert finance.execute("SELECT count(*) FROM tracktik.overtime_rule_for(1)").fetchone() == (1,)
        finance.execute("SELECT * FROM tracktik.bill_rate_at(1, 1, 1, DATE '2025-01-01')").fetchall()
