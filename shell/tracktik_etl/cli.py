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
from pathlib import Path

from . import __version__
from .errors import ConfigError, TrackTikEtlError

logger = logging.getLogger("tracktik_etl")

DEMO_DIR_ENV = "TRACKTIK_DEMO_DIR"


def _env_default(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _add_dsn(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--dsn",
        default=_env_default("DATABASE_URL"),
        help="PostgreSQL connection string (libpq URI or key=value) [env: DATABASE_URL]",
    )


def _require_dsn(args: argparse.Namespace) -> str:
    if not args.dsn:
        raise ConfigError("DATABASE_URL is not set (or pass --dsn): which database to use?")
    return str(args.dsn)


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
    from .demo import describe_warehouse
    from .migrate import migrate

    cluster = PrivateCluster(Path(args.demo_dir) / "pgdata")
    if args.stop:
        cluster.stop()
        print(f"demo cluster in {cluster.data_dir} stopped")
        return 0
    print(f"starting the private PostgreSQL cluster in {cluster.data_dir} ...")
    admin_dsn = cluster.start()
    dsn = cluster.dsn("tracktik_demo")
    from .migrate import connect

    with connect(admin_dsn, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = 'tracktik_demo'"
        ).fetchone()
        if not exists:
            conn.execute("CREATE DATABASE tracktik_demo")
    result = migrate(dsn)
    print(f"migrated: {len(result.applied)} new migration(s), {result.routines_applied} routine files")
    print(describe_warehouse(dsn))
    print()
    print(f"the cluster keeps running; connect with:  psql \"{dsn}\"")
    print("stop it with:  tracktik-etl demo --stop")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tracktik-etl",
        description="TrackTik -> PostgreSQL billing warehouse: fetch, stage, and call the database.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count",
        default=int(_env_default("TRACKTIK_VERBOSE", "0") or 0),
        help="more logging (-v info, -vv debug) [env: TRACKTIK_VERBOSE]",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("migrate", help="apply migrations and (re)apply every routine")
    _add_dsn(p)
    p.add_argument("--rollback-all", action="store_true",
                   help="roll every migration back instead (drops the warehouse!)")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser(
        "demo",
        help="run on the embedded default: a private PostgreSQL cluster, migrated, summarised",
    )
    p.add_argument("--demo-dir", default=str(demo_dir()),
                   help=f"where the private cluster lives [env: {DEMO_DIR_ENV}]")
    p.add_argument("--stop", action="store_true", help="stop the demo cluster and exit")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args))
    except TrackTikEtlError as exc:
        print(f"tracktik-etl: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tracktik-etl: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
