"""``tracktik-etl report``: one billing period as a single self-contained HTML file.

:func:`collect_report` reads the reporting views (read-only, one REPEATABLE READ snapshot, so
a login role that inherits ``tracktik_reader`` suffices); :func:`render_report` turns that
data into HTML with inline CSS and inline SVG charts (no JavaScript, no network, no external
fonts); :func:`write_report` does both and writes the file.

Where each number comes from:

* money, hours and shifts by market and site: ``tracktik.v_billing_period_summary``;
* guards (distinct employees): ``tracktik.mv_billing_period_totals``;
* busiest posts: ``tracktik.v_billing_period_posts``; days: ``tracktik.v_billing_period_daily``;
* issues of the period's shifts (billing variances included): ``tracktik.v_billing_period_issues``;
  every open issue: ``tracktik.v_open_data_quality_issues``;
* run status: ``tracktik.v_batch_health``; shift watermark: ``tracktik.v_sync_status``.

Every string that comes from the database is escaped; key figures carry machine-readable
``data-metric`` / ``data-field`` and ``data-value`` attributes.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

import psycopg
from psycopg import IsolationLevel
from psycopg.rows import dict_row

from .errors import TrackTikEtlError
from .migrate import connect

logger = logging.getLogger(__name__)

PERIOD_ID = re.compile(r"^(\d{4})_(\d{2})$")
TOP_POSTS = 10
TOP_ISSUES = 20
TOP_VARIANCES = 50
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


def _rows(conn: psycopg.Connection, query: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query, params)  # type: ignore[arg-type]  # module constants, never built from input
        return list(cur.fetchall())


def _period(conn: psycopg.Connection, period_id: str) -> dict[str, Any]:
    """The period from tracktik.billing_periods, else computed from the calendar."""
    match = PERIOD_ID.match(period_id or "")
    if not match or int(match.group(1)) < 1 or int(match.group(2)) < 1:
        raise UnknownBillingPeriod(
            f"billing period {period_id!r} is not of the form YYYY_PP "
            "(fiscal year and ordinal, e.g. 2025_06)")
    found = _rows(conn, """SELECT period_id, start_date, end_date, fiscal_year, period_number, true AS stored
                             FROM tracktik.billing_periods WHERE period_id = %s""", (period_id,))
    if not found:
        year = int(match.group(1))
        found = _rows(conn, """
            SELECT DISTINCT b.period_id, b.start_date, b.end_date, b.fiscal_year, b.period_number,
                   false AS stored
              FROM pg_catalog.generate_series(make_date(%s, 1, 1), make_date(%s, 12, 31),
                                              interval '1 day') AS d(day)
             CROSS JOIN LATERAL tracktik.billing_period_bounds(d.day::date) AS b
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
        issue_counts = _rows(conn, """
            SELECT issue_type, severity, count(*) AS issues, count(DISTINCT shift_id) AS shifts
              FROM tracktik.v_billing_period_issues WHERE billing_period_id = %s
             GROUP BY issue_type, severity
             ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, count(*) DESC,
                      issue_type""", (pid,))
        top_issues = _rows(conn, """
            SELECT severity, issue_type, site_id, site_name, post_id, post_name, count(*) AS issues,
                   count(DISTINCT shift_id) AS shifts, min(shift_date) AS first_date,
                   max(shift_date) AS last_date, min(issue_description) AS example
              FROM tracktik.v_billing_period_issues WHERE billing_period_id = %s
             GROUP BY severity, issue_type, site_id, site_name, post_id, post_name
             ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, count(*) DESC,
                      issue_type, site_name, post_name
             LIMIT %s""", (pid, TOP_ISSUES))
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
        open_issues = _rows(conn, """
            SELECT issue_type, severity, count(*) AS issues
              FROM tracktik.v_open_data_quality_issues
             GROUP BY issue_type, severity
             ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, count(*) DESC,
                      issue_type""")
        runs = _run_status(conn)
        conn.rollback()
    logger.info("report data of billing period %s: %s sites, %s shifts", pid, len(sites),
                totals["shifts"] or 0)
    return {
        "period": period, "generated_at": meta["generated_at"], "today": meta["today"],
        "database": meta["db"], "totals": totals, "markets": markets, "sites": sites,
        "guards": guards[0] if guards else None, "posts": posts,
        "daily": _fill_days(period["start_date"], period["end_date"], daily),
        "issue_counts": issue_counts, "top_issues": top_issues, "variances": variances,
        "variance_total": variances[0]["total"] if variances else 0,
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

def _e(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return escape("" if value is None else str(value), quote=True)


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
    return "—" if value is None else f"{int(value):,}"


def share(part: Decimal | float | int | None, whole: Decimal | float | int | None) -> Decimal | None:
    if part is None or whole is None or Decimal(whole) == 0:
        return None
    return Decimal(part) / Decimal(whole)


def percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _timestamp(value: datetime | None) -> str:
    if value is None:
        return "never"
    return value.strftime("%Y-%m-%d %H:%M %Z").strip()


def _day(value: date) -> str:
    return value.strftime("%a %d %b %Y")


def _raw(value: object) -> str:
    """The machine-readable form of a figure (data-value)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _num_td(value: object, text: str, field: str | None = None, extra_class: str = "") -> str:
    attrs = f' data-field="{field}"' if field else ""
    cls = f"num {extra_class}".strip()
    return f'<td class="{cls}"{attrs} data-value="{_e(_raw(value))}">{_e(text)}</td>'


def _market_name(name: str | None) -> str:
    return name if name is not None else OUTSIDE_KAISER


# ---------------------------------------------------------------------------------- charts

COLORS = {"regular": "#2f5d8a", "overtime": "#e08a2c", "holiday": "#8a5fb8", "unbilled": "#b9bec6",
          "total": "#2f5d8a"}
SEGMENTS = (("regular", "Regular"), ("overtime", "Overtime"), ("holiday", "Holiday"),
            ("unbilled", "Not billed (no rate)"))
SVG_FONT = "'Segoe UI', 'Helvetica Neue', Arial, 'Liberation Sans', sans-serif"
SVG_STYLE = ("<style>.lbl{fill:#1f2933}.muted{fill:#616e7c}.legend{fill:#3e4c59;font-size:12px}"
             ".val{fill:#1f2933;font-size:11.5px}.grid{stroke:#e4e7eb;stroke-width:1}</style>")


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


def _text(x: float, y: float, text: str, cls: str = "lbl", anchor: str = "start", extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{cls}"{extra}>'
            f"{_e(text)}</text>")


def _rect(x: float, y: float, w: float, h: float, fill: str, title: str, rx: int = 0) -> str:
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="{rx}" fill="{fill}">'
            f"<title>{_e(title)}</title></rect>")


def _legend(items: Iterable[tuple[str, str]], x: float, y: float) -> str:
    parts = []
    for key, label in items:
        parts.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" rx="2" '
                     f'fill="{COLORS[key]}"/>'
                     + _text(x + 17, y, label, "legend"))
        x += 34 + 7.2 * len(label)
    return "".join(parts)


def _svg(width: int, height: int, label: str, body: str) -> str:
    return (f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{_e(label)}" '
            f'font-family="{_e(SVG_FONT)}" font-size="12">{SVG_STYLE}{body}</svg>')


def _horizontal_grid(label_w: int, plot_w: int, top: int, bottom: int, height: int,
                     vmax: float, step: float, money_axis: bool, unit: str = "") -> str:
    parts = []
    for tick in _ticks(vmax, step):
        x = label_w + plot_w * tick / vmax
        parts.append(f'<line class="grid" x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{bottom}"/>'
                     + _text(x, height - 8, _axis_label(tick, money_axis) + unit, "muted", "middle"))
    return "".join(parts)


def bar_chart_markets(markets: list[dict[str, Any]], grand_total: Decimal | None) -> str:
    """Horizontal bars: amount billed per market, with its share of the total."""
    rows = [m for m in markets if m["bill_total"] is not None]
    if not rows:
        return '<p class="empty">No billed amounts to chart.</p>'
    width, label_w, right_pad, row_h, top = 1000, 190, 150, 30, 20
    plot_w = width - label_w - right_pad
    height = top + row_h * len(rows) + 26
    vmax, step = _nice_ceiling(float(max(m["bill_total"] for m in rows)))
    body = [_horizontal_grid(label_w, plot_w, top, top + row_h * len(rows), height, vmax, step, True)]
    for i, m in enumerate(rows):
        y = top + i * row_h
        w = max(plot_w * float(m["bill_total"]) / vmax, 1.0)
        name = _market_name(m["market_name"])
        pct = percent(share(m["bill_total"], grand_total))
        body.append(_text(label_w - 10, y + row_h / 2 + 4, name, anchor="end")
                    + _rect(label_w, y + 5, w, row_h - 10, COLORS["total"],
                            f"{name}: {money(m['bill_total'])} ({pct})", rx=2)
                    + _text(label_w + w + 6, y + row_h / 2 + 4, f"{money(m['bill_total'])}  ·  {pct}", "val"))
    return _svg(width, height, "Amount billed by market", "".join(body))


def stacked_chart_markets(markets: list[dict[str, Any]]) -> str:
    """Horizontal stacked bars: billable hours per market, regular / overtime / holiday / not billed."""
    rows = [m for m in markets if (m["billable_hours"] or 0) > 0]
    if not rows:
        return '<p class="empty">No billable hours to chart.</p>'
    width, label_w, right_pad, row_h, top = 1000, 190, 100, 30, 44
    plot_w = width - label_w - right_pad
    height = top + row_h * len(rows) + 26
    vmax, step = _nice_ceiling(float(max(m["billable_hours"] for m in rows)))
    body = [_legend(SEGMENTS, label_w, 16),
            _horizontal_grid(label_w, plot_w, top, top + row_h * len(rows), height, vmax, step, False, " h")]
    for i, m in enumerate(rows):
        y = top + i * row_h
        name = _market_name(m["market_name"])
        body.append(_text(label_w - 10, y + row_h / 2 + 4, name, anchor="end"))
        x = float(label_w)
        for key, label in SEGMENTS:
            value = float(m[f"{key}_hours"] or 0)
            if value > 0:
                w = plot_w * value / vmax
                pct = percent(share(value, m["billable_hours"]))
                body.append(_rect(x, y + 5, w, row_h - 10, COLORS[key],
                                  f"{name} — {label}: {hours(value)} h ({pct})"))
                x += w
        body.append(_text(x + 6, y + row_h / 2 + 4, f"{hours(m['billable_hours'])} h", "val"))
    return _svg(width, height, "Billable hours by market: regular, overtime, holiday, not billed",
                "".join(body))


def daily_chart(days: list[dict[str, Any]]) -> str:
    """Vertical stacked bars: billable hours per day of the period, workweeks marked."""
    width, height = 1000, 330
    left, right, top, bottom = 64, 16, 50, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    base_y = top + plot_h
    vmax, step = _nice_ceiling(max((float(d["billable_hours"] or 0) for d in days), default=0.0))
    body = [_legend(SEGMENTS, left, 18)]
    for tick in _ticks(vmax, step):
        y = base_y - plot_h * tick / vmax
        body.append(f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}"/>'
                    + _text(left - 8, y + 4, _axis_label(tick, False), "muted", "end"))
    mid = top + plot_h / 2
    body.append(_text(14, mid, "billable hours", "muted", "middle", f' transform="rotate(-90 14 {mid:.1f})"'))
    slot = plot_w / max(len(days), 1)
    bar_w = slot * 0.64
    for i, d in enumerate(days):
        x = left + i * slot + (slot - bar_w) / 2
        cx = left + i * slot + slot / 2
        y = float(base_y)
        day: date = d["shift_date"]
        summary = [f"{_day(day)}: {hours(d['billable_hours'])} billable h in {count(d['shifts'])} shifts"]
        for key, label in SEGMENTS:
            value = float(d[f"{key}_hours"] or 0)
            if value > 0:
                h = plot_h * value / vmax
                y -= h
                body.append(_rect(x, y, bar_w, h, COLORS[key],
                                  f"{day.isoformat()} — {label}: {hours(value)} h"))
                summary.append(f"{label.lower()} {hours(value)} h")
        total = float(d["billable_hours"] or 0)
        if total > 0:
            body.append(_text(cx, y - 5, f"{total:,.0f}", "val", "middle"))
        if float(d["holiday_hours"] or 0) > 0:
            body.append(_text(cx, y - 19, "holiday", "val", "middle",
                              f' fill="{COLORS["holiday"]}" font-weight="600"'))
        weekend = day.weekday() >= 5
        body.append(_text(cx, base_y + 17, day.strftime("%a"), "muted" if weekend else "lbl", "middle")
                    + _text(cx, base_y + 32, day.strftime("%d %b"), "muted", "middle")
                    + f'<rect x="{left + i * slot:.1f}" y="{top}" width="{slot:.1f}" height="{plot_h}" '
                    f'fill="transparent"><title>{_e(" · ".join(summary))}</title></rect>')
    if len(days) == 14:
        x = left + 7 * slot
        body.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{base_y + 40}" stroke="#9aa5b1" '
                    'stroke-dasharray="4 3"/>'
                    + _text(left + 3.5 * slot, height - 4, "workweek 1", "muted", "middle")
                    + _text(left + 10.5 * slot, height - 4, "workweek 2", "muted", "middle"))
    body.append(f'<line x1="{left}" y1="{base_y}" x2="{width - right}" y2="{base_y}" stroke="#9aa5b1"/>')
    return _svg(width, height, "Billable hours per day", "".join(body))


# ---------------------------------------------------------------------------------- render

CSS = """
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;background:#f4f6f8;color:#1f2933;
 font:14px/1.45 'Segoe UI','Helvetica Neue',Arial,'Liberation Sans',sans-serif}
main{max-width:1120px;margin:0 auto;padding:28px 32px 40px;background:#fff;min-height:100vh}
header.top{border-bottom:3px solid #2f5d8a;padding-bottom:14px;margin-bottom:18px}
.eyebrow{text-transform:uppercase;letter-spacing:.08em;font-size:12px;color:#616e7c;font-weight:600}
h1{font-size:28px;margin:2px 0 2px;font-weight:650;letter-spacing:-.01em}
h1 .pid{color:#2f5d8a}
.dates{font-size:15px;color:#3e4c59;margin:0}
.meta{font-size:12.5px;color:#616e7c;margin-top:6px}
h2{font-size:18px;margin:30px 0 4px;padding-bottom:4px;border-bottom:1px solid #e4e7eb;font-weight:650}
h3{font-size:14px;margin:18px 0 6px;color:#3e4c59}
p.lead{margin:4px 0 12px;color:#52606d;font-size:13px}
.banner{border-radius:6px;padding:12px 16px;margin:14px 0 4px;font-size:14px}
.banner.ok{background:#e6f4ea;border:1px solid #a8d5b5;color:#1e4d2b}
.banner.warn{background:#fdecea;border:2px solid #d64545;color:#7a1f1f}
.banner.note{background:#fff8e1;border:1px solid #f0c36d;color:#6b4e00}
.banner ul{margin:6px 0 0;padding-left:20px}
.kpis{display:grid;grid-template-columns:repeat(4,1fr);gap:12px;margin:16px 0 6px}
.kpi{border:1px solid #e4e7eb;border-radius:8px;padding:12px 14px;background:#fbfcfd}
.kpi .label{font-size:12px;color:#616e7c;text-transform:uppercase;letter-spacing:.05em;font-weight:600}
.kpi .value{font-size:24px;font-weight:650;margin-top:2px;font-variant-numeric:tabular-nums;
 white-space:nowrap}
.kpi .sub{font-size:12.5px;color:#52606d;margin-top:2px;font-variant-numeric:tabular-nums}
.kpi.primary{background:#2f5d8a;border-color:#2f5d8a;color:#fff}
.kpi.primary .label,.kpi.primary .sub{color:#d9e4ef}
.kpi.alert{border-color:#f0c36d;background:#fffaf0}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0 4px}
th,td{padding:5px 8px;border-bottom:1px solid #edf0f3;text-align:left;vertical-align:top}
thead th{font-size:11.5px;text-transform:uppercase;letter-spacing:.04em;color:#52606d;font-weight:650;
 border-bottom:2px solid #cbd2d9;background:#f8fafc;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.date{white-space:nowrap;font-variant-numeric:tabular-nums}
td.rank{color:#7b8794;width:28px}
td.diff{color:#a61b1b;font-weight:650}
tbody tr:nth-child(even){background:#fafbfc}
tfoot td{font-weight:700;border-top:2px solid #cbd2d9;border-bottom:none;background:#f8fafc}
td.desc{color:#3e4c59;font-size:12.5px}
.sev{display:inline-block;padding:0 7px;border-radius:9px;font-size:11.5px;font-weight:600;white-space:nowrap}
.sev.error{background:#fdecea;color:#a61b1b}.sev.warning{background:#fff3d6;color:#8a5a00}
.sev.info{background:#e8eef5;color:#2f5d8a}
.chart{margin:8px 0 4px}
.chart svg{width:100%;height:auto;display:block}
.empty{color:#616e7c;font-style:italic}
footer{margin-top:36px;padding-top:10px;border-top:1px solid #e4e7eb;font-size:12px;color:#616e7c}
code{font-size:11.5px;background:#f0f3f6;padding:0 3px;border-radius:3px}
@media print{
 @page{size:A4;margin:14mm 12mm}
 body{background:#fff;font-size:11.5px}
 main{max-width:none;padding:0;min-height:0}
 .chart,.kpi,tr,.banner,.keep{break-inside:avoid}
 thead{display:table-header-group}
 tfoot{display:table-row-group}
 h2,h3,p.lead{break-after:avoid}
}
"""


def _th(*labels: str) -> str:
    """A header row; labels starting with '#' are numeric columns (right-aligned)."""
    cells = "".join(f'<th class="num">{_e(lb[1:])}</th>' if lb.startswith("#") and len(lb) > 1
                    else f"<th>{_e(lb)}</th>" for lb in labels)
    return f"<thead><tr>{cells}</tr></thead>"


def _sev(severity: str) -> str:
    return f'<span class="sev {_e(severity)}">{_e(severity)}</span>'


def _kpi(label: str, value: str, sub: str, metric: str, raw: object, cls: str = "") -> str:
    """A headline card; ``sub`` is HTML built by the caller (with escaped parts)."""
    return (f'<div class="kpi {cls}"><div class="label">{_e(label)}</div>'
            f'<div class="value" data-metric="{metric}" data-value="{_e(_raw(raw))}">{_e(value)}</div>'
            f'<div class="sub">{sub}</div></div>')


def _status_banner(data: dict[str, Any]) -> str:
    runs = data["runs"]
    last, failed, synced = runs["last_success"], runs["failed_since"], runs["shifts_synced_until"]
    synced_text = f" Shifts synced up to {_e(_timestamp(synced))}." if synced else ""
    if last is None:
        return ('<div class="banner warn" data-metric="failed_since" data-value="">'
                "<strong>⚠ No ETL batch has completed yet.</strong> "
                "The figures below may be empty or incomplete.</div>")
    when = last["completed_at"]
    head = ('Last successful run: <strong data-metric="last_successful_run" '
            f'data-value="{_e(when.isoformat())}">'
            f"{_e(_timestamp(when))}</strong> ({_e(last['batch_type'])} batch).")
    if not failed:
        return (f'<div class="banner ok" data-metric="failed_since" data-value="0">{head} '
                f"No batch has failed since.{synced_text}</div>")
    items = []
    for b in failed[:10]:
        err = b["error_message"] or "no error message"
        if b["error_sqlstate"]:
            err = f"[{b['error_sqlstate']}] {err}"
        items.append(f"<li>{_e(_timestamp(b['started_at']))} — {_e(b['batch_type'])} batch "
                     f"{_e(b['status'])}: {_e(err[:300])}</li>")
    if len(failed) > 10:
        items.append(f"<li>… and {len(failed) - 10} more</li>")
    n = len(failed)
    what = f"{n} batch failed or was" if n == 1 else f"{n} batches failed or were"
    return (f'<div class="banner warn" data-metric="failed_since" data-value="{n}">'
            f"<strong>⚠ {what} abandoned since the last successful run.</strong> "
            f"Changes made in TrackTik since then may be missing from this report. {head}{synced_text}"
            f"<ul>{''.join(items)}</ul></div>")


def _period_notes(data: dict[str, Any]) -> str:
    period, today = data["period"], data["today"]
    notes = []
    if today < period["start_date"]:
        notes.append("This period has not started yet.")
    elif today <= period["end_date"]:
        notes.append("This period is still in progress: figures are partial and will change.")
    if data["runs"]["in_progress"]:
        notes.append(f"{len(data['runs']['in_progress'])} batch(es) are being loaded right now; "
                     "figures may change when they complete.")
    if not data["totals"]["shifts"]:
        notes.append("No shifts are loaded for this billing period: there is nothing to bill yet.")
    return "".join(f'<div class="banner note" data-metric="note">{_e(n)}</div>' for n in notes)


def _headline(data: dict[str, Any]) -> str:
    t = data["totals"]
    billable, total = t["billable_hours"], t["bill_total"]
    guards = data["guards"]
    guards_text = f" · {count(guards['employees'])} guards" if guards else ""
    premiums = (t["overtime_impact"] or ZERO) + (t["holiday_impact"] or ZERO)
    ot_h, ot_m = share(t["overtime_hours"], billable), share(t["overtime_impact"], total)
    hol_h, hol_m = share(t["holiday_hours"], billable), share(t["holiday_impact"], total)
    missing = t["shifts_missing_rate"] or 0
    unbilled = t["unbilled_hours"] or ZERO
    cards = [
        _kpi("Total billed", money(total or ZERO),
             f"regular {_e(money(t['regular_amount'] or ZERO))} + premiums {_e(money(premiums))}",
             "total_billed", total or ZERO, "primary"),
        _kpi("Billable hours", hours(billable or ZERO),
             f"payable {_e(hours(t['payable_hours'] or ZERO))} · "
             f"scheduled {_e(hours(t['scheduled_hours'] or ZERO))}",
             "billable_hours", billable or ZERO),
        _kpi("Shifts", count(t["shifts"] or 0),
             f"{_e(count(t['cancelled_shifts'] or 0))} cancelled · {_e(count(t['sites'] or 0))} sites"
             f"{_e(guards_text)}", "shifts", t["shifts"] or 0),
        _kpi("Shifts missing a rate", count(missing),
             f'<span data-metric="unbilled_hours" data-value="{_e(_raw(unbilled))}">'
             f"{_e(hours(unbilled))}</span>"
             " billable hours not billed", "shifts_missing_rate", missing, "alert" if missing else ""),
        _kpi("Overtime share of hours", percent(ot_h),
             f"{_e(hours(t['overtime_hours']))} h overtime &amp; double time", "overtime_share_hours", ot_h),
        _kpi("Overtime premium share", percent(ot_m),
             f"{_e(money(t['overtime_impact']))} premium of the total", "overtime_share_amount", ot_m),
        _kpi("Holiday share of hours", percent(hol_h),
             f"{_e(hours(t['holiday_hours']))} h on holidays", "holiday_share_hours", hol_h),
        _kpi("Holiday premium share", percent(hol_m),
             f"{_e(money(t['holiday_impact']))} premium of the total", "holiday_share_amount", hol_m),
    ]
    return f'<section class="kpis">{"".join(cards)}</section>'


def _measure_cells(r: dict[str, Any], total: Decimal | None, *, sites: bool) -> str:
    """Shifts, hours and money cells shared by the market and site tables."""
    premiums = (r["overtime_impact"] or ZERO) + (r["holiday_impact"] or ZERO)
    pct = share(r["bill_total"], total)
    return ((_num_td(r["sites"], count(r["sites"]), "sites") if sites else "")
            + _num_td(r["shifts"], count(r["shifts"]), "shifts")
            + _num_td(r["billable_hours"], hours(r["billable_hours"]), "billable_hours")
            + _num_td(r["overtime_hours"], hours(r["overtime_hours"]), "overtime_hours")
            + _num_td(r["holiday_hours"], hours(r["holiday_hours"]), "holiday_hours")
            + _num_td(r["unbilled_hours"], hours(r["unbilled_hours"]), "unbilled_hours")
            + _num_td(premiums, money(premiums), "premiums")
            + _num_td(r["bill_total"], money(r["bill_total"]), "bill_total")
            + _num_td(pct, percent(pct), "share"))


def _markets_table(data: dict[str, Any]) -> str:
    t = data["totals"]
    head = _th("Market", "#Sites", "#Shifts", "#Billable h", "#Overtime h", "#Holiday h", "#Not billed h",
               "#Premiums", "#Billed", "#Share")
    rows = "".join(
        f'<tr data-market-id="{_e(_raw(m["market_region_id"]))}" '
        f'data-market="{_e(_market_name(m["market_name"]))}">'
        f"<td>{_e(_market_name(m['market_name']))}</td>{_measure_cells(m, t['bill_total'], sites=True)}</tr>"
        for m in data["markets"])
    foot = f'<tr data-market="__total__"><td>Total</td>{_measure_cells(t, t["bill_total"], sites=True)}</tr>'
    return f'<table class="markets">{head}<tbody>{rows}</tbody><tfoot>{foot}</tfoot></table>'


def _mix_row(name: str, m: dict[str, Any]) -> str:
    ot_h, ot_m = share(m["overtime_hours"], m["billable_hours"]), share(m["overtime_impact"], m["bill_total"])
    hol_h, hol_m = share(m["holiday_hours"], m["billable_hours"]), share(m["holiday_impact"], m["bill_total"])
    return (f"<tr><td>{_e(name)}</td>"
            + _num_td(m["regular_hours"], hours(m["regular_hours"]), "regular_hours")
            + _num_td(m["overtime_hours"], hours(m["overtime_hours"]), "overtime_hours")
            + _num_td(ot_h, percent(ot_h), "overtime_share_hours")
            + _num_td(m["overtime_impact"], money(m["overtime_impact"]), "overtime_impact")
            + _num_td(ot_m, percent(ot_m), "overtime_share_amount")
            + _num_td(m["holiday_hours"], hours(m["holiday_hours"]), "holiday_hours")
            + _num_td(hol_h, percent(hol_h), "holiday_share_hours")
            + _num_td(m["holiday_impact"], money(m["holiday_impact"]), "holiday_impact")
            + _num_td(hol_m, percent(hol_m), "holiday_share_amount") + "</tr>")


def _mix_table(data: dict[str, Any]) -> str:
    head = _th("Market", "#Regular h", "#Overtime h", "#OT % of hours", "#OT premium", "#OT % of $",
               "#Holiday h", "#Hol. % of hours", "#Holiday premium", "#Hol. % of $")
    rows = "".join(_mix_row(_market_name(m["market_name"]), m) for m in data["markets"])
    return (f'<table class="mix">{head}<tbody>{rows}</tbody>'
            f'<tfoot>{_mix_row("Total", data["totals"])}</tfoot></table>')


def _sites_table(data: dict[str, Any]) -> str:
    t = data["totals"]
    head = _th("Site", "Market", "#Shifts", "#Billable h", "#Overtime h", "#Holiday h", "#Not billed h",
               "#Premiums", "#Billed", "#Share")
    rows = []
    for s in data["sites"]:
        name = s["site_name"] if s["site_name"] is not None else f"site {s['site_id']}"
        warn = (f' <span class="sev warning" title="shifts with billable hours but no bill rate">'
                f'{count(s["shifts_missing_rate"])} without rate</span>') if s["shifts_missing_rate"] else ""
        rows.append(f'<tr data-site-id="{_e(_raw(s["site_id"]))}" data-site="{_e(name)}">'
                    f"<td>{_e(name)}{warn}</td><td>{_e(_market_name(s['market_name']))}</td>"
                    f"{_measure_cells(s, t['bill_total'], sites=False)}</tr>")
    foot = (f'<tr data-site="__total__"><td>Total ({count(t["sites"])} sites)</td><td></td>'
            f"{_measure_cells(t, t['bill_total'], sites=False)}</tr>")
    return f'<table class="sites">{head}<tbody>{"".join(rows)}</tbody><tfoot>{foot}</tfoot></table>'


def _posts_table(data: dict[str, Any]) -> str:
    if not data["posts"]:
        return '<p class="empty">No posts with shifts in this period.</p>'
    head = _th("#", "Post", "Site", "Market", "#Shifts", "#Guards", "#Billable h", "#Overtime h",
               "#Holiday h", "#Billed")
    rows = []
    for i, p in enumerate(data["posts"], 1):
        name = p["post_name"] if p["post_name"] is not None else f"post {p['post_id']}"
        flag = ' <span class="sev info">non-billable</span>' if p["non_billable"] else ""
        site = p["site_name"] if p["site_name"] is not None else f"site {p['site_id']}"
        rows.append(
            f'<tr data-post-id="{_e(_raw(p["post_id"]))}"><td class="rank">{i}</td><td>{_e(name)}{flag}</td>'
            f"<td>{_e(site)}</td><td>{_e(_market_name(p['market_name']))}</td>"
            + _num_td(p["shifts"], count(p["shifts"]), "shifts")
            + _num_td(p["guards"], count(p["guards"]), "guards")
            + _num_td(p["billable_hours"], hours(p["billable_hours"]), "billable_hours")
            + _num_td(p["overtime_hours"], hours(p["overtime_hours"]), "overtime_hours")
            + _num_td(p["holiday_hours"], hours(p["holiday_hours"]), "holiday_hours")
            + _num_td(p["bill_total"], money(p["bill_total"]), "bill_total") + "</tr>")
    return f'<table class="posts">{head}<tbody>{"".join(rows)}</tbody></table>'


def _pair_cells(theirs: Decimal | None, ours: Decimal | None) -> str:
    differs = theirs is not None and ours is not None and abs(theirs - ours) > Decimal("0.01")
    cls = "diff" if differs else ""
    return _num_td(theirs, hours(theirs), extra_class=cls) + _num_td(ours, hours(ours), extra_class=cls)


def _variances(data: dict[str, Any]) -> str:
    total = int(data["variance_total"] or 0)
    if not total:
        return ('<p class="empty" data-metric="billing_variances" data-value="0">No open billing variances: '
                "wherever TrackTik reported its own billable and payable hours for a shift of this period, "
                "they agree with ours to the cent.</p>")
    head = _th("#Shift", "Date", "Site", "Post", "#TrackTik billable h", "#Our billable h",
               "#TrackTik payable h", "#Our payable h")
    rows = "".join(
        f'<tr data-shift-id="{_e(v["shift_id"])}"><td class="num">{_e(v["shift_id"])}</td>'
        f"<td class=\"date\">{_e(v['shift_date'])}</td><td>{_e(v['site_name'])}</td>"
        f"<td>{_e(v['post_name'])}</td>"
        + _pair_cells(v["tracktik_billable"], v["our_billable"])
        + _pair_cells(v["tracktik_payable"], v["our_payable"]) + "</tr>"
        for v in data["variances"])
    shown = len(data["variances"])
    more = f'<p class="lead">Showing the first {shown} of {count(total)}.</p>' if total > shown else ""
    return (f'<p class="lead"><strong data-metric="billing_variances" data-value="{total}">'
            f"{count(total)}</strong>"
            " shift(s) of this period where TrackTik's own hours differ from ours by more than a cent "
            "(<code>billing_variance</code> issues). The warehouse bills its own figures; check these "
            "before invoicing.</p>"
            f'<table class="variances">{head}<tbody>{rows}</tbody></table>{more}')


def _issue_count_rows(counts: list[dict[str, Any]], with_shifts: bool) -> str:
    """Rows by type and severity: of the period's shifts (with shifts) or of the whole warehouse."""
    key = "data-issue-type" if with_shifts else "data-open-issue-type"
    return "".join(
        f'<tr {key}="{_e(c["issue_type"])}" data-severity="{_e(c["severity"])}">'
        f"<td>{_e(c['issue_type'])}</td><td>{_sev(c['severity'])}</td>"
        + _num_td(c["issues"], count(c["issues"]), "issues")
        + (_num_td(c["shifts"], count(c["shifts"]), "shifts") if with_shifts else "") + "</tr>"
        for c in counts)


def _issues(data: dict[str, Any]) -> str:
    out = []
    counts = data["issue_counts"]
    n_period = sum(int(c["issues"]) for c in counts)
    if not counts:
        out.append('<p class="empty" data-metric="period_issues" data-value="0">'
                   "No open data-quality issues about the shifts of this period.</p>")
    else:
        out.append(f'<p class="lead"><strong data-metric="period_issues" data-value="{n_period}">'
                   f"{count(n_period)}</strong> open issue(s) about shifts of this period "
                   "(<code>tracktik.v_billing_period_issues</code>).</p>"
                   f'<table class="issue-counts">{_th("Issue type", "Severity", "#Open issues", "#Shifts")}'
                   f"<tbody>{_issue_count_rows(counts, True)}</tbody></table>")
        top = "".join(
            f"<tr><td>{_sev(i['severity'])}</td><td>{_e(i['issue_type'])}</td>"
            f"<td>{_e(i['site_name'] if i['site_name'] is not None else i['site_id'])}</td>"
            f"<td>{_e(i['post_name'] if i['post_name'] is not None else i['post_id'])}</td>"
            + _num_td(i["shifts"], count(i["shifts"]), "shifts")
            + f"<td class=\"date\">{_e(i['first_date'])} – {_e(i['last_date'])}</td>"
            f"<td class=\"desc\">e.g. {_e(i['example'])}</td></tr>"
            for i in data["top_issues"])
        limited = f" (top {TOP_ISSUES} by number of issues)" if len(data["top_issues"]) >= TOP_ISSUES else ""
        out.append(f"<h3>Where they are{limited}</h3>"
                   '<table class="issues">'
                   f'{_th("Severity", "Type", "Site", "Post", "#Shifts", "Dates", "Example")}'
                   f"<tbody>{top}</tbody></table>")
    wide = data["open_issues"]
    n_wide = sum(int(c["issues"]) for c in wide)
    if wide:
        out.append("<h3>All open issues in the warehouse</h3>"
                   '<p class="lead">Every period and table, including records that were skipped and so '
                   "belong to no period (<code>tracktik.v_open_data_quality_issues</code>): "
                   f'<strong data-metric="open_issues" data-value="{n_wide}">{count(n_wide)}</strong>'
                   " open.</p>"
                   f'<table class="issue-counts">{_th("Issue type", "Severity", "#Open issues")}'
                   f"<tbody>{_issue_count_rows(wide, False)}</tbody></table>")
    return "".join(out)


FOOTER = (
    "<footer>Sources: <code>tracktik.v_billing_period_summary</code> (money, hours and shifts by market "
    "and site), <code>tracktik.mv_billing_period_totals</code> (guards), "
    "<code>tracktik.v_billing_period_posts</code>, <code>tracktik.v_billing_period_daily</code>, "
    "<code>tracktik.v_billing_period_issues</code>, <code>tracktik.v_open_data_quality_issues</code>, "
    "<code>tracktik.v_batch_health</code>, <code>tracktik.v_sync_status</code>. "
    "Site, post and market names are current names. Produced by <code>tracktik-etl report</code>."
    "</footer>")


def _header(data: dict[str, Any]) -> str:
    period = data["period"]
    pid, start, end = period["period_id"], period["start_date"], period["end_date"]
    return (
        '<header class="top"><div class="eyebrow">Kaiser billing report</div>'
        f'<h1>Billing period <span class="pid" data-metric="period_id" data-value="{_e(pid)}">'
        f"{_e(pid)}</span></h1>"
        '<p class="dates">'
        f'<span data-metric="period_start" data-value="{_e(start.isoformat())}">{_e(_day(start))}</span> – '
        f'<span data-metric="period_end" data-value="{_e(end.isoformat())}">{_e(_day(end))}</span>'
        f" · {(end - start).days + 1} days · fiscal year {_e(period['fiscal_year'])}, "
        f"period {_e(period['period_number'])}</p>"
        f'<div class="meta">Generated {_e(_timestamp(data["generated_at"]))} from database '
        f"<code>{_e(data['database'])}</code>. Money in US dollars; hours are billable hours unless stated."
        "</div></header>")


def render_report(data: dict[str, Any]) -> str:
    """The report as one self-contained HTML document (inline CSS and SVG, no script, no link)."""
    pid = data["period"]["period_id"]
    parts = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Kaiser billing — period {_e(pid)}</title>",
        f"<style>{CSS}</style></head><body><main>",
        _header(data), _status_banner(data), _period_notes(data), _headline(data),
    ]
    if data["totals"]["shifts"]:
        parts += [
            '<section><div class="keep"><h2>Totals by market</h2>',
            '<p class="lead">Markets are the direct sub-regions of the Kaiser root region; '
            "sorted by amount billed.</p>",
            '<div class="chart">', bar_chart_markets(data["markets"], data["totals"]["bill_total"]),
            "</div></div>",
            _markets_table(data), "</section>",
            '<section><div class="keep"><h2>Overtime and holiday share</h2>',
            '<p class="lead">Billable hours by kind. Overtime includes double time; premiums are the amounts '
            "billed on top of the regular rate. “Not billed” hours belong to shifts whose post has no "
            "rate.</p>",
            f'<div class="chart">{stacked_chart_markets(data["markets"])}</div></div>',
            _mix_table(data), "</section>",
            '<section class="keep"><h2>Billable hours per day</h2>',
            '<p class="lead">By local date of the shift start. The dashed line separates the two workweeks '
            "(weekly overtime counts per workweek).</p>",
            f'<div class="chart">{daily_chart(data["daily"])}</div></section>',
            "<section><h2>Totals by site</h2>",
            '<p class="lead">Sorted by amount billed.</p>', _sites_table(data), "</section>",
            f'<section><h2>Busiest posts</h2><p class="lead">Top {TOP_POSTS} posts by billable hours.</p>',
            _posts_table(data), "</section>",
        ]
    parts += [
        "<section><h2>Billing variances</h2>", _variances(data), "</section>",
        "<section><h2>Data quality</h2>", _issues(data), "</section>",
        FOOTER, "</main></body></html>",
    ]
    return "\n".join(parts) + "\n"


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
