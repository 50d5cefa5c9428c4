"""``tracktik-etl report``: the HTML billing report of one period, on data loaded from the simulator.

One database per module is loaded with the bundled simulator through ``run_once`` (three weeks
around Memorial Day, so the period 2025_11 has overtime, a holiday and posts without a rate, and
the data ends inside 2025_12); tests that change data work on a clone of it. The report is also
opened in headless Chromium (installed by scripts/bootstrap.sh: without it these tests fail).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import psycopg
import pytest
from markupsafe import escape
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from tracktik_etl.config import Config
from tracktik_etl.pipeline import run_once
from tracktik_etl.report import (
    UnknownBillingPeriod,
    collect_report,
    hours,
    money,
    render_report,
    write_report,
)
from tracktik_etl.status import collect_status
from tracktik_sim import Simulator, SimulatorConfig

SIM = SimulatorConfig(seed=7, employees=40, weeks=3, start_date=date(2025, 5, 12))
SIM_END = SIM.start_date + timedelta(weeks=SIM.weeks) - timedelta(days=1)
PERIOD = "2025_11"  # 2025-05-16 .. 2025-05-29, Memorial Day 2025-05-26
NEXT_PERIOD = "2025_12"  # 2025-05-30 .. 2025-06-12: the simulated shifts end on 2025-06-01
REPORT_VIEWS = ("v_billing_period_posts", "v_billing_period_daily", "v_billing_period_issues",
                "v_billing_periods", "v_shift_watermark")
HOSTILE = """<script>alert("x")</script> & Sons 'Ltd'"""


# ---------------------------------------------------------------------------------- fixtures

def _admin(dsn: str) -> str:
    return make_conninfo(dsn, dbname="postgres")


def _clone(source_dsn: str, name: str) -> str:
    with psycopg.connect(_admin(source_dsn), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(str(conninfo_to_dict(source_dsn)["dbname"]))))
    return make_conninfo(source_dsn, dbname=name)


def _drop(dsn: str) -> None:
    with psycopg.connect(_admin(dsn), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(str(conninfo_to_dict(dsn)["dbname"]))))


@pytest.fixture(scope="module")
def loaded_dsn(postgresql_template: Any) -> Iterator[str]:
    """A migrated database (cloned from the session template) loaded with the simulator."""
    t = postgresql_template
    template_dsn = make_conninfo(host=t.host, port=t.port, user=t.user, dbname=t.template_dbname,
                                 **({"password": t.password} if t.password else {}))
    dsn = _clone(template_dsn, f"tracktik_report_{os.getpid()}")
    try:
        with Simulator(SIM).serve() as api:
            config = Config.load(
                {"dsn": dsn, "portal_url": api.url, "client_id": SIM.client_id, "username": SIM.username},
                environ={"TRACKTIK_CLIENT_SECRET": SIM.client_secret, "TRACKTIK_PASSWORD": SIM.password},
            )
            summary = run_once(config, mode="full", start=SIM.start_date, end=SIM_END)
        assert summary.database["status"] == "completed", summary.database
        yield dsn
    finally:
        _drop(dsn)


@pytest.fixture
def scratch_dsn(loaded_dsn: str) -> Iterator[str]:
    """A clone of the loaded database that a test may change."""
    dsn = _clone(loaded_dsn, f"tracktik_report_{os.getpid()}_scratch")
    try:
        yield dsn
    finally:
        _drop(dsn)


def _rows(dsn: str, query: str | sql.Composed, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(query, params).fetchall()  # type: ignore[arg-type]


def _reader(dsn: str) -> str:
    """The same database as the role tracktik_reader (set at connection start)."""
    return make_conninfo(dsn, options="-c role=tracktik_reader")


# ---------------------------------------------------------------------------------- parsing

class Figures(HTMLParser):
    """Collects the machine-readable figures of a report.

    metrics: data-metric -> data-value; rows: per row kind (data-market, data-site, data-post-id,
    data-shift-id, ...) the row's attributes and its cells' data-field -> data-value.
    """

    ROW_KEYS = ("data-market", "data-site", "data-post-id", "data-shift-id", "data-issue-type",
                "data-open-issue-type", "data-reconciled-site-id", "data-difference-shift-id")

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.metrics: dict[str, str] = {}
        self.rows: list[tuple[dict[str, str], dict[str, str]]] = []
        self._row: tuple[dict[str, str], dict[str, str]] | None = None
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if "data-metric" in a and "data-value" in a:
            self.metrics[a["data-metric"]] = a["data-value"]
        if tag == "tr" and any(k in a for k in self.ROW_KEYS):
            self._row = (a, {})
            self.rows.append(self._row)
        elif tag == "td" and self._row is not None and "data-field" in a:
            self._row[1][a["data-field"]] = a.get("data-value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row = None

    def rows_with(self, key: str) -> dict[str, dict[str, str]]:
        return {attrs[key]: cells for attrs, cells in self.rows if key in attrs}


def _dec(text: str) -> Decimal | None:
    return Decimal(text) if text != "" else None


@pytest.fixture(scope="module")
def report(loaded_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Figures]:
    path = write_report(loaded_dsn, PERIOD, tmp_path_factory.mktemp("report") / "report.html")
    text = path.read_text(encoding="utf-8")
    return text, Figures(text)


# ---------------------------------------------------------------------------------- tests

def test_headline_figures_match_the_summary_view(loaded_dsn: str, report: tuple[str, Figures]) -> None:
    _, fig = report
    total, billable, shifts, missing, unbilled, ot_h, ot_m, hol_h = _rows(loaded_dsn, """
        SELECT sum(bill_total), sum(billable_hours), sum(shifts), sum(shifts_missing_rate),
               sum(unbilled_hours), sum(overtime_hours), sum(overtime_impact), sum(holiday_hours)
          FROM tracktik.v_billing_period_summary WHERE billing_period_id = %s""", (PERIOD,))[0]
    assert total and billable and ot_h and hol_h and missing, "the simulated period has every kind of figure"
    assert _dec(fig.metrics["total_billed"]) == total
    assert _dec(fig.metrics["billable_hours"]) == billable
    assert int(fig.metrics["shifts"]) == shifts
    assert int(fig.metrics["shifts_missing_rate"]) == missing
    assert _dec(fig.metrics["unbilled_hours"]) == unbilled
    assert _dec(fig.metrics["overtime_share_hours"]) == pytest.approx(ot_h / billable)
    assert _dec(fig.metrics["overtime_share_amount"]) == pytest.approx(ot_m / total)
    assert _dec(fig.metrics["holiday_share_hours"]) == pytest.approx(hol_h / billable)
    assert fig.metrics["period_id"] == PERIOD
    assert fig.metrics["period_start"] == "2025-05-16" and fig.metrics["period_end"] == "2025-05-29"


def test_headline_figures_are_shown_formatted(loaded_dsn: str, report: tuple[str, Figures]) -> None:
    text, _ = report
    total, billable = _rows(loaded_dsn, """SELECT sum(bill_total), sum(billable_hours)
                                             FROM tracktik.v_billing_period_summary
                                            WHERE billing_period_id = %s""", (PERIOD,))[0]
    assert f">{money(total)}<" in text and money(total).startswith("$") and "," in money(total)
    assert f">{hours(billable)}<" in text


def test_market_and_site_totals_match_the_summary_view(loaded_dsn: str, report: tuple[str, Figures]) -> None:
    _, fig = report
    markets = fig.rows_with("data-market")
    expected = _rows(loaded_dsn, """
        SELECT coalesce(market_name, 'Outside the Kaiser tree'), sum(bill_total), sum(billable_hours),
               sum(shifts)
          FROM tracktik.v_billing_period_summary WHERE billing_period_id = %s
         GROUP BY market_name ORDER BY sum(bill_total) DESC NULLS LAST""", (PERIOD,))
    assert len(expected) > 1
    assert [m for m in markets if m != "__total__"] == [name for name, *_ in expected], "sorted by amount"
    for name, bill_total, billable, shifts in expected:
        assert _dec(markets[name]["bill_total"]) == bill_total, name
        assert _dec(markets[name]["billable_hours"]) == billable, name
        assert int(markets[name]["shifts"]) == shifts, name
    assert _dec(markets["__total__"]["bill_total"]) == sum(r[1] or 0 for r in expected)

    sites = fig.rows_with("data-site-id")
    expected_sites = _rows(loaded_dsn, """
        SELECT site_id::text, bill_total, billable_hours FROM tracktik.v_billing_period_summary
         WHERE billing_period_id = %s""", (PERIOD,))
    assert set(sites) == {r[0] for r in expected_sites}
    for site_id, bill_total, billable in expected_sites:
        assert _dec(sites[site_id]["bill_total"]) == bill_total
        assert _dec(sites[site_id]["billable_hours"]) == billable
    amounts = [_dec(c["bill_total"]) for a, c in fig.rows if "data-site-id" in a]
    billed = [a for a in amounts if a is not None]
    assert billed == sorted(billed, reverse=True), "sites sorted by amount"


def test_busiest_posts_and_days_add_up_to_the_facts(loaded_dsn: str, report: tuple[str, Figures]) -> None:
    _, fig = report
    posts = [(a["data-post-id"], c) for a, c in fig.rows if "data-post-id" in a]
    assert len(posts) == 10
    top = _rows(loaded_dsn, """
        SELECT position_id::text, sum(billable_hours) FROM tracktik.fact_shifts
         WHERE billing_period_id = %s GROUP BY position_id ORDER BY 2 DESC, 1 LIMIT 10""", (PERIOD,))
    assert [_dec(c["billable_hours"]) for _, c in posts] == [h for _, h in top]
    # the report's views agree with the summary view and with the facts
    sums = {}
    for relation in ("v_billing_period_summary", "v_billing_period_posts", "v_billing_period_daily",
                     "fact_shifts"):
        query = sql.SQL("SELECT sum(billable_hours), count(*) FROM tracktik.{} WHERE billing_period_id = %s")
        sums[relation] = _rows(loaded_dsn, query.format(sql.Identifier(relation)), (PERIOD,))[0]
    assert len({hours_sum for hours_sum, _ in sums.values()}) == 1, sums
    days = sums["v_billing_period_daily"][1]
    assert days == 14
    holiday = _rows(loaded_dsn, """SELECT holiday_hours > 0, regular_hours + overtime_hours + holiday_hours
                                            + unbilled_hours = billable_hours
                                     FROM tracktik.v_billing_period_daily
                                    WHERE billing_period_id = %s AND shift_date = '2025-05-26'""", (PERIOD,))
    assert holiday == [(True, True)], "Memorial Day has holiday hours; the kinds add up to the billable hours"


def test_report_views_are_documented_and_granted_to_the_reader(loaded_dsn: str) -> None:
    undocumented = _rows(loaded_dsn, """
        SELECT c.relname || coalesce('.' || a.attname, '')
          FROM pg_class c
          LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                                  AND col_description(c.oid, a.attnum) IS NULL
         WHERE c.relnamespace = 'tracktik'::regnamespace AND c.relname = ANY (%s)
           AND (a.attname IS NOT NULL OR obj_description(c.oid, 'pg_class') IS NULL)
        """, (list(REPORT_VIEWS),))
    assert undocumented == []
    privileges = _rows(loaded_dsn, """
        SELECT v, has_table_privilege('tracktik_reader', 'tracktik.' || v, 'SELECT'),
               has_table_privilege('tracktik_loader', 'tracktik.' || v, 'SELECT')
          FROM unnest(%s::text[]) AS v""", (list(REPORT_VIEWS),))
    assert privileges == [(v, True, False) for v in REPORT_VIEWS]


def test_the_file_is_self_contained(report: tuple[str, Figures]) -> None:
    text, fig = report
    lowered = text.lower()
    for forbidden in ("http://", "https://", "<script", "<link", "@import", "url(", "<iframe", "<img"):
        assert forbidden not in lowered, forbidden
    assert lowered.count("<svg") == 3, "three inline charts"
    assert not [a for t, a in fig.tags if "src" in a or "href" in a]


def test_strings_from_the_database_are_escaped(scratch_dsn: str, tmp_path: Path) -> None:
    with psycopg.connect(scratch_dsn) as conn:
        site_id = conn.execute(
            """UPDATE tracktik.dim_clients SET name = %s
                WHERE is_current AND client_id = (SELECT client_id FROM tracktik.fact_shifts
                                                   WHERE billing_period_id = %s
                                                   GROUP BY client_id ORDER BY count(*) DESC LIMIT 1)
                RETURNING client_id""", (HOSTILE, PERIOD)).fetchone()[0]  # type: ignore[index]
        conn.execute("UPDATE tracktik.dim_positions SET name = %s WHERE is_current", ("Post <b>bold</b>",))
    text = write_report(scratch_dsn, PERIOD, tmp_path / "r.html").read_text(encoding="utf-8")
    assert HOSTILE not in text and "<script" not in text and "<b>" not in text
    assert str(escape(HOSTILE)) in text and "&lt;script&gt;" in text and "&amp; Sons" in text
    assert "Post &lt;b&gt;bold&lt;/b&gt;" in text
    fig = Figures(text)
    assert fig.rows_with("data-site-id")[str(site_id)] is not None
    assert any(a.get("data-site") == HOSTILE for a, _ in fig.rows), "the attribute round-trips"


def test_unknown_period_is_a_one_line_error(loaded_dsn: str, tmp_path: Path) -> None:
    for bad in ("2025_99", "2025_00", "2025-11", "abc", ""):
        with pytest.raises(UnknownBillingPeriod) as info:
            collect_report(loaded_dsn, bad)
        assert "\n" not in str(info.value) and "period" in str(info.value)
    out = tmp_path / "r.html"
    proc = subprocess.run(
        [sys.executable, "-m", "tracktik_etl.cli", "report", "--dsn", loaded_dsn, "--period", "2025_99",
         "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "tracktik-etl: error: unknown billing period '2025_99': the billing calendar has no period 99 "
        "in fiscal year 2025"]
    assert not out.exists()


def test_period_without_shifts_is_a_valid_report(loaded_dsn: str, tmp_path: Path) -> None:
    data = collect_report(loaded_dsn, "2030_05")  # in the calendar, never loaded
    assert data["period"]["start_date"] < data["period"]["end_date"]
    assert len(data["daily"]) == 14 and data["totals"]["shifts"] is None
    text = render_report(data)
    fig = Figures(text)
    assert fig.metrics["total_billed"] == "0" and fig.metrics["shifts"] == "0"
    assert "No shifts are loaded for this billing period" in text
    assert "<svg" not in text


def test_a_login_role_with_tracktik_reader_suffices(loaded_dsn: str, tmp_path: Path) -> None:
    reader = _reader(loaded_dsn)
    assert _rows(reader, "SELECT current_user, pg_has_role('tracktik_loader', 'USAGE')") == [
        ("tracktik_reader", False)]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _rows(reader, "SELECT count(*) FROM staging.api_records")
    fig = Figures(write_report(reader, PERIOD, tmp_path / "r.html").read_text(encoding="utf-8"))
    total = _rows(loaded_dsn, "SELECT sum(bill_total) FROM tracktik.v_billing_period_summary"
                              " WHERE billing_period_id = %s", (PERIOD,))[0][0]
    assert _dec(fig.metrics["total_billed"]) == total
    assert collect_report(reader, "2030_05")["period"]["period_id"] == "2030_05"


def test_failed_batch_since_the_last_success_is_flagged(scratch_dsn: str,
                                                        report: tuple[str, Figures]) -> None:
    _, fig = report
    assert fig.metrics["failed_since"] == "0"
    last = _rows(scratch_dsn, "SELECT max(completed_at) FROM tracktik.etl_batches WHERE status = 'completed'")
    assert fig.metrics["last_successful_run"] == last[0][0].isoformat()
    with psycopg.connect(scratch_dsn) as conn:
        conn.execute("""INSERT INTO tracktik.etl_batches (batch_type, status, started_at, completed_at,
                                                          error_sqlstate, error_message)
                        VALUES ('incremental', 'failed', now(), now(), 'TT004', 'lock held <by> someone')""")
    text = render_report(collect_report(scratch_dsn, PERIOD))
    assert Figures(text).metrics["failed_since"] == "1"
    assert 'class="banner warn"' in text and "lock held &lt;by&gt; someone" in text


def test_billing_variances_of_the_period_are_listed(scratch_dsn: str) -> None:
    with psycopg.connect(scratch_dsn) as conn:
        ids = conn.execute(
            """INSERT INTO tracktik.data_quality_issues
                      (table_name, record_id, issue_type, severity, issue_description, issue_data)
               SELECT 'fact_shifts', f.shift_id::text, 'billing_variance', 'warning', 'TrackTik differs',
                      jsonb_build_object('billableHours', f.billable_hours + 1,
                                         'billable_hours', f.billable_hours,
                                         'payableHours', f.payable_hours, 'payable_hours', f.payable_hours)
                 FROM (SELECT DISTINCT ON (billing_period_id) * FROM tracktik.fact_shifts
                        WHERE billing_period_id IN ('2025_10', '2025_11')
                        ORDER BY billing_period_id, shift_id) AS f
               RETURNING record_id, (issue_data ->> 'billableHours')""").fetchall()
    in_period = _rows(scratch_dsn, """SELECT min(shift_id)::text FROM tracktik.fact_shifts
                                       WHERE billing_period_id = %s""", (PERIOD,))[0][0]
    fig = Figures(render_report(collect_report(scratch_dsn, PERIOD)))
    assert fig.metrics["billing_variances"] == "1", "only the variance of a shift in the period"
    assert list(fig.rows_with("data-shift-id")) == [in_period]
    assert in_period in {i for i, _ in ids}
    assert fig.rows_with("data-issue-type")["billing_variance"]["issues"] == "1"
    assert fig.rows_with("data-open-issue-type")["billing_variance"]["issues"] == "2", "warehouse-wide"


def test_reconciliation_with_what_tracktik_billed_is_shown(scratch_dsn: str) -> None:
    """Two shifts of the period compared with TrackTik's billable items, one differing by
    $12.50: the section shows both totals, one differing shift, and that shift's line."""
    with psycopg.connect(scratch_dsn) as conn:
        conn.execute("DELETE FROM tracktik.billing_reconciliation")
        shifts = conn.execute(
            """INSERT INTO tracktik.billing_reconciliation
                      (shift_id, billing_period_id, client_id, region_id, shift_date, tracktik_items,
                       tracktik_hours, tracktik_rate, tracktik_amount, warehouse_hours, warehouse_rate,
                       warehouse_amount, amount_difference, differs, differences)
               SELECT f.shift_id, f.billing_period_id, f.client_id, f.region_id, f.shift_date, 1,
                      8, 40, 320 + CASE WHEN n = 1 THEN 12.50 ELSE 0 END, 8, 40, 320,
                      CASE WHEN n = 1 THEN -12.50 ELSE 0 END, n = 1,
                      CASE WHEN n = 1 THEN ARRAY['amount'] ELSE '{}'::text[] END
                 FROM (SELECT f.*, row_number() OVER (ORDER BY f.shift_id) AS n
                         FROM tracktik.fact_shifts AS f WHERE f.billing_period_id = %s
                        ORDER BY f.shift_id LIMIT 2) AS f
               RETURNING shift_id, differs""", (PERIOD,)).fetchall()
    differing = [str(sid) for sid, differs in shifts if differs]
    fig = Figures(render_report(collect_report(scratch_dsn, PERIOD)))
    assert fig.metrics["reconciled_shifts"] == "2"
    assert fig.metrics["shifts_differing"] == "1"
    assert _dec(fig.metrics["tracktik_billed"]) == Decimal("652.50")
    assert _dec(fig.metrics["warehouse_billed"]) == Decimal("640.00")
    assert list(fig.rows_with("data-difference-shift-id")) == differing
    assert fig.rows_with("data-difference-shift-id")[differing[0]]["amount_difference"] == "-12.50"
    site = next(iter(fig.rows_with("data-reconciled-site-id").values()))
    assert site["shifts_differing"] == "1"


def test_cli_writes_the_report(loaded_dsn: str, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "report.html"
    proc = subprocess.run(
        [sys.executable, "-m", "tracktik_etl.cli", "report", "--dsn", loaded_dsn, "--period", PERIOD,
         "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"report for billing period {PERIOD} written to {out}" in proc.stdout
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and Figures(text).metrics["period_id"] == PERIOD
    assert not list(out.parent.glob("*.tmp")) and not list(out.parent.glob(".*.tmp"))


def test_money_and_hours_formats() -> None:
    assert money(Decimal("12345.67")) == "$12,345.67"
    assert money(Decimal("-5")) == "-$5.00"
    assert money(None) == "—"
    assert hours(Decimal("1234.5")) == "1,234.50"
    assert hours(Decimal("0")) == "0.00"


# ---------------------------------------------------------------------------------- incomplete periods

def _shift_mark(dsn: str) -> tuple[datetime, date]:
    """The shifts watermark and its local date, read from the tables (not from the views under test)."""
    mark, local = _rows(dsn, """
        SELECT s.last_sync_timestamp, (s.last_sync_timestamp AT TIME ZONE t.default_time_zone)::date
          FROM tracktik.etl_sync_status AS s CROSS JOIN tracktik.settings AS t
         WHERE s.table_name = 'shifts'""")[0]
    return mark, local


def _set_shift_mark(dsn: str, local: str) -> None:
    """Move the shifts watermark to a local time (warehouse time zone), as a completed sync would."""
    with psycopg.connect(dsn) as conn:
        conn.execute("""UPDATE tracktik.etl_sync_status
                           SET last_sync_timestamp = (%s::timestamp AT TIME ZONE
                                                      (SELECT default_time_zone FROM tracktik.settings))
                         WHERE table_name = 'shifts'""", (local,))


def test_a_period_the_shift_data_does_not_cover_is_marked_incomplete(loaded_dsn: str,
                                                                     report: tuple[str, Figures]) -> None:
    mark, through = _shift_mark(loaded_dsn)
    assert date(2025, 5, 30) <= through < date(2025, 6, 12), "the simulated data ends inside 2025_12"
    text = render_report(collect_report(loaded_dsn, NEXT_PERIOD))
    fig = Figures(text)
    assert fig.metrics["period_complete"] == "false"
    assert fig.metrics["data_through"] == through.isoformat()
    assert f"Data up to {through.isoformat()}; this period is not complete." in text
    assert 'class="banner incomplete"' in text and '<span class="flag"' in text
    assert int(fig.metrics["shifts"]) > 0, "it has shifts: only part of them"

    done_text, done = report  # 2025_11 ends before the watermark
    assert done.metrics["period_complete"] == "true" and "data_through" not in done.metrics
    assert "this period is not complete" not in done_text and '<span class="flag"' not in done_text
    assert mark.date() >= date(2025, 5, 30)


def test_a_period_is_complete_only_once_the_data_passes_its_last_day(scratch_dsn: str) -> None:
    def complete(period: str) -> str:
        return Figures(render_report(collect_report(scratch_dsn, period))).metrics["period_complete"]

    _set_shift_mark(scratch_dsn, "2025-05-29 23:59:59")  # the last day of 2025_11, not over yet
    assert complete(PERIOD) == "false"
    _set_shift_mark(scratch_dsn, "2025-05-30 00:00:00")  # local midnight after it
    assert complete(PERIOD) == "true"
    assert complete(NEXT_PERIOD) == "false"
    assert complete("2030_05") == "false", "a period not stored yet is judged by the same watermark"
    with psycopg.connect(scratch_dsn) as conn:
        conn.execute("DELETE FROM tracktik.etl_sync_status WHERE table_name = 'shifts'")
    text = render_report(collect_report(scratch_dsn, PERIOD))
    assert Figures(text).metrics["period_complete"] == "false"
    assert "No shift data synced yet; this period is not complete." in text


def test_report_and_status_read_only_views(scratch_dsn: str) -> None:
    """As a role that may read the views but no table, the report and status still work."""
    with psycopg.connect(scratch_dsn, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS tracktik_views_only")
        conn.execute("CREATE ROLE tracktik_views_only")
        conn.execute("GRANT USAGE ON SCHEMA tracktik TO tracktik_views_only")
        views = [r[0] for r in conn.execute("""SELECT c.oid::regclass::text FROM pg_class c
                                                WHERE c.relnamespace = 'tracktik'::regnamespace
                                                  AND c.relkind IN ('v', 'm')""").fetchall()]
        conn.execute(sql.SQL("GRANT SELECT ON {} TO tracktik_views_only").format(
            sql.SQL(", ").join(sql.SQL(v) for v in views)))
    views_only = make_conninfo(scratch_dsn, options="-c role=tracktik_views_only")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _rows(views_only, "SELECT 1 FROM tracktik.billing_periods LIMIT 1")
    data = collect_report(views_only, PERIOD)
    assert data["period"]["period_id"] == PERIOD and data["totals"]["shifts"]
    status = collect_status(views_only)
    assert status["last_successful_run"] is not None and status["batches"]
    assert [p["period_id"] for p in status["incomplete_periods"]] == [NEXT_PERIOD]
    assert status["shift_data_through"] == _shift_mark(scratch_dsn)[1]


# ---------------------------------------------------------------------------------- in a real browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync")
BROWSER_TIMEOUT = 120


def _chromium() -> str:
    if not os.access(CHROMIUM, os.X_OK):  # a failure, not a skip: scripts/bootstrap.sh installs it
        pytest.fail(f"{CHROMIUM} is missing: run scripts/bootstrap.sh (it installs Debian's chromium)")
    return str(CHROMIUM)


class Browser:
    """Headless Chromium driven over the DevTools protocol on --remote-debugging-pipe (fds 3 and 4)."""

    def __init__(self, profile: Path) -> None:
        to_chromium, self._w = os.pipe()
        self._r, from_chromium = os.pipe()

        def pipes() -> None:
            os.dup2(to_chromium, 3)
            os.dup2(from_chromium, 4)

        self.proc = subprocess.Popen(  # noqa: S603
            [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe",
             "about:blank"], preexec_fn=pipes, pass_fds=(3, 4),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chromium)
        os.close(from_chromium)
        self._watchdog = threading.Timer(BROWSER_TIMEOUT, self.proc.kill)  # a hang ends as EOF
        self._watchdog.start()
        self._in = os.fdopen(self._r, "rb")
        self._out = os.fdopen(self._w, "wb")
        self._id = 0
        self.events: list[dict[str, Any]] = []

    def _receive(self) -> dict[str, Any]:
        buf = bytearray()
        while (byte := self._in.read(1)) != b"\0":
            if not byte:
                raise AssertionError("chromium closed the DevTools pipe (crashed or timed out)")
            buf += byte
        return json.loads(buf)

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params,
                   **({"sessionId": session} if session else {})}
        self._out.write(json.dumps(message).encode() + b"\0")
        self._out.flush()
        while (reply := self._receive()).get("id") != self._id:
            self.events.append(reply)
        assert "error" not in reply, (method, reply["error"])
        return reply["result"]

    def wait_for(self, method: str) -> None:
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._receive())

    def close(self) -> None:
        try:
            self.send("Browser.close")
            self.proc.wait(30)
        finally:
            self._watchdog.cancel()
            self.proc.kill()
            self._in.close()
            self._out.close()


def _open_in_chromium(html: Path, profile: Path, expression: str) -> tuple[list[str], Any]:
    """Load a file; return its console messages, errors and failed loads, and an expression's value."""
    browser = Browser(profile)
    try:
        target = browser.send("Target.createTarget", url="about:blank")["targetId"]
        session = browser.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            browser.send(f"{domain}.enable", session)
        browser.send("Page.navigate", session, url=html.resolve().as_uri())
        browser.wait_for("Page.loadEventFired")
        value = browser.send("Runtime.evaluate", session, expression=expression,
                             returnByValue=True)["result"].get("value")
        browser.send("Runtime.evaluate", session, expression="0")  # flush events raised meanwhile
    finally:
        browser.close()
    console = []
    for e in browser.events:
        params = e.get("params", {})
        if e.get("method") == "Runtime.consoleAPICalled":
            console.append(f"console.{params['type']}: {[a.get('value') for a in params['args']]}")
        elif e.get("method") == "Runtime.exceptionThrown":
            console.append(f"exception: {params['exceptionDetails'].get('text')}")
        elif e.get("method") == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            entry = params["entry"]
            console.append(f"{entry['level']}: {entry['text']} {entry.get('url', '')}")
    return console, value


SVG_SIZES = """[...document.querySelectorAll('svg')].map(svg => {
    const box = svg.getBoundingClientRect();
    const drawn = [...svg.querySelectorAll('rect')].filter(r => {
        const b = r.getBoundingClientRect(); return b.width > 0 && b.height > 0; }).length;
    return {label: svg.getAttribute('aria-label'), width: box.width, height: box.height, drawn: drawn};
})"""


@pytest.fixture(scope="module")
def report_file(report: tuple[str, Figures], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("browser") / f"report-{PERIOD}.html"
    path.write_text(report[0], encoding="utf-8")
    return path


def test_the_browser_check_sees_console_errors(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><body><img src="missing.png">'
                    '<script>console.error("broken")</script></body></html>', encoding="utf-8")
    console, _ = _open_in_chromium(page, tmp_path / "profile", "1")
    assert any("broken" in c for c in console), console
    assert any("missing.png" in c for c in console), console


def test_the_report_loads_in_chromium_with_its_charts_drawn(report_file: Path, tmp_path: Path) -> None:
    console, charts = _open_in_chromium(report_file, tmp_path / "profile", SVG_SIZES)
    assert console == [], "no console message, error or failed load"
    assert [c["label"] for c in charts] == [
        "Amount billed by market", "Billable hours by market: regular, overtime, holiday, not billed",
        "Billable hours per day"]
    for chart in charts:
        assert chart["width"] > 300 and chart["height"] > 100, chart
        assert chart["drawn"] >= 5, f"bars drawn with a size: {chart}"


def test_the_report_prints_on_a4(report_file: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    proc = subprocess.run(  # noqa: S603
        [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", report_file.resolve().as_uri()],
        capture_output=True, text=True, timeout=BROWSER_TIMEOUT)
    assert proc.returncode == 0 and pdf.exists(), proc.stderr[-2000:]
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf.read_bytes())
    assert len(boxes) >= 2, "several pages, each with its MediaBox"
    for box in boxes:  # A4 is 595 x 842 pt (Chromium's default paper would be Letter, 612 x 792)
        x0, y0, x1, y1 = (float(v) for v in box)
        assert abs((x1 - x0) - 595) <= 1 and abs((y1 - y0) - 842) <= 1, box
