"""``tracktik-etl report``: one billing period as a single self-contained HTML file.

:func:`collect_report` reads the reporting views (read-only, one REPEATABLE READ snapshot, so
a login role that inherits ``tracktik_reader`` suffices); :func:`render_report` renders that
data with the Jinja2 templates of ``tracktik_etl/templates`` (autoescaped; inline CSS and inline
SVG charts, no JavaScript, no network, no external fonts); :func:`write_report` does both and
writes the file. The Python here only collects data, formats numbers and lays out the charts.

Where each number comes from:

* the period, and whether the shift data covers it: ``tracktik.v_billing_periods`` (a period not
  stored yet: ``tracktik.billing_period_bounds()`` and ``tracktik.v_shift_watermark``);
* money, hours and shifts by market and site: ``tracktik.v_billing_period_summary``;
* guards (distinct employees): ``tracktik.mv_billing_period_totals``;
* busiest posts: ``tracktik.v_billing_period_posts``; days: ``tracktik.v_billing_period_daily``;
* issues of the period's shifts (billing variances included): ``tracktik.v_billing_period_issues``;
  every open issue: ``tracktik.v_open_data_quality_issues``;
* reconciliation with what TrackTik billed (its ``/billable-items``):
  ``tracktik.v_billing_reconciliation`` per site, ``tracktik.v_billing_largest_differences``;
* run status: ``tracktik.v_batch_health``; shift watermark: ``tracktik.v_sync_status``.

Key figures carry machine-readable ``data-metric`` / ``data-field`` and ``data-value`` attributes.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from psycopg import IsolationLevel
from psycopg.rows import dict_row

from .errors import TrackTikEtlError
from .migrate import connect

logger = logging.getLogger(__name__)

PERIOD_ID = re.compile(r"^(\d{4})_(\d{2})$")
TOP_POSTS = 10
TOP_ISSUES = 20
TOP_VARIANCES = 50
TOP_DIFFERENCES = 10
OUTSIDE_KAISER = "Outside the Kaiser tree"

ZERO = Decimal(0)


class UnknownBillingPeriod(TrackTikEtlError):
    """The period id is malformed or names no period of the billing calendar."""


# ---------------------------------------------------------------------------------- collect

_SUMMARY_MEASURES = """
    sum(shifts) AS shifts, sum(cancelled_shifts) AS cancelled_shifts,
    sum(scheduled_hours) AS scheduled_hours, sum(billable_hours) AS billable_hours,
    sum(payable_hours) AS payable_hours, sum(regular_hours) AS regular_hours,
    sum(overtime_hours) AS overtime_hours, sum(overtime_impact) AS overtime_impact,
    sum(holiday_hours) AS holiday_hours, sum(holiday_impact) AS holiday_impact,
    sum(regular_amount) AS regular_amount, sum(bill_total) AS bill_total,
    sum(shifts_missing_rate) AS shifts_missing_rate, sum(unbilled_hours) AS unbilled_hours
"""
_SEVERITY_ORDER = "CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END"


def _rows(conn: psycopg.Connection, query: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query, params)  # type: ignore[arg-type]  # module constants, never built from input
        return list(cur.fetchall())


def _period(conn: psycopg.Connection, period_id: str) -> dict[str, Any]:
    """The period from tracktik.v_billing_periods, else computed from the calendar.

    Either way with ``is_complete`` / ``data_through``: whether the shift data (its sync
    watermark) reaches past the period's last day.
    """
    match = PERIOD_ID.match(period_id or "")
    if not match or int(match.group(1)) < 1 or int(match.group(2)) < 1:
        raise UnknownBillingPeriod(
            f"billing period {period_id!r} is not of the form YYYY_PP "
            "(fiscal year and ordinal, e.g. 2025_06)")
    found = _rows(conn, """SELECT period_id, start_date, end_date, fiscal_year, period_number, true AS stored,
                                  shifts_synced_until, data_through, is_complete
                             FROM tracktik.v_billing_periods WHERE period_id = %s""", (period_id,))
    if not found:
        year = int(match.group(1))
        found = _rows(conn, """
            SELECT DISTINCT b.period_id, b.start_date, b.end_date, b.fiscal_year, b.period_number,
                   false AS stored, w.last_sync_timestamp AS shifts_synced_until, w.data_through,
                   coalesce(w.data_through > b.end_date, false) AS is_complete  -- as v_billing_periods
              FROM pg_catalog.generate_series(make_date(%s, 1, 1), make_date(%s, 12, 31),
                                              interval '1 day') AS d(day)
             CROSS JOIN LATERAL tracktik.billing_period_bounds(d.day::date) AS b
             CROSS JOIN tracktik.v_shift_watermark AS w
             WHERE b.period_id = %s""", (year, year, period_id))
    if not found:
        raise UnknownBillingPeriod(
            f"unknown billing period {period_id!r}: the billing calendar has no period "
            f"{match.group(2)} in fiscal year {match.group(1)}")
    return found[0]


def _run_status(conn: psycopg.Connection) -> dict[str, Any]:
    last_ok = _rows(conn, """
        SELECT batch_id::text AS batch_id, batch_type, started_at, completed_at
          FROM tracktik.v_batch_health
         WHERE status = 'completed' AND batch_type <> 'reprocess'  -- a DBA's reprocess is no ETL run
         ORDER BY completed_at DESC NULLS LAST LIMIT 1""")
    since = last_ok[0]["completed_at"] if last_ok else None
    failed = _rows(conn, """
        SELECT batch_id::text AS batch_id, batch_type, status, started_at, completed_at,
               error_sqlstate, error_message
          FROM tracktik.v_batch_health
         WHERE status IN ('failed', 'abandoned')
           AND started_at > coalesce(%s, '-infinity'::timestamptz)
         ORDER BY started_at DESC""", (since,))
    running = _rows(conn, """
        SELECT batch_id::text AS batch_id, batch_type, started_at, shell_alive
          FROM tracktik.v_batch_health WHERE status IN ('running', 'staged') ORDER BY started_at""")
    sync = _rows(conn, """SELECT last_sync_timestamp, last_successful_batch_completed_at
                            FROM tracktik.v_sync_status WHERE resource = 'shifts'""")
    return {"last_success": last_ok[0] if last_ok else None, "failed_since": failed,
            "in_progress": running, "shifts_synced_until": sync[0]["last_sync_timestamp"] if sync else None}


def collect_report(dsn: str, period_id: str) -> dict[str, Any]:
    """Everything the report shows, read from the reporting views in one consistent snapshot."""
    with connect(dsn) as conn:
        conn.isolation_level = IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        period = _period(conn, period_id)
        pid = period["period_id"]
        meta = _rows(conn, "SELECT now() AS generated_at, current_date AS today, current_database() AS db")[0]
        totals = _rows(conn, f"""SELECT count(DISTINCT site_id) AS sites, {_SUMMARY_MEASURES}
                                   FROM tracktik.v_billing_period_summary
                                  WHERE billing_period_id = %s""", (pid,))[0]  # noqa: S608
        markets = _rows(conn, f"""
            SELECT market_region_id, market_name, count(DISTINCT site_id) AS sites, {_SUMMARY_MEASURES}
              FROM tracktik.v_billing_period_summary
             WHERE billing_period_id = %s
             GROUP BY market_region_id, market_name
             ORDER BY sum(bill_total) DESC NULLS LAST, sum(billable_hours) DESC NULLS LAST,
                      market_name NULLS LAST""", (pid,))  # noqa: S608
        sites = _rows(conn, """
            SELECT site_id, site_name, market_region_id, market_name, shifts, cancelled_shifts,
                   billable_hours, regular_hours, overtime_hours, overtime_impact, holiday_hours,
                   holiday_impact, bill_total, shifts_missing_rate, unbilled_hours
              FROM tracktik.v_billing_period_summary
             WHERE billing_period_id = %s
             ORDER BY bill_total DESC NULLS LAST, billable_hours DESC NULLS LAST, site_name, site_id
            """, (pid,))
        guards = _rows(conn, """
            SELECT employees, shifts, bill_total, refreshed_at
              FROM tracktik.mv_billing_period_totals WHERE billing_period_id = %s""", (pid,))
        posts = _rows(conn, """
            SELECT post_id, post_name, non_billable, site_id, site_name, market_name, shifts, guards,
                   billable_hours, overtime_hours, holiday_hours, bill_total, shifts_missing_rate
              FROM tracktik.v_billing_period_posts
             WHERE billing_period_id = %s
             ORDER BY billable_hours DESC NULLS LAST, bill_total DESC NULLS LAST, post_name, post_id
             LIMIT %s""", (pid, TOP_POSTS))
        daily = _rows(conn, """
            SELECT shift_date, shifts, cancelled_shifts, billable_hours, regular_hours, overtime_hours,
                   holiday_hours, unbilled_hours, bill_total
              FROM tracktik.v_billing_period_daily WHERE billing_period_id = %s
             ORDER BY shift_date""", (pid,))
        issue_counts = _rows(conn, f"""
            SELECT issue_type, severity, count(*) AS issues, count(DISTINCT shift_id) AS shifts
              FROM tracktik.v_billing_period_issues WHERE billing_period_id = %s
             GROUP BY issue_type, severity
             ORDER BY {_SEVERITY_ORDER}, count(*) DESC, issue_type""", (pid,))  # noqa: S608
        top_issues = _rows(conn, f"""
            SELECT severity, issue_type, site_id, site_name, post_id, post_name, count(*) AS issues,
                   count(DISTINCT shift_id) AS shifts, min(shift_date) AS first_date,
                   max(shift_date) AS last_date, min(issue_description) AS example
              FROM tracktik.v_billing_period_issues WHERE billing_period_id = %s
             GROUP BY severity, issue_type, site_id, site_name, post_id, post_name
             ORDER BY {_SEVERITY_ORDER}, count(*) DESC, issue_type, site_name, post_name
             LIMIT %s""", (pid, TOP_ISSUES))  # noqa: S608
        variances = _rows(conn, """
            SELECT issue_id, shift_id, shift_date, site_name, post_name, created_at,
                   CASE WHEN issue_data ->> 'billableHours' ~ '^-?[0-9.]+$'
                        THEN (issue_data ->> 'billableHours')::numeric END AS tracktik_billable,
                   CASE WHEN issue_data ->> 'billable_hours' ~ '^-?[0-9.]+$'
                        THEN (issue_data ->> 'billable_hours')::numeric END AS our_billable,
                   CASE WHEN issue_data ->> 'payableHours' ~ '^-?[0-9.]+$'
                        THEN (issue_data ->> 'payableHours')::numeric END AS tracktik_payable,
                   CASE WHEN issue_data ->> 'payable_hours' ~ '^-?[0-9.]+$'
                        THEN (issue_data ->> 'payable_hours')::numeric END AS our_payable,
                   issue_description, count(*) OVER () AS total
              FROM tracktik.v_billing_period_issues
             WHERE billing_period_id = %s AND issue_type = 'billing_variance'
             ORDER BY shift_date, shift_id, issue_id
             LIMIT %s""", (pid, TOP_VARIANCES))
        reconciliation = _rows(conn, """
            SELECT client_id, site_name, tracktik_billed, warehouse_billed, difference,
                   shifts_compared, shifts_differing, largest_difference
              FROM tracktik.v_billing_reconciliation WHERE billing_period_id = %s
             ORDER BY shifts_differing DESC, abs(difference) DESC NULLS LAST, site_name""", (pid,))
        differences = _rows(conn, """
            SELECT shift_id, shift_date, site_name, tracktik_hours, warehouse_hours, tracktik_rate,
                   warehouse_rate, tracktik_amount, warehouse_amount, amount_difference
              FROM tracktik.v_billing_largest_differences WHERE billing_period_id = %s
             ORDER BY abs(coalesce(amount_difference, 0)) DESC, shift_id LIMIT %s""",
                            (pid, TOP_DIFFERENCES))
        open_issues = _rows(conn, f"""
            SELECT issue_type, severity, count(*) AS issues
              FROM tracktik.v_open_data_quality_issues
             GROUP BY issue_type, severity
             ORDER BY {_SEVERITY_ORDER}, count(*) DESC, issue_type""")  # noqa: S608
        runs = _run_status(conn)
        conn.rollback()
    logger.info("report data of billing period %s: %s sites, %s shifts, complete: %s", pid, len(sites),
                totals["shifts"] or 0, period["is_complete"])
    return {
        "period": period, "generated_at": meta["generated_at"], "today": meta["today"],
        "database": meta["db"], "totals": totals, "markets": markets, "sites": sites,
        "guards": guards[0] if guards else None, "posts": posts,
        "daily": _fill_days(period["start_date"], period["end_date"], daily),
        "issue_counts": issue_counts, "top_issues": top_issues, "variances": variances,
        "variance_total": variances[0]["total"] if variances else 0,
        "reconciliation": reconciliation, "differences": differences,
        "reconciled": {key: sum((r[key] or 0) for r in reconciliation)
                       for key in ("tracktik_billed", "warehouse_billed", "shifts_compared",
                                   "shifts_differing")},
        "open_issues": open_issues, "runs": runs,
    }


def _fill_days(start: date, end: date, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every day of the period, zeros where the view has no row (a period not yet stored)."""
    by_day = {r["shift_date"]: r for r in rows}
    out = []
    day = start
    while day <= end:
        out.append(by_day.get(day) or {
            "shift_date": day, "shifts": 0, "cancelled_shifts": 0, "billable_hours": ZERO,
            "regular_hours": ZERO, "overtime_hours": ZERO, "holiday_hours": ZERO,
            "unbilled_hours": ZERO, "bill_total": ZERO})
        day += timedelta(days=1)
    return out


# ---------------------------------------------------------------------------------- formatting

def money(value: Decimal | float | int | None) -> str:
    """$12,345.67 (— for NULL)."""
    if value is None:
        return "—"
    v = Decimal(value)
    return f"-${-v:,.2f}" if v < 0 else f"${v:,.2f}"


def hours(value: Decimal | float | int | None) -> str:
    """1,234.50 (— for NULL)."""
    return "—" if value is None else f"{Decimal(value):,.2f}"


def count(value: int | Decimal | None) -> str:
    """1,234 (— for NULL)."""
    return "—" if value is None else f"{int(value):,}"


def share(part: Decimal | float | int | None, whole: Decimal | float | int | None) -> Decimal | None:
    """part / whole, None when either is missing or whole is zero."""
    if part is None or whole is None or Decimal(whole) == 0:
        return None
    return Decimal(part) / Decimal(whole)


def percent(value: Decimal | None) -> str:
    """12.3% (— for None)."""
    return "—" if value is None else f"{value * 100:.1f}%"


def timestamp(value: datetime | None) -> str:
    """2025-05-30 14:00 UTC, or "never"."""
    return "never" if value is None else value.strftime("%Y-%m-%d %H:%M %Z").strip()


def day(value: date) -> str:
    """Fri 16 May 2025."""
    return value.strftime("%a %d %b %Y")


def raw(value: object) -> str:
    """The machine-readable form of a figure (data-value)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def market_name(name: str | None) -> str:
    return name if name is not None else OUTSIDE_KAISER


FORMATS = {"money": money, "hours": hours, "count": count, "percent": percent}


# ---------------------------------------------------------------------------------- charts
# The geometry of the three charts; templates/macros.html draws the shapes as SVG.

COLORS = {"regular": "#2f5d8a", "overtime": "#e08a2c", "holiday": "#8a5fb8", "unbilled": "#b9bec6",
          "total": "#2f5d8a"}
SEGMENTS = (("regular", "Regular"), ("overtime", "Overtime"), ("holiday", "Holiday"),
            ("unbilled", "Not billed (no rate)"))


def _coords(**values: float) -> dict[str, float]:
    """SVG coordinates to a tenth of a unit."""
    return {k: round(float(v), 1) for k, v in values.items()}


@dataclass
class Chart:
    """An SVG drawing: a view box and its shapes (rect, text and line dicts, in drawing order)."""

    width: int
    height: int
    label: str
    shapes: list[dict[str, Any]] = field(default_factory=list)

    def rect(self, x: float, y: float, w: float, h: float, fill: str, title: str = "", rx: int = 0) -> None:
        self.shapes.append({"kind": "rect", **_coords(x=x, y=y, w=w, h=h), "fill": fill, "title": title,
                            "rx": rx})

    def text(self, x: float, y: float, text: str, cls: str = "lbl", anchor: str = "start",
             rotate: bool = False) -> None:
        self.shapes.append({"kind": "text", **_coords(x=x, y=y), "text": text, "cls": cls, "anchor": anchor,
                            "rotate": rotate})

    def line(self, x1: float, y1: float, x2: float, y2: float, cls: str = "grid") -> None:
        self.shapes.append({"kind": "line", **_coords(x1=x1, y1=y1, x2=x2, y2=y2), "cls": cls})

    def legend(self, x: float, y: float) -> None:
        for key, label in SEGMENTS:
            self.rect(x, y - 10, 12, 12, COLORS[key], rx=2)
            self.text(x + 17, y, label, "legend")
            x += 34 + 7.2 * len(label)


def _nice_ceiling(value: float, ticks: int = 5) -> tuple[float, float]:
    """A round axis maximum and step covering ``value`` with at most ``ticks`` intervals."""
    if value <= 0:
        return 1.0, 0.25
    magnitude = 10 ** math.floor(math.log10(value / ticks))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10, 20) if value / (m * magnitude) <= ticks)
    return step * math.ceil(value / step), step


def _axis_label(value: float, money_axis: bool) -> str:
    if money_axis:
        if value >= 1_000_000:
            return f"${value / 1_000_000:g}M"
        if value >= 1000:
            return f"${value / 1000:g}k"
        return f"${value:g}"
    return f"{value:,.0f}"


def _ticks(vmax: float, step: float) -> list[float]:
    return [i * step for i in range(int(round(vmax / step)) + 1)]


def _horizontal_bars(label: str, rows: int, top: int, right_pad: int, vmax_of: float, money_axis: bool,
                     unit: str = "", legend: bool = False) -> tuple[Chart, float, float]:
    """A horizontal bar chart's frame, legend and vertical grid; returns it, the plot width and vmax."""
    width, label_w, row_h = 1000, 190, 30
    plot_w = width - label_w - right_pad
    chart = Chart(width, top + row_h * rows + 26, label)
    if legend:
        chart.legend(label_w, 16)
    vmax, step = _nice_ceiling(vmax_of)
    for tick in _ticks(vmax, step):
        x = label_w + plot_w * tick / vmax
        chart.line(x, top - 8, x, top + row_h * rows)
        chart.text(x, chart.height - 8, _axis_label(tick, money_axis) + unit, "muted", "middle")
    return chart, plot_w, vmax


def bar_chart_markets(markets: list[dict[str, Any]], grand_total: Decimal | None) -> Chart | None:
    """Horizontal bars: amount billed per market, with its share of the total."""
    rows = [m for m in markets if m["bill_total"] is not None]
    if not rows:
        return None
    top, row_h, label_w = 20, 30, 190
    chart, plot_w, vmax = _horizontal_bars("Amount billed by market", len(rows), top, 150,
                                           float(max(m["bill_total"] for m in rows)), True)
    for i, m in enumerate(rows):
        y = top + i * row_h
        w = max(plot_w * float(m["bill_total"]) / vmax, 1.0)
        name, pct = market_name(m["market_name"]), percent(share(m["bill_total"], grand_total))
        chart.text(label_w - 10, y + row_h / 2 + 4, name, anchor="end")
        chart.rect(label_w, y + 5, w, row_h - 10, COLORS["total"],
                   f"{name}: {money(m['bill_total'])} ({pct})", rx=2)
        chart.text(label_w + w + 6, y + row_h / 2 + 4, f"{money(m['bill_total'])}  ·  {pct}", "val")
    return chart


def stacked_chart_markets(markets: list[dict[str, Any]]) -> Chart | None:
    """Horizontal stacked bars: billable hours per market, regular / overtime / holiday / not billed."""
    rows = [m for m in markets if (m["billable_hours"] or 0) > 0]
    if not rows:
        return None
    top, row_h, label_w = 44, 30, 190
    chart, plot_w, vmax = _horizontal_bars(
        "Billable hours by market: regular, overtime, holiday, not billed", len(rows), top, 100,
        float(max(m["billable_hours"] for m in rows)), False, " h", legend=True)
    for i, m in enumerate(rows):
        y = top + i * row_h
        name = market_name(m["market_name"])
        chart.text(label_w - 10, y + row_h / 2 + 4, name, anchor="end")
        x = float(label_w)
        for key, label in SEGMENTS:
            value = float(m[f"{key}_hours"] or 0)
            if value > 0:
                w, pct = plot_w * value / vmax, percent(share(value, m["billable_hours"]))
                chart.rect(x, y + 5, w, row_h - 10, COLORS[key],
                           f"{name} — {label}: {hours(value)} h ({pct})")
                x += w
        chart.text(x + 6, y + row_h / 2 + 4, f"{hours(m['billable_hours'])} h", "val")
    return chart


def daily_chart(days: list[dict[str, Any]]) -> Chart:
    """Vertical stacked bars: billable hours per day of the period, workweeks marked."""
    chart = Chart(1000, 330, "Billable hours per day")
    left, right, top, bottom = 64, 16, 50, 56
    plot_w, plot_h = chart.width - left - right, chart.height - top - bottom
    base_y = top + plot_h
    vmax, step = _nice_ceiling(max((float(d["billable_hours"] or 0) for d in days), default=0.0))
    chart.legend(left, 18)
    for tick in _ticks(vmax, step):
        y = base_y - plot_h * tick / vmax
        chart.line(left, y, chart.width - right, y)
        chart.text(left - 8, y + 4, _axis_label(tick, False), "muted", "end")
    chart.text(14, top + plot_h / 2, "billable hours", "muted", "middle", rotate=True)
    slot = plot_w / max(len(days), 1)
    bar_w = slot * 0.64
    for i, d in enumerate(days):
        x, cx, y = left + i * slot + (slot - bar_w) / 2, left + i * slot + slot / 2, float(base_y)
        when: date = d["shift_date"]
        summary = [f"{day(when)}: {hours(d['billable_hours'])} billable h in {count(d['shifts'])} shifts"]
        for key, label in SEGMENTS:
            value = float(d[f"{key}_hours"] or 0)
            if value > 0:
                y -= plot_h * value / vmax
                chart.rect(x, y, bar_w, plot_h * value / vmax, COLORS[key],
                           f"{when.isoformat()} — {label}: {hours(value)} h")
                summary.append(f"{label.lower()} {hours(value)} h")
        if float(d["billable_hours"] or 0) > 0:
            chart.text(cx, y - 5, f"{float(d['billable_hours']):,.0f}", "val", "middle")
        if float(d["holiday_hours"] or 0) > 0:
            chart.text(cx, y - 19, "holiday", "val holiday", "middle")
        chart.text(cx, base_y + 17, when.strftime("%a"), "muted" if when.weekday() >= 5 else "lbl", "middle")
        chart.text(cx, base_y + 32, when.strftime("%d %b"), "muted", "middle")
        chart.rect(left + i * slot, top, slot, plot_h, "transparent", " · ".join(summary))
    if len(days) == 14:
        chart.line(left + 7 * slot, top - 6, left + 7 * slot, base_y + 40, "axis dashed")
        chart.text(left + 3.5 * slot, chart.height - 4, "workweek 1", "muted", "middle")
        chart.text(left + 10.5 * slot, chart.height - 4, "workweek 2", "muted", "middle")
    chart.line(left, base_y, chart.width - right, base_y, "axis")
    return chart


# ---------------------------------------------------------------------------------- render

_ENV = Environment(
    loader=PackageLoader("tracktik_etl", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True, default=True),
    undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
)
_ENV.filters.update(money=money, hours=hours, number=count, percent=percent, timestamp=timestamp, day=day,
                    raw=raw, market=market_name, fmt=lambda value, kind: FORMATS[kind](value))
_ENV.globals.update(share=share, colors=COLORS, TOP_POSTS=TOP_POSTS, TOP_ISSUES=TOP_ISSUES, ZERO=ZERO,
                    CENT=Decimal("0.01"))


def render_report(data: dict[str, Any]) -> str:
    """The report as one self-contained HTML document (inline CSS and SVG, no script, no link)."""
    charts = {"markets": bar_chart_markets(data["markets"], data["totals"]["bill_total"]),
              "mix": stacked_chart_markets(data["markets"]), "daily": daily_chart(data["daily"])}
    return _ENV.get_template("report.html").render(**data, charts=charts)


def write_report(dsn: str, period_id: str, out_path: Path) -> Path:
    """Collect, render and write the report of one billing period; return the file's path."""
    text = render_report(collect_report(dsn, period_id))
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out_path)
    logger.info("report of billing period %s written to %s (%s bytes)", period_id, out_path, len(text))
    return out_path
