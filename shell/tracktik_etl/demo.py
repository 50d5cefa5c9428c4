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


def run_demo_load(dsn: str, *, employees: int = 200, weeks: int = 12, seed: int = 42) -> str:
    """Serve the bundled simulator on loopback and load its whole range into ``dsn``."""
    from datetime import timedelta

    from tracktik_sim import Simulator, SimulatorConfig

    from .config import Config
    from .pipeline import run_once

    sim_config = SimulatorConfig(seed=seed, employees=employees, weeks=weeks)
    with Simulator(sim_config).serve() as api:
        config = Config.load(
            {"dsn": dsn, "portal_url": api.url, "client_id": sim_config.client_id,
             "username": sim_config.username},
            environ={"TRACKTIK_CLIENT_SECRET": sim_config.client_secret,
                     "TRACKTIK_PASSWORD": sim_config.password},
        )
        start = sim_config.start_date
        end = start + timedelta(weeks=weeks)
        summary = run_once(config, mode="full", start=start, end=end, wait_for_lock=True)
    return "\n".join(
        [f"loaded the simulator ({employees} guards, {weeks} weeks from {start}) at {api.url}",
         *summary.lines()])
