"""``tracktik-etl status``: recent batches, sync lag and open data-quality issues."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .migrate import connect


def collect_status(dsn: str, *, batches: int = 10) -> dict[str, Any]:
    """Read-only: works for a login role that inherits tracktik_reader."""
    with connect(dsn) as conn:
        conn.read_only = True
        cur = conn.execute(
            """
            SELECT batch_id::text, batch_type, status, started_at, completed_at,
                   records_processed, records_failed, error_sqlstate, error_message
              FROM tracktik.etl_batches ORDER BY started_at DESC LIMIT %s
            """, (batches,))
        cols = [c.name for c in cur.description or []]
        recent = [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
        # a DBA's reprocess is no ETL run: it must not hide failures of the loads
        last_ok = conn.execute(
            "SELECT max(completed_at) FROM tracktik.etl_batches"
            " WHERE status = 'completed' AND batch_type <> 'reprocess'"
        ).fetchone()[0]  # type: ignore[index]
        stuck = conn.execute(
            """SELECT count(*) FROM tracktik.etl_batches
                WHERE status IN ('staged', 'running') AND started_at < now() - interval '1 hour'"""
        ).fetchone()[0]  # type: ignore[index]
        failed_since = conn.execute(
            """SELECT count(*) FROM tracktik.etl_batches
                WHERE status IN ('failed', 'abandoned')
                  AND started_at > coalesce(%s, '-infinity'::timestamptz)""", (last_ok,)
        ).fetchone()[0]  # type: ignore[index]
        sync = [
            {"resource": r, "last_sync_timestamp": ts, "lag_seconds": lag}
            for r, ts, lag in conn.execute(
                """SELECT table_name, last_sync_timestamp,
                          extract(epoch FROM now() - last_sync_timestamp)::bigint
                     FROM tracktik.etl_sync_status ORDER BY table_name""").fetchall()
        ]
        issues = [
            {"issue_type": t, "severity": s, "open": n}
            for t, s, n in conn.execute(
                """SELECT issue_type, severity, count(*) FROM tracktik.data_quality_issues
                    WHERE resolved_at IS NULL GROUP BY 1, 2 ORDER BY 3 DESC, 1""").fetchall()
        ]
    return {"last_successful_run": last_ok, "failed_since_last_success": failed_since,
            "stuck_over_an_hour": stuck,
            "batches": recent, "sync": sync, "open_issues": issues}


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S%z")
    return str(value)


def render_status(status: dict[str, Any]) -> str:
    lines = [
        f"last successful run: {_fmt(status['last_successful_run'])}",
        f"failed or abandoned batches since then: {status['failed_since_last_success']}",
        f"batches staged or running for over an hour: {status['stuck_over_an_hour']}",
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
    lines += ["", "open data-quality issues:"]
    if not status["open_issues"]:
        lines.append("  none")
    for i in status["open_issues"]:
        lines.append(f"  {i['issue_type']:<28} {i['severity']:<8} {i['open']}")
    return "\n".join(lines)
