"""docs/runbook.md is executable: every ``sql`` block of it runs here, verbatim, through psql.

Each block is tagged ``<!-- runbook:<id> -->``; a test declares the blocks it runs with
``@covers(...)`` and must run each of them (checked after the test). The page and the tests
cannot drift: a ``sql`` block without a tag, a tag without a test, or a test naming a block
the page no longer has fails ``test_every_sql_block_is_tagged_and_tested``.

The world is exactly the default demo's (``tracktik-etl demo``): the bundled TrackTik simulator
with the demo's configuration, loaded by the demo's own ``run_demo_load`` (one full run over the
simulator's whole range), so the runbook's example ids (post 1004 without a rate, post 1021 in
Denver, regions "Pacific Northwest" and "Colorado", periods 2025_01..2025_07) are the rows a DBA
sees after running the demo. The demo's load runs once per module; each test gets a copy of it.
"""

from __future__ import annotations

import csv
import functools
import inspect
import io
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, TypeVar
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.types.json import Jsonb

from tapfile import psql_binary
from tracktik_etl.config import Config
from tracktik_etl.demo import run_demo_load
from tracktik_etl.errors import SQLSTATE_EXCEPTIONS, BillingConfigError
from tracktik_etl.migrate import migrate
from tracktik_etl.pipeline import run_once
from tracktik_etl.staging import copy_records
from tracktik_sim import RunningSimulator, Simulator, SimulatorConfig

ROOT = Path(__file__).resolve().parents[1]
RUNBOOK = ROOT / "docs" / "runbook.md"
TAGGED_BLOCK = re.compile(r"<!-- runbook:([a-z0-9-]+) -->\n```sql\n(.*?)```", re.S)
DEMO = {name: param.default for name, param in inspect.signature(run_demo_load).parameters.items()
        if param.kind is inspect.Parameter.KEYWORD_ONLY}
SIM = SimulatorConfig(**DEMO)   # the default demo's simulator: the same seed, guards and weeks
SIM_END = SIM.start_date + timedelta(weeks=SIM.weeks) - timedelta(days=1)

F = TypeVar("F", bound=Callable[..., Any])
COVERED: dict[str, str] = {}


def covers(*block_ids: str) -> Callable[[F], F]:
    """Declare the runbook blocks a test runs; a test that passes must have run every one."""
    def mark(func: F) -> F:
        for block_id in block_ids:
            COVERED.setdefault(block_id, func.__name__)

        @functools.wraps(func)
        def checked(*args: Any, **kwargs: Any) -> None:
            func(*args, **kwargs)
            book: Runbook = kwargs["runbook"]
            assert book.ran == set(block_ids), (
                f"{func.__name__} declares {sorted(block_ids)} but ran {sorted(book.ran)}")
        return checked  # type: ignore[return-value]
    return mark


def runbook_blocks() -> dict[str, str]:
    text = RUNBOOK.read_text(encoding="utf-8")
    blocks: dict[str, str] = {}
    for block_id, block in TAGGED_BLOCK.findall(text):
        assert block_id not in blocks, f"runbook block id {block_id!r} is used twice"
        blocks[block_id] = block
    return blocks


class Runbook:
    """Runs tagged blocks through psql, as a DBA would, and remembers which ones ran."""

    def __init__(self) -> None:
        self.blocks = runbook_blocks()
        self.ran: set[str] = set()

    def sql(self, block_id: str) -> str:
        assert block_id in self.blocks, f"docs/runbook.md has no block {block_id!r}"
        return self.blocks[block_id]

    def run(self, block_id: str, dsn: str, *, replace: dict[str, str] | None = None,
            **variables: object) -> list[dict[str, str]]:
        """Run the block with psql (autocommit, ON_ERROR_STOP); return the rows it printed."""
        text = self.sql(block_id)
        for old, new in (replace or {}).items():
            text = text.replace(old, new)
        self.ran.add(block_id)
        proc = psql(dsn, text, variables)
        if proc.returncode != 0:
            raise AssertionError(f"runbook block {block_id!r} failed:\n{proc.stderr}")
        return list(csv.DictReader(io.StringIO(proc.stdout))) if proc.stdout.strip() else []

    def output(self, block_id: str, dsn: str) -> str:
        self.ran.add(block_id)
        proc = psql(dsn, self.sql(block_id), {})
        assert proc.returncode == 0, proc.stderr
        return proc.stdout


def psql(dsn: str, text: str, variables: dict[str, object]) -> subprocess.CompletedProcess[str]:
    args = [psql_binary(), "-X", "-q", "--csv", "-v", "ON_ERROR_STOP=1", "-d", dsn]
    for name, value in variables.items():
        args += ["-v", f"{name}={value}"]
    return subprocess.run(args, input=text, capture_output=True, text=True, timeout=300,  # noqa: S603
                          check=False)


@pytest.fixture
def runbook() -> Runbook:
    return Runbook()


@pytest.fixture(scope="module")
def api() -> Iterator[RunningSimulator]:
    with Simulator(SIM).serve() as running:   # read-only here: one server for the module
        yield running


def sim_config(dsn: str, api: RunningSimulator) -> Config:
    return Config.load(
        {"dsn": dsn, "portal_url": api.url, "client_id": SIM.client_id, "username": SIM.username},
        environ={"TRACKTIK_CLIENT_SECRET": SIM.client_secret, "TRACKTIK_PASSWORD": SIM.password},
    )


@pytest.fixture(scope="module")
def demo_database(pg_server: Any) -> Iterator[str]:
    """A database loaded as ``tracktik-etl demo`` loads its own: migrated, then ``run_demo_load``
    with its defaults. Loaded once per module; tests work on copies (``loaded``)."""
    name = f"tracktik_runbook_demo_{os.getpid()}"
    admin = pg_server.dsn(pg_server.maintenance_dbname)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        migrate(pg_server.dsn(name))
        _, first, last = run_demo_load(pg_server.dsn(name))
        assert (first, last) == (SIM.start_date, SIM_END), "the demo loads the simulator's whole range"
        yield name
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def loaded(pg_server: Any, demo_database: str) -> Iterator[str]:
    """A fresh copy of the demo's warehouse (one full batch of the simulator's Kaiser scope)."""
    name = f"{demo_database}_{uuid4().hex[:8]}"
    admin = pg_server.dsn(pg_server.maintenance_dbname)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(demo_database)))
    try:
        dsn = pg_server.dsn(name)
        assert one(dsn, "SELECT status FROM tracktik.etl_batches") == "completed"
        yield dsn
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def rows(dsn: str, query: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(query, params)  # type: ignore[arg-type]  # fixed test SQL
        return cur.fetchall() if cur.description else []


def one(dsn: str, query: str, params: tuple[object, ...] = ()) -> Any:
    found = rows(dsn, query, params)
    assert len(found) == 1 and len(found[0]) == 1, found
    return found[0][0]


def money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)   # half away from zero, as numeric


# -- the page itself ---------------------------------------------------------------------


def test_every_sql_block_is_tagged_and_tested() -> None:
    text = RUNBOOK.read_text(encoding="utf-8")
    blocks = runbook_blocks()
    assert text.count("```sql") == len(blocks), "every ```sql block needs a <!-- runbook:<id> --> tag"
    tags = re.findall(r"<!-- runbook:[a-z0-9-]+ -->", text)
    assert len(tags) == len(blocks), "every tag must sit right above a sql block"
    assert sorted(set(blocks) - set(COVERED)) == [], "runbook blocks without a test"
    assert sorted(set(COVERED) - set(blocks)) == [], "tests naming blocks the runbook does not have"


def test_sqlstate_table_lists_exactly_the_codes_the_routines_raise() -> None:
    text = RUNBOOK.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(TT\d{3})` \|", text, re.M))
    raised: set[str] = set()
    for path in [*(ROOT / "db" / "functions").glob("*.sql"), *(ROOT / "db" / "migrations").glob("*.sql")]:
        raised |= set(re.findall(r"ERRCODE\s*=\s*'(TT\d{3})'", path.read_text(encoding="utf-8")))
    assert documented == raised
    assert set(SQLSTATE_EXCEPTIONS) <= documented, "errors.py maps a code the runbook does not explain"


# -- batches ------------------------------------------------------------------------------


@covers("batch-health", "failed-batches", "fix-default-time-zone", "run-one-batch")
def test_a_failed_batch_is_read_fixed_and_run_again(loaded: str, api: RunningSimulator,
                                                    runbook: Runbook) -> None:
    facts = one(loaded, "SELECT count(*) FROM tracktik.fact_shifts")
    rows(loaded, "UPDATE tracktik.settings SET default_time_zone = 'America/Los Angeles'")  # the mistake
    with pytest.raises(BillingConfigError):
        run_once(sim_config(loaded, api), mode="full", start=SIM.start_date, end=SIM_END)
    failed = one(loaded, "SELECT batch_id FROM tracktik.etl_batches WHERE status = 'failed'")

    health = runbook.run("batch-health", loaded)
    latest = health[0]
    assert (latest["batch_id"], latest["status"], latest["error_sqlstate"]) == (
        str(failed), "failed", "TT021")
    assert [h["status"] for h in health] == ["failed", "completed"]

    listed = runbook.run("failed-batches", loaded)
    assert [(r["batch_id"], r["error_sqlstate"]) for r in listed] == [(str(failed), "TT021")]
    assert "'America/Los Angeles' is not a time zone" in listed[0]["error_message"]
    assert one(loaded, "SELECT count(*) FROM tracktik.fact_shifts") == facts, "the failure loaded nothing"

    runbook.run("fix-default-time-zone", loaded)
    runbook.run("run-one-batch", loaded, batch_id=failed)
    assert rows(loaded, "SELECT status, error_sqlstate, error_message FROM tracktik.etl_batches"
                        " WHERE batch_id = %s", (failed,)) == [("completed", None, None)]
    assert runbook.run("failed-batches", loaded) == []
    assert one(loaded, "SELECT count(*) FROM tracktik.fact_shifts") == facts


@covers("run-staged-batches", "abandoned-batches")
def test_staged_batches_run_and_a_dead_shells_batch_is_abandoned(loaded: str, api: RunningSimulator,
                                                                 runbook: Runbook) -> None:
    region = {"id": 7, "customId": "R7", "name": "Colorado", "parentRegion": 1, "status": "ACTIVE",
              "timeZone": "America/Denver"}
    with psycopg.connect(loaded, autocommit=True) as dead:   # a shell killed while fetching
        abandoned = dead.execute("SELECT tracktik.start_batch('incremental', '{}')").fetchone()[0]  # type: ignore[index]
        copy_records(dead, abandoned, "regions", [region])
    with psycopg.connect(loaded, autocommit=True) as shell:   # a batch staged by hand
        staged = shell.execute("SELECT tracktik.start_batch('manual', '{}')").fetchone()[0]  # type: ignore[index]
        copy_records(shell, staged, "regions", [region])
        shell.execute("SELECT tracktik.mark_batch_staged(%s, '{}')", (staged,))

    runbook.run("run-staged-batches", loaded)
    assert one(loaded, "SELECT status FROM tracktik.etl_batches WHERE batch_id = %s",
               (staged,)) == "completed"
    listed = runbook.run("abandoned-batches", loaded)
    assert [r["batch_id"] for r in listed] == [str(abandoned)]
    assert listed[0]["error_message"].startswith("abandoned")
    assert one(loaded, "SELECT count(*) FROM tracktik.dim_regions WHERE etl_batch_id = %s", (abandoned,)) == 0

    with psycopg.connect(loaded, autocommit=True) as conn, pytest.raises(psycopg.Error) as refused:
        conn.execute("CALL tracktik.run_kaiser_batch(%s)", (abandoned,))
    assert refused.value.sqlstate == "TT003", "an abandoned batch cannot be run"
    # "start a new run": the next run of the shell completes
    assert run_once(sim_config(loaded, api)).database["status"] == "completed"


@covers("staging-partitions", "prune-staging")
def test_prune_staging_drops_old_partitions_only(loaded: str, runbook: Runbook) -> None:
    first = one(loaded, "SELECT batch_id FROM tracktik.etl_batches")
    with psycopg.connect(loaded, autocommit=True) as conn:
        recent = conn.execute("SELECT tracktik.start_batch('manual', '{}')").fetchone()[0]  # type: ignore[index]
        conn.execute("SELECT tracktik.mark_batch_staged(%s, '{}')", (recent,))
        conn.execute("CALL tracktik.run_kaiser_batch(%s)", (recent,))
    assert {r["batch_id"] for r in runbook.run("staging-partitions", loaded)} == {str(first), str(recent)}
    assert runbook.run("prune-staging", loaded) == [{"prune_staging": "0"}], "nothing is 30 days old"

    rows(loaded, "UPDATE tracktik.etl_batches SET completed_at = now() - interval '31 days',"
                 " started_at = now() - interval '31 days' WHERE batch_id = %s", (first,))
    assert runbook.run("prune-staging", loaded) == [{"prune_staging": "1"}]
    assert [r["batch_id"] for r in runbook.run("staging-partitions", loaded)] == [str(recent)]
    assert one(loaded, "SELECT metadata ? 'staging_pruned_at' FROM tracktik.etl_batches"
                       " WHERE batch_id = %s", (first,)) is True


# -- rates ----------------------------------------------------------------------------------

BILLING = ("SELECT shift_id, billing_period_id, billable_hours, bill_rate_regular, bill_overtime_hours,"
           " bill_overtime_impact, bill_holiday_hours, bill_holiday_impact, bill_total"
           " FROM tracktik.fact_shifts WHERE position_id = %s ORDER BY shift_id")


@covers("reprocess-after-rate-change")
def test_rate_change_then_reprocess_rebills_the_period_as_computed(loaded: str, runbook: Runbook) -> None:
    before = {r[0]: r for r in rows(loaded, BILLING, (1021,))}
    all_periods = {r[0] for r in rows(loaded, "SELECT DISTINCT billing_period_id FROM tracktik.fact_shifts")}
    assert {r[1] for r in before.values()} == all_periods and "2025_03" in all_periods
    assert {r[3] for r in before.values() if r[1] == "2025_03"} == {Decimal("39.50")}, "TrackTik's rate"
    assert sum(r[4] for r in before.values() if r[1] == "2025_03") > 0, "the post works overtime"
    # the post's BILLING overtime rule in TrackTik (an override carries no multipliers of its own)
    multipliers = {r[0] for r in rows(
        loaded, "SELECT i.rate_multiplier FROM tracktik.api_position_billing AS b"
                " JOIN tracktik.api_overtime_rule_items AS i ON i.overtime_rule_id = b.overtime_rule_id"
                " WHERE b.position_id = 1021 AND b.valid_to IS NULL AND i.valid_to IS NULL")}
    assert len(multipliers) == 1, multipliers
    premium = multipliers.pop() - 1

    runbook.run("reprocess-after-rate-change", loaded)

    after = {r[0]: r for r in rows(loaded, BILLING, (1021,))}
    assert after.keys() == before.keys()
    rate = Decimal("41.00")
    for shift_id, (_, period, billable, regular, ot_hours, ot_impact, _, hol_impact, total) in after.items():
        if period != "2025_03":
            assert after[shift_id] == before[shift_id], "periods not reprocessed are untouched"
            continue
        assert regular == rate
        assert ot_impact == money(rate * ot_hours * premium)
        assert total == money(billable * rate) + ot_impact + hol_impact
        if billable:
            assert total != before[shift_id][8]
    assert one(loaded, "SELECT count(*) FROM tracktik.etl_batches WHERE batch_type = 'reprocess'"
                       " AND metadata ->> 'period_id' = '2025_03' AND status = 'completed'") == 1


SINCE = "SELECT period_id FROM tracktik.billing_periods WHERE end_date >= DATE '2025-01-10'"


@covers("reprocess-periods-since")
def test_reprocess_periods_since_a_date_rebills_those_periods_only(loaded: str, runbook: Runbook) -> None:
    since = {r[0] for r in rows(loaded, SINCE)}
    periods = {r[0] for r in rows(loaded, "SELECT DISTINCT billing_period_id FROM tracktik.fact_shifts"
                                          " WHERE position_id = 1004 AND billable_hours > 0")}
    assert "2025_01" in periods and "2025_01" not in since and len(periods & since) > 1
    rows(loaded, "INSERT INTO tracktik.bill_rate_overrides (scope, bill_rate, note)"
                 " VALUES ('global', 30.00, 'test')")
    runbook.run("reprocess-periods-since", loaded)
    by_period = dict(rows(loaded, "SELECT billing_period_id, array_agg(DISTINCT bill_rate_regular)"
                                  " FROM tracktik.fact_shifts WHERE position_id = 1004 AND billable_hours > 0"
                                  " GROUP BY 1"))
    assert by_period == {p: [Decimal("30.00")] if p in since else [None] for p in periods}
    assert one(loaded, "SELECT array_agg(metadata ->> 'period_id' ORDER BY metadata ->> 'period_id')"
                       " FROM tracktik.etl_batches WHERE batch_type = 'reprocess'") == sorted(periods & since)


UNRATED = ("SELECT DISTINCT f.position_id FROM tracktik.fact_shifts AS f"   # not billed, yet hourly
           " WHERE f.bill_rate_regular IS NULL AND f.billable_hours > 0 AND NOT EXISTS ("
           " SELECT 1 FROM tracktik.api_position_billing AS b WHERE b.position_id = f.position_id"
           " AND b.valid_to IS NULL AND b.billing_type <> 'HOURLY')")
OPEN_MISSING = ("SELECT (issue_data ->> 'position_id')::bigint, count(*)"
                " FROM tracktik.v_open_data_quality_issues WHERE issue_type = 'missing_bill_rate' GROUP BY 1")


@covers("open-issues-summary", "open-issues-of-type", "fix-missing-rate")
def test_a_missing_rate_is_added_billed_and_its_issues_resolved(loaded: str, runbook: Runbook) -> None:
    unrated = {r[0] for r in rows(loaded, UNRATED)}
    assert 1004 in unrated, "post 1004 has no rate in TrackTik"
    open_by_post = dict(rows(loaded, OPEN_MISSING))
    assert set(open_by_post) == unrated
    summary = runbook.run("open-issues-summary", loaded)
    open_kinds = [(r["issue_type"], r["severity"], r["open"]) for r in summary]
    assert ("missing_bill_rate", "warning", str(sum(open_by_post.values()))) in open_kinds
    detail = runbook.run("open-issues-of-type", loaded)
    assert len(detail) == 50 and {r["table_name"] for r in detail} == {"fact_shifts"}
    posts = {int(m) for r in detail for m in re.findall(r'"position_id": (\d+)', r["issue_data"])}
    assert 1004 in posts and posts <= unrated

    runbook.run("fix-missing-rate", loaded)

    billed = rows(loaded, BILLING, (1004,))
    assert {r[3] for r in billed if r[2] > 0} == {Decimal("46.25")}
    for _, _, billable, regular, _, ot_impact, _, hol_impact, total in billed:
        if billable > 0:
            assert total == money(billable * regular) + ot_impact + hol_impact
    # post 1004's missing rates are gone; what is left is the other posts without a rate and
    # the FIXED post the warehouse does not bill hourly
    left = {r["issue_type"] for r in runbook.run("open-issues-summary", loaded)}
    assert left <= {"missing_bill_rate", "unsupported_billing_type"}
    assert dict(rows(loaded, OPEN_MISSING)) == {k: v for k, v in open_by_post.items() if k != 1004}
    # reprocessing resolved them itself, naming its batch and the rate
    assert one(loaded, "SELECT count(*) FROM tracktik.data_quality_issues"
                       " WHERE issue_type = 'missing_bill_rate' AND resolved_at IS NOT NULL"
                       " AND resolution_note LIKE 'resolved by batch %%'"
                       " AND resolution_note LIKE '%%46.25%%'") == open_by_post[1004]


@covers("resolve-issue")
def test_a_resolved_issue_leaves_the_open_list(loaded: str, runbook: Runbook) -> None:
    open_before = one(loaded, "SELECT count(*) FROM tracktik.v_open_data_quality_issues")
    issue = one(loaded, "SELECT min(issue_id) FROM tracktik.v_open_data_quality_issues")
    runbook.run("resolve-issue", loaded, issue_id=issue)
    assert one(loaded, "SELECT count(*) FROM tracktik.v_open_data_quality_issues WHERE issue_id = %s",
               (issue,)) == 0
    resolved_at, note = rows(loaded, "SELECT resolved_at, resolution_note FROM tracktik.data_quality_issues"
                                     " WHERE issue_id = %s", (issue,))[0]
    assert resolved_at is not None and note.startswith("corrected in TrackTik")
    assert one(loaded, "SELECT count(*) FROM tracktik.v_open_data_quality_issues") == open_before - 1
    runbook.run("resolve-issue", loaded, issue_id=issue)   # again: the first resolution stays
    assert rows(loaded, "SELECT resolved_at FROM tracktik.data_quality_issues WHERE issue_id = %s",
                (issue,)) == [(resolved_at,)]


# -- regions, rules, holidays ----------------------------------------------------------------

TEXAS = {
    "regions": [{"id": 13, "customId": "TX", "name": "Texas", "parentRegion": 1, "status": "ACTIVE",
                 "timeZone": "America/Chicago", "updatedOn": "2025-01-14T00:00:00+00:00"}],
    "clients": [{"id": 1300, "customId": "S1300", "name": "Houston Medical Center", "type": "CLIENT",
                 "status": "ACTIVE", "region": 13, "timeZone": "America/Chicago",
                 "updatedOn": "2025-01-14T00:00:00+00:00"}],
    "positions": [{"id": 13000, "customId": "P13000", "name": "Main Entrance Officer", "status": "ACTIVE",
                   "account": 1300, "nonBillable": False, "updatedOn": "2025-01-14T00:00:00+00:00"}],
    "shifts": [{"id": 9130001, "status": "ACTIVE", "startDateTime": "2025-01-15T07:00:00-06:00",
                "endDateTime": "2025-01-15T15:00:00-06:00", "timeZone": "America/Chicago",
                "position": 13000, "billable": True, "payable": True}],   # vacant: billed alone
}


@covers("kaiser-root-settings", "new-region-check", "new-region-rate", "reprocess-periods-since")
def test_a_new_market_region_gets_the_default_rule_and_a_region_rate(loaded: str, runbook: Runbook) -> None:
    root = runbook.run("kaiser-root-settings", loaded)
    assert [(r["root_found"], r["root_name"]) for r in root] == [("1", "Kaiser Permanente")]

    with psycopg.connect(loaded, autocommit=True) as shell:   # the next run brings Texas
        batch = shell.execute("SELECT tracktik.start_batch('incremental', %s)", (Jsonb({}),)).fetchone()[0]  # type: ignore[index]
        for resource, records in TEXAS.items():
            copy_records(shell, batch, resource, records)
        shell.execute("SELECT tracktik.mark_batch_staged(%s, '{}')", (batch,))
        shell.execute("CALL tracktik.run_kaiser_batch(%s)", (batch,))

    check = runbook.run("new-region-check", loaded)
    default_rule = one(loaded, "SELECT rule_id FROM tracktik.overtime_rules"
                               " WHERE region_id IS NULL AND region_name_pattern IS NULL")
    assert [(r["region_id"], r["market_name"], r["rule_id"], r["daily_overtime_enabled"],
             r["weekly_overtime_after"], r["position_id"], r["bill_rate"]) for r in check] == [
        ("13", "Texas", str(default_rule), "f", "40.00", "13000", "")]
    assert one(loaded, "SELECT bill_total FROM tracktik.fact_shifts WHERE shift_id = 9130001") is None

    runbook.run("new-region-rate", loaded)
    check = runbook.run("new-region-check", loaded)
    assert [(r["bill_rate"], r["rate_source"]) for r in check] == [("38.00", "region_override")]
    runbook.run("reprocess-periods-since", loaded)
    assert one(loaded, "SELECT bill_total FROM tracktik.fact_shifts WHERE shift_id = 9130001") \
        == Decimal("304.00"), "8 hours at the region rate 38.00"




@covers("rules-for-regions", "overtime-rule-add", "reprocess-periods-since")
def test_a_new_region_overtime_rule_bills_daily_overtime_after_reprocessing(loaded: str,
                                                                             runbook: Runbook) -> None:
    def northwest_rule() -> dict[str, str]:
        return next(r for r in runbook.run("rules-for-regions", loaded) if r["name"] == "Pacific Northwest")

    since = {r[0] for r in rows(loaded, SINCE)}
    assert northwest_rule()["daily_overtime_enabled"] == "f"
    northwest = ("SELECT f.billing_period_id, f.shift_id, f.billable_hours, f.bill_overtime_hours,"
                 " f.bill_holiday_hours"
                 " FROM tracktik.fact_shifts AS f JOIN tracktik.v_current_regions AS r USING (region_id)"
                 " WHERE r.name = 'Pacific Northwest' AND f.bill_rate_regular IS NOT NULL"
                 " ORDER BY f.shift_id")
    before = rows(loaded, northwest)
    assert any(r[0] in since and r[3] + r[4] < r[2] - 8 for r in before), "hours beyond 8 not yet overtime"

    runbook.run("overtime-rule-add", loaded)
    rule = northwest_rule()
    assert (rule["daily_overtime_enabled"], rule["daily_overtime_after"]) == ("t", "8.00")
    runbook.run("reprocess-periods-since", loaded)

    after = rows(loaded, northwest)
    for (period, shift_id, billable, ot_before, _), (*_, ot_after, hol) in zip(before, after, strict=True):
        if period not in since:
            assert ot_after == ot_before, f"shift {shift_id}: period {period} was not reprocessed"
        else:   # a holiday's hours are billed as holiday hours (MLK Day is one for the region's posts)
            assert ot_after + hol >= max(billable - 8, 0), f"shift {shift_id}: hours beyond 8 are overtime"
    assert sum(r[3] for r in after) > sum(r[3] for r in before)


@covers("overtime-rule-update", "reprocess-periods-since")
def test_california_overtime_billed_at_the_regular_rate_after_the_rule_changes(loaded: str,
                                                                                runbook: Runbook) -> None:
    since = {r[0] for r in rows(loaded, SINCE)}
    california = ("SELECT f.billing_period_id, f.billable_hours, f.bill_rate_regular,"
                  " f.bill_overtime_hours, f.bill_overtime_impact, f.bill_holiday_impact, f.bill_total"
                  " FROM tracktik.fact_shifts AS f"
                  " WHERE (SELECT o.rule_id FROM tracktik.overtime_rule_for(f.region_id) AS o) = 2"
                  " AND f.bill_rate_regular IS NOT NULL")
    assert sum(r[3] for r in rows(loaded, california) if r[0] in since) > 0

    runbook.run("overtime-rule-update", loaded)
    runbook.run("reprocess-periods-since", loaded)

    plain = (" AND NOT EXISTS (SELECT 1 FROM tracktik.api_position_billing AS b"
             " WHERE b.position_id = f.position_id AND b.valid_to IS NULL"
             " AND (b.bill_breaks = 'ALL' OR b.discount_rate > 0))")
    for period, _, _, ot_hours, ot_impact, _, _ in rows(loaded, california):
        if period in since:
            assert (ot_hours, ot_impact) == (0, 0)
    # where TrackTik bills neither breaks nor a discount, the total is plain hours × rate
    for period, billable, rate, _, _, hol_impact, total in rows(loaded, california + plain):
        if period in since:
            assert total == money(billable * rate) + hol_impact


@covers("holiday-add", "holiday-remove-for-region", "holiday-undo", "holidays-of-year")
def test_holidays_are_added_removed_for_a_region_and_undone(loaded: str, runbook: Runbook) -> None:
    mlk = ("SELECT f.region_id, f.billable_hours, f.bill_holiday_hours, f.bill_holiday_impact,"
           " f.bill_rate_regular FROM tracktik.fact_shifts AS f WHERE f.shift_date = DATE '2025-01-20'"
           " AND f.bill_rate_regular IS NOT NULL AND f.billable_hours > 0")

    def holidays() -> list[str]:
        return [r["holiday"] for r in runbook.run("holidays-of-year", loaded)]

    assert len(holidays()) == 6 and "2025-01-20" not in holidays()
    # TrackTik's own holiday groups already make the day a holiday in some regions (a post's
    # group: DESIGN.md §5); a DBA's row overrides them, and undoing it gives them back
    before = sorted(rows(loaded, mlk + " ORDER BY f.shift_id"))
    assert any(r[2] == 0 for r in before), "some regions' groups do not observe the day"

    runbook.run("holiday-add", loaded)
    assert "2025-01-20" in holidays()
    shifts = rows(loaded, mlk)
    assert {r[0] for r in shifts} >= {7, 2}, "Colorado and Northern California work that day"
    for _, billable, hol_hours, hol_impact, _ in shifts:
        assert hol_hours >= billable and hol_impact > 0, "every region observes it now"

    runbook.run("holiday-remove-for-region", loaded)
    assert "2025-01-20" not in holidays()
    for region, billable, hol_hours, _, _ in rows(loaded, mlk):
        assert (hol_hours == 0) if region == 7 else (hol_hours >= billable)

    runbook.run("holiday-undo", loaded)
    assert sorted(rows(loaded, mlk + " ORDER BY f.shift_id")) == before
    assert one(loaded, "SELECT count(*) FROM tracktik.holiday_dates") == 0


# -- documentation ---------------------------------------------------------------------------


@covers("describe-table", "list-documented-objects")
def test_every_table_and_view_is_commented_and_listed_in_the_runbook(db_dsn: str, runbook: Runbook) -> None:
    listed = runbook.run("list-documented-objects", db_dsn)
    undocumented = [r["object"] for r in listed if not r["description"]]
    assert undocumented == []
    text = RUNBOOK.read_text(encoding="utf-8")
    section = text.split("## Where everything is documented")[1].split("\n## ")[0]
    in_table = set(re.findall(r"^\| `((?:tracktik|staging)\.[a-z_0-9]+)` \|", section, re.M))
    assert in_table == {r["object"] for r in listed}, "the runbook's object list differs from the database"

    described = runbook.output("describe-table", db_dsn)
    comment = one(db_dsn, "SELECT col_description('tracktik.fact_shifts'::regclass, attnum)"
                          " FROM pg_attribute WHERE attrelid = 'tracktik.fact_shifts'::regclass"
                          " AND attname = 'bill_total'")
    assert comment and comment in described, "\\d+ shows the comment of every column"


# -- roles -----------------------------------------------------------------------------------


def login_dsn(dsn: str, user: str) -> str:
    params = conninfo_to_dict(dsn)
    params["user"] = user
    params.pop("password", None)
    return make_conninfo(**params)  # type: ignore[arg-type]


@pytest.fixture
def login_names(db_dsn: str) -> Iterator[dict[str, str]]:
    """Cluster-wide role names unique to this test run; dropped afterwards."""
    suffix = f"{os.getpid()}_{uuid4().hex[:8]}"
    names = {"etl_service": f"etl_service_{suffix}", "finance": f"finance_{suffix}",
             "outsider": f"outsider_{suffix}"}
    yield names
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        for name in names.values():
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


@covers("create-login-roles", "harden-database")
def test_login_roles_inherit_the_loader_and_reader_roles(db_dsn: str, login_names: dict[str, str],
                                                         runbook: Runbook) -> None:
    runbook.run("create-login-roles", db_dsn,
                replace={"etl_service": login_names["etl_service"], "finance": login_names["finance"]})
    loader, reader = login_dsn(db_dsn, login_names["etl_service"]), login_dsn(db_dsn, login_names["finance"])
    with psycopg.connect(loader, autocommit=True) as etl:
        batch = etl.execute("SELECT tracktik.start_batch('manual', '{}')").fetchone()[0]  # type: ignore[index]
        etl.execute("SELECT tracktik.mark_batch_staged(%s, '{}')", (batch,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            etl.execute("SELECT count(*) FROM tracktik.fact_shifts")
    with psycopg.connect(reader, autocommit=True) as finance:
        assert finance.execute("SELECT count(*) FROM tracktik.v_batch_health").fetchone() == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            finance.execute("SELECT tracktik.start_batch('manual', '{}')")

    with psycopg.connect(db_dsn, autocommit=True) as owner:   # a login of another application
        owner.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(login_names["outsider"])))
    runbook.run("harden-database", db_dsn)
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        psycopg.connect(login_dsn(db_dsn, login_names["outsider"])).close()
    with psycopg.connect(loader, autocommit=True) as etl:   # the service still loads
        etl.execute("CALL tracktik.run_kaiser_batch(%s)", (batch,))
    with psycopg.connect(reader, autocommit=True) as finance:
        assert finance.execute("SELECT status FROM tracktik.etl_batches").fetchone() == ("completed",)
