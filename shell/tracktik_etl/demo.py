"""What the embedded demo prints: a short inventory of the warehouse."""

from __future__ import annotations

from psycopg import sql

from .migrate import connect


def describe_warehouse(dsn: str) -> str:
    """A readable summary of the warehouse's tables, row counts and calendar."""
    with connect(dsn) as conn:
        rows = conn.execute(
            """
            SELECT c.relnamespace::regnamespace::text || '.' || c.relname,
                   CASE c.relkind WHEN 'p' THEN 'partitioned' ELSE 'table' END,
                   (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = c.oid)
              FROM pg_class c
             WHERE c.relnamespace IN ('tracktik'::regnamespace, 'staging'::regnamespace)
               AND c.relkind IN ('r', 'p') AND NOT c.relispartition
             ORDER BY 1
            """
        ).fetchall()
        lines = ["warehouse tables:"]
        for name, kind, parts in rows:
            schema, table = name.split(".")
            count = conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table))
            ).fetchone()[0]
            extra = f", {parts} partition(s)" if kind == "partitioned" else ""
            lines.append(f"  {name:<38} {count:>8} row(s){extra}")
        period = conn.execute(
            "SELECT period_id, start_date, end_date FROM tracktik.billing_period_bounds(current_date)"
        ).fetchone()
        lines.append(f"current billing period: {period[0]} ({period[1]} .. {period[2]})")
        return "\n".join(lines)
