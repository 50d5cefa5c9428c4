"""``tracktik-etl status``: recent batches, sync lag, incomplete billing periods, open issues.

Reads views only (``tracktik.v_batch_health``, ``v_sync_status``, ``v_shift_watermark``,
``v_billing_periods``, ``v_open_data_quality_issues``), so a login role that inherits
``tracktik_reader`` suffices.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from psycopg.rows import dict_row

from .migrate import connect


def collect_status(dsn: str, *, batches: int = 10) -> dict[str, Any]:
    """Read-only: works for a login role that inherits tracktik_reader."""
    with connect(dsn) as conn, conn.cursor(row_factory=dict_row) as cur:
        conn.read_only = True

        def rows(query: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
            cur.execute(query, params)  # type: ignore[arg-type]  # constants of this module
            return list(cur.fetchall())

        recent = rows("""
            SELECT batch_id::text AS batch_id, batch_type, status, started_at, completed_at,
                   records_processed, records_failed, error_sqlstate, error_message
              FROM tracktik.v_batch_health ORDER BY started_at DESC LIMIT %s""", (batches,))
        # a DBA's reprocess is no ETL run: it must not hide failures of the loads
        last_ok = rows("""SELECT max(completed_at) AS at FROM tracktik.v_batch_health
                           WHERE status = 'completed' AND batch_type <> 'reprocess'""")[0]["at"]
        stuck = rows("""SELECT count(*) AS n FROM tracktik.v_batch_health
                         WHERE status IN ('staged', 'running') AND started_at < now() - interval '1 hour'
                      """)[0]["n"]
        failed_since = rows("""SELECT count(*) AS n FROM tracktik.v_batch_health
                                WHERE status IN ('failed', 'abandoned')
                                  AND started_at > coalesce(%s, '-infinity'::timestamptz)""",
                            (last_ok,))[0]["n"]
        sync = rows("""SELECT resource, last_sync_timestamp, extract(epoch FROM lag)::bigint AS lag_seconds
                         FROM tracktik.v_sync_status ORDER BY resource""")
        data_through = rows("SELECT data_through FROM tracktik.v_shift_watermark")  # always one row
        # periods under way or past whose shift data is not complete yet (see v_billing_periods)
        incomplete = rows("""SELECT period_id, start_date, end_date, data_through
                               FROM tracktik.v_billing_periods
                              WHERE NOT is_complete AND start_date <= current_date
                              ORDER BY start_date""")
        issues = rows("""SELECT issue_type, severity, count(*) AS open
                           FROM tracktik.v_open_data_quality_issues GROUP BY 1, 2 ORDER BY 3 DESC, 1""")
    return {"last_successful_run": last_ok, "failed_since_last_success": failed_since,
            "stuck_over_an_hour": stuck, "shift_data_through": data_through[0]["data_through"],
            "incomplete_periods": incomplete, "batches": recent, "sync": sync, "open_issues": issues}


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S%z")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def render_status(status: dict[str, Any]) -> str:
    lines = [
        f"last successful run: {_fmt(status['last_successful_run'])}",
        f"failed or abandoned batches since then: {status['failed_since_last_success']}",
        f"batches staged or running for over an hour: {status['stuck_over_an_hour']}",
        f"shift data up to: {_fmt(status['shift_data_through'])}",
        "",
        "recent batches:",
    ]
    rows = [("started", "type", "status", "processed", "failed", "error")]
    for b in status["batches"]:
        err = b["error_message"] or ""
        if b["error_sqlstate"]:
            err = f"[{b['error_sqlstate']}] {err}"
        rows.append((_fmt(b["started_at"]), b["batch_type"], b["status"],
                     str(b["records_processed"]), str(b["records_failed"]), err[:60]))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for r in rows:
        lines.append("  " + "  ".join(r[i].ljust(widths[i]) for i in range(5)) + "  " + r[5])
    lines += ["", "sync watermarks:"]
    for s in status["sync"] or [{"resource": "(none yet)", "last_sync_timestamp": None, "lag_seconds": None}]:
        lag = s["lag_seconds"]
        lag_text = "-" if lag is None else f"{lag // 3600}h{(lag % 3600) // 60:02d}m behind"
        lines.append(f"  {s['resource']:<24} {_fmt(s['last_sync_timestamp']):<26} {lag_text}")
    lines += ["", "incomplete billing periods (shift data ends before the period does):"]
    if not status["incomplete_periods"]:
        lines.append("  none")
    for p in status["incomplete_periods"]:
        through = f"data up to {_fmt(p['data_through'])}" if p["data_through"] else "no shift data synced yet"
        lines.append(f"  {p['period_id']}  {_fmt(p['start_date'])} – {_fmt(p['end_date'])}  "
                     f"{through}; this period is not complete")
    lines += ["", "open data-quality issues:"]
    if not status["open_issues"]:
        lines.append("  none")
    for i in status["open_issues"]:
        lines.append(f"  {i['issue_type']:<28} {i['severity']:<8} {i['open']}")
    return "\n".join(lines)
