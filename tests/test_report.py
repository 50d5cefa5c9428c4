"""``tracktik-etl report``: the HTML billing report of one period, on data loaded from the simulator.

One database per module is loaded with the bundled simulator through ``run_once`` (three weeks
around Memorial Day, so the period 2025_11 has overtime, a holiday and posts without a rate);
tests that change data work on a clone of it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import psycopg
import pytest
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
from tracktik_sim import Simulator, SimulatorConfig

SIM = SimulatorConfig(seed=7, employees=40, weeks=3, start_date=date(2025, 5, 12))
SIM_END = SIM.start_date + timedelta(weeks=SIM.weeks) - timedelta(days=1)
PERIOD = "2025_11"  # 2025-05-16 .. 2025-05-29, Memorial Day 2025-05-26
REPORT_VIEWS = ("v_billing_period_posts", "v_billing_period_daily", "v_billing_period_issues")
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
                "data-open-issue-type")

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
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons &#x27;Ltd&#x27;" in text
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
