"""``tracktik-etl demo``: a private cluster, the bundled simulator loaded into it, and a
summary that says what was loaded and what to run next, as a read-only login it creates."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

from psycopg import sql

from .cluster import PrivateCluster
from .logs import Progress
from .migrate import connect, migrate

DATABASE = "tracktik_demo"
READER = "demo_reader"
"""The demo's login in the group role ``tracktik_reader``: what ``status`` and ``report`` need."""


def run_demo_load(dsn: str, *, employees: int = 200, weeks: int = 12,
                  seed: int = 42) -> tuple[list[str], date, date]:
    """Serve the bundled simulator on loopback and load its whole range into ``dsn``; return
    the run's summary lines and the first and last day of the shifts loaded."""
    from tracktik_sim import Simulator, SimulatorConfig

    from .config import Config
    from .pipeline import run_once

    sim = SimulatorConfig(seed=seed, employees=employees, weeks=weeks)
    start, end = sim.start_date, sim.start_date + timedelta(weeks=weeks) - timedelta(days=1)
    with Simulator(sim).serve() as api, closing(Progress()) as progress:
        config = Config.load({"dsn": dsn, "portal_url": api.url, "client_id": sim.client_id,
                              "username": sim.username},
                             environ={"TRACKTIK_CLIENT_SECRET": sim.client_secret,
                                      "TRACKTIK_PASSWORD": sim.password})
        summary = run_once(config, mode="full", start=start, end=end, wait_for_lock=True,
                           progress=progress)
    head = f"loaded the simulator ({employees} guards, shifts {start} .. {end}) from {api.url}"
    return [head, *summary.lines()], start, end


def period_lines(reader_dsn: str, loaded: tuple[date, date] | None) -> tuple[list[str], str | None]:
    """One line per loaded billing period with its billed total (read as the reader login,
    from a view); and the period to suggest for ``report``: the last one the load covers whole."""
    with connect(reader_dsn) as conn:
        rows = conn.execute(
            "SELECT billing_period_id, period_start, period_end, shifts, billable_hours, bill_total,"
            "       shifts_missing_rate"
            "  FROM tracktik.mv_billing_period_totals ORDER BY period_start").fetchall()
    lines = [f"  {'period':<9} {'days':<24} {'shifts':>7} {'billable h':>11} {'billed':>15}"]
    suggested = rows[-1][0] if rows else None
    for period, first, last, shifts, hours, total, missing in rows:
        notes = []
        if loaded and (first < loaded[0] or last > loaded[1]):
            notes.append(f"partial: the demo's shifts run {loaded[0]} .. {loaded[1]}")
        elif loaded:
            suggested = period
        if missing:
            notes.append(f"{missing} shift(s) without a bill rate, not billed (see status)")
        lines.append(f"  {period:<9} {f'{first} .. {last}':<24} {shifts:>7,} {hours or 0:>11,.2f} "
                     f"{total or 0:>15,.2f}" + ("   " + "; ".join(notes) if notes else ""))
    return lines or ["  (no billing period loaded yet)"], suggested


def run_demo(demo_dir: Path, *, employees: int, weeks: int, load: bool,
             stop_hint: str, out: Callable[[str], object] = print) -> None:
    cluster = PrivateCluster(demo_dir / "pgdata")
    if cluster.requested_dir is not None:
        out(f"the cluster's user {cluster.run_as!r} cannot reach {cluster.requested_dir}; "
            f"the cluster lives in {cluster.data_dir} instead")
    out(f"starting the private PostgreSQL cluster in {cluster.data_dir} ...")
    with connect(cluster.start(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
    dsn = cluster.dsn(DATABASE)
    result = migrate(dsn)
    out(f"migrated: {len(result.applied)} new migration(s), {result.routines_applied} routine files")
    with connect(dsn, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (READER,)).fetchone():
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN IN ROLE tracktik_reader").format(
                sql.Identifier(READER)))
    loaded = None
    if load:
        lines, first, last = run_demo_load(dsn, employees=employees, weeks=weeks)
        loaded = (first, last)
        out("\n".join(lines))
    reader_dsn = f"postgresql://{READER}@127.0.0.1:{cluster.port}/{DATABASE}"
    periods, suggested = period_lines(reader_dsn, loaded)
    exe = Path(sys.executable).with_name("tracktik-etl")
    cmd = str(exe) if exe.exists() else "tracktik-etl"
    out("\nbilling periods in the warehouse (billed amounts from tracktik.mv_billing_period_totals):")
    out("\n".join(periods))
    out(f"\nnext, as {READER} (a login in tracktik_reader, created by the demo):")
    out(f"  export DATABASE_URL='{reader_dsn}'")
    out(f"  {cmd} status")
    if suggested:
        out(f"  {cmd} report --period {suggested} --out {suggested}.html")
    out("  psql \"$DATABASE_URL\" -c 'SELECT * FROM tracktik.v_billing_period_summary'")
    out(f"\nthe cluster keeps running (data in {cluster.data_dir}); stop it with:  {stop_hint}")
