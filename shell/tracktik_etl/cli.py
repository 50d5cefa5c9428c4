"""The ``tracktik-etl`` command line.

Every option has an environment-variable twin (shown in ``--help``); a missing or wrong
setting is reported in one line naming it, never as a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import psycopg

from . import __version__
from .client import TrackTikError
from .cluster import ClusterError
from .config import Config
from .errors import ConfigError, TrackTikEtlError
from .logs import setup_logging

logger = logging.getLogger("tracktik_etl")

DEMO_DIR_ENV = "TRACKTIK_DEMO_DIR"


def _env_default(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_int(name: str) -> int:
    raw = _env_default(name, "0") or "0"
    return int(raw) if raw.isdigit() else 0


def _env_flag(name: str) -> bool:
    return (_env_default(name) or "").lower() in ("1", "true", "yes")


def _add_dsn(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--dsn",
        default=_env_default("DATABASE_URL"),
        help="PostgreSQL connection string (libpq URI or key=value) [env: DATABASE_URL]",
    )


def _add_settings(p: argparse.ArgumentParser, names: Sequence[str]) -> None:
    """Options for settings of config.SETTINGS; the environment is read by Config.load."""
    from .config import SETTINGS

    for name in names:
        setting = SETTINGS[name]
        if setting.secret:
            continue  # secrets only from the environment or *_FILE, never on a command line
        flag = "--" + name.replace("_", "-")
        default = f" (default {setting.default})" if setting.default else ""
        p.add_argument(flag, dest=name, default=None,
                       help=f"{setting.help}{default} [env: {setting.env}]")


RUN_SETTINGS = ("dsn", "portal_url", "client_id", "username", "root_region", "ca_bundle",
                "lookback_minutes", "full_sync_days", "future_days")
SECRETS_HELP = ("secrets come only from the environment: TRACKTIK_CLIENT_SECRET and "
                "TRACKTIK_PASSWORD (or *_FILE pointing at a file)")


def _config(args: argparse.Namespace, names: Sequence[str]) -> Config:
    return Config.load({n: getattr(args, n, None) for n in names})


def _require_dsn(args: argparse.Namespace) -> str:
    if not args.dsn:
        raise ConfigError("DATABASE_URL is not set (or pass --dsn): which database to use?")
    return str(args.dsn)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


class _Progress:
    """A one-line progress display on a terminal; silent otherwise."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()

    def __call__(self, resource: str, done: int, total: int | None) -> None:
        if self.enabled:
            of = f"/{total}" if total else ""
            sys.stderr.write(f"\r  fetching {resource:<24} {done}{of} records ")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 70 + "\r")


def _run_and_print(config: Config, **kwargs: object) -> int:
    from .pipeline import run_once

    progress = _Progress()
    try:
        summary = run_once(config, progress=progress, **kwargs)  # type: ignore[arg-type]
    finally:
        progress.close()
    print("\n".join(summary.lines()))
    return 0 if summary.database.get("status") == "completed" else 1


def cmd_run(args: argparse.Namespace) -> int:
    config = _config(args, RUN_SETTINGS)
    mode = "full" if args.full else "incremental"
    if args.dry_run:
        from .pipeline import fetch_only

        progress = _Progress()
        try:
            counts = fetch_only(config, mode=mode, progress=progress)
        finally:
            progress.close()
        print("dry run, nothing staged: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        return 0
    return _run_and_print(config, mode=mode)


def cmd_backfill(args: argparse.Namespace) -> int:
    """Month windows, one batch each, oldest first; resumable with --start."""
    config = _config(args, RUN_SETTINGS)
    start, end = args.start, args.end
    if end < start:
        raise ConfigError("--end must not be before --start")
    rc = 0
    month = start
    while month <= end:
        nxt = (month.replace(day=1) + timedelta(days=32)).replace(day=1)
        window_end = min(end, nxt - timedelta(days=1))
        print(f"backfill {month} .. {window_end}")
        try:
            rc = _run_and_print(config, mode="backfill", start=month, end=window_end, wait_for_lock=True)
        except BaseException:
            print(f"stopped; resume with --start {month}", file=sys.stderr)
            raise
        if rc != 0:
            print(f"stopped; resume with --start {month}", file=sys.stderr)
            return rc
        month = window_end + timedelta(days=1)
    return rc


def cmd_serve(args: argparse.Namespace) -> int:
    import signal
    import threading

    from .service import Service

    config = _config(args, (*RUN_SETTINGS, "interval_minutes", "full_sync_at"))
    config.require("dsn", "portal_url", "client_id", "client_secret", "username", "password")
    stop = threading.Event()

    def _stop(signum: int, frame: object) -> None:
        logger.info("stop requested by signal %s", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    Service(config, stop=stop).run_forever(run_at_start=not args.no_initial_run)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    import json

    from .status import collect_status, render_status

    status = collect_status(_require_dsn(args), batches=args.batches)
    if args.json:
        print(json.dumps(status, default=str, indent=2))
    else:
        print(render_status(status))
    healthy = status["failed_since_last_success"] == 0 and status["stuck_over_an_hour"] == 0
    return 0 if healthy else 1


DOCTOR_SETTINGS = ("portal_url", "client_id", "username", "root_region", "ca_bundle")


def cmd_doctor(args: argparse.Namespace) -> int:
    from .doctor import run_doctor

    ok, lines = run_doctor(_config(args, DOCTOR_SETTINGS), shift_date=args.shift_date)
    print("\n".join(lines))
    return 0 if ok else 1


def cmd_report(args: argparse.Namespace) -> int:
    from .report import write_report

    path = write_report(_require_dsn(args), args.period, Path(args.out))
    print(f"report for billing period {args.period} written to {path}")
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from tracktik_sim import main as simulator_main

    forwarded = list(args.simulator_args)
    if forwarded[:1] == ["--"]:
        forwarded = forwarded[1:]
    return simulator_main(forwarded)


def cmd_migrate(args: argparse.Namespace) -> int:
    from .migrate import migrate, rollback_all

    dsn = _require_dsn(args)
    if args.rollback_all:
        undone = rollback_all(dsn)
        print(f"rolled back {len(undone)} migration(s)")
        return 0
    result = migrate(dsn)
    print(
        f"migrations applied: {len(result.applied)}"
        + (f" ({', '.join(result.applied)})" if result.applied else " (schema up to date)")
    )
    print(f"routine files applied: {result.routines_applied}")
    if result.routines_dropped:
        print(f"stale routines dropped: {', '.join(result.routines_dropped)}")
    return 0


def demo_dir() -> Path:
    default = Path(__file__).resolve().parents[2] / ".tracktik" / "demo"
    return Path(_env_default(DEMO_DIR_ENV, str(default)) or default)


def cmd_demo(args: argparse.Namespace) -> int:
    from .cluster import PrivateCluster
    from .demo import describe_warehouse, run_demo_load
    from .migrate import connect, migrate

    cluster = PrivateCluster(Path(args.demo_dir) / "pgdata")
    if args.stop:
        cluster.stop()
        print(f"demo cluster in {cluster.data_dir} stopped")
        return 0
    print(f"starting the private PostgreSQL cluster in {cluster.data_dir} ...")
    admin_dsn = cluster.start()
    dsn = cluster.dsn("tracktik_demo")
    with connect(admin_dsn, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = 'tracktik_demo'"
        ).fetchone()
        if not exists:
            conn.execute("CREATE DATABASE tracktik_demo")
    result = migrate(dsn)
    print(f"migrated: {len(result.applied)} new migration(s), {result.routines_applied} routine files")
    if not args.no_load:
        print(run_demo_load(dsn, employees=args.employees, weeks=args.weeks))
    print(describe_warehouse(dsn))
    print()
    print(f"the cluster keeps running; connect with:  psql \"{dsn}\"")
    print(f"stop it with:  bash scripts/demo.sh --stop --demo-dir {args.demo_dir}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tracktik-etl",
        description="TrackTik -> PostgreSQL billing warehouse: fetch, stage, and call the database.",
        epilog=SECRETS_HELP,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count",
        default=_env_int("TRACKTIK_VERBOSE"),
        help="more logging (-v info, -vv debug) [env: TRACKTIK_VERBOSE]",
    )
    parser.add_argument("--json-logs", action="store_true",
                        default=(_env_default("TRACKTIK_JSON_LOGS") or "").lower() in ("1", "true", "yes"),
                        help="log JSON lines even on a terminal (always when not on one) "
                             "[env: TRACKTIK_JSON_LOGS=1]")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("migrate", help="apply migrations and (re)apply every routine")
    _add_dsn(p)
    p.add_argument("--rollback-all", action="store_true",
                   help="roll every migration back instead (drops the warehouse!; an action: "
                        "no environment twin, on purpose)")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser(
        "doctor", epilog=SECRETS_HELP,
        help="read-only check of a TrackTik portal before the first run (no database needed)",
        description="Log in and read one page of every resource a run reads, with exactly the "
                    "parameters a run sends; print per request whether the portal answered, the "
                    "count, and whether every field the warehouse needs came back in the right "
                    "shape. Opens no batch, stages nothing. Exit 0 only when a run would work.")
    _add_settings(p, DOCTOR_SETTINGS)
    p.add_argument("--shift-date", type=date.fromisoformat,
                   default=_env_default("TRACKTIK_DOCTOR_SHIFT_DATE"),
                   help="probe the shifts of the week up to this day, YYYY-MM-DD (default today) "
                        "[env: TRACKTIK_DOCTOR_SHIFT_DATE]")
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser("run", help="fetch, stage and load one batch", epilog=SECRETS_HELP)
    _add_settings(p, RUN_SETTINGS)
    p.add_argument("--full", action="store_true", default=_env_flag("TRACKTIK_RUN_FULL"),
                   help="full sync: re-read everything in scope (closes deleted dimension rows) "
                        "[env: TRACKTIK_RUN_FULL=1]")
    p.add_argument("--dry-run", action="store_true", default=_env_flag("TRACKTIK_DRY_RUN"),
                   help="fetch every page, stage nothing, touch no database (checks access and volumes) "
                        "[env: TRACKTIK_DRY_RUN=1]")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("backfill", help="load a date range of shifts, one batch per month",
                       epilog=SECRETS_HELP)
    _add_settings(p, RUN_SETTINGS)
    p.add_argument("--start", type=date.fromisoformat, default=_env_default("TRACKTIK_BACKFILL_START"),
                   required=_env_default("TRACKTIK_BACKFILL_START") is None,
                   help="first shift date (YYYY-MM-DD) [env: TRACKTIK_BACKFILL_START]")
    p.add_argument("--end", type=date.fromisoformat, default=_env_default("TRACKTIK_BACKFILL_END"),
                   required=_env_default("TRACKTIK_BACKFILL_END") is None,
                   help="last shift date (YYYY-MM-DD) [env: TRACKTIK_BACKFILL_END]")
    p.set_defaults(func=cmd_backfill)

    p = sub.add_parser("serve", help="run as a service: incremental every N minutes, full nightly",
                       epilog=SECRETS_HELP)
    _add_settings(p, (*RUN_SETTINGS, "interval_minutes", "full_sync_at"))
    p.add_argument("--no-initial-run", action="store_true", default=_env_flag("TRACKTIK_NO_INITIAL_RUN"),
                   help="wait for the first scheduled tick [env: TRACKTIK_NO_INITIAL_RUN=1]")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("status", help="recent batches, sync lag and open data-quality issues")
    _add_dsn(p)
    p.add_argument("--json", action="store_true", default=_env_flag("TRACKTIK_STATUS_JSON"),
                   help="machine-readable output [env: TRACKTIK_STATUS_JSON=1]")
    p.add_argument("--batches", type=_positive, default=_env_default("TRACKTIK_STATUS_BATCHES", "10"),
                   help="how many recent batches to list (default 10) [env: TRACKTIK_STATUS_BATCHES]")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("report", help="a self-contained HTML report of one billing period")
    _add_dsn(p)
    p.add_argument("--period", default=_env_default("TRACKTIK_REPORT_PERIOD"),
                   required=_env_default("TRACKTIK_REPORT_PERIOD") is None,
                   help="billing period id, e.g. 2025_06 [env: TRACKTIK_REPORT_PERIOD]")
    p.add_argument("--out", default=_env_default("TRACKTIK_REPORT_OUT"),
                   required=_env_default("TRACKTIK_REPORT_OUT") is None,
                   help="HTML file to write [env: TRACKTIK_REPORT_OUT]")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "demo",
        help="run on the embedded default: a private PostgreSQL cluster and the bundled simulator",
    )
    p.add_argument("--demo-dir", default=str(demo_dir()),
                   help=f"where the private cluster lives [env: {DEMO_DIR_ENV}]")
    p.add_argument("--employees", type=_positive, default=_env_default("TRACKTIK_DEMO_EMPLOYEES", "200"),
                   help="simulated guards (default 200) [env: TRACKTIK_DEMO_EMPLOYEES]")
    p.add_argument("--weeks", type=_positive, default=_env_default("TRACKTIK_DEMO_WEEKS", "12"),
                   help="simulated weeks of shifts (default 12) [env: TRACKTIK_DEMO_WEEKS]")
    p.add_argument("--no-load", action="store_true", default=_env_flag("TRACKTIK_DEMO_NO_LOAD"),
                   help="only start and migrate the cluster [env: TRACKTIK_DEMO_NO_LOAD=1]")
    p.add_argument("--stop", action="store_true",
                   help="stop the demo cluster and exit (an action: no environment twin)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("simulate", help="run the TrackTik simulator alone (see simulate -- --help)",
                       add_help=False)
    p.add_argument("simulator_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_simulate)
    return parser


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.verbose, json_lines=True if args.json_logs else None)
    try:
        return int(args.func(args))
    except (TrackTikEtlError, TrackTikError, ClusterError, ValueError, OSError) as exc:
        print(f"tracktik-etl: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except psycopg.Error as exc:
        state = f" [SQLSTATE {exc.sqlstate}]" if getattr(exc, "sqlstate", None) else ""
        print(f"tracktik-etl: database error{state}: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tracktik-etl: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
