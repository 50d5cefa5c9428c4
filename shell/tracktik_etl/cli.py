"""The ``tracktik-etl`` command line, on click.

Every option has an environment-variable twin (click's ``envvar``, shown in ``--help``); the
settings are validated by :class:`~tracktik_etl.config.Config`, which reports every missing or
invalid one at once, one line each, never as a traceback.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Sequence
from contextlib import closing
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar

import click
import psycopg

from . import __version__
from .client import TrackTikError
from .cluster import ClusterError
from .config import Config
from .errors import ConfigError, TrackTikEtlError, redact_dsn
from .logs import Progress, setup_logging

logger = logging.getLogger("tracktik_etl")

F = TypeVar("F", bound=Callable[..., Any])
RUN_SETTINGS = ("dsn", "portal_url", "client_id", "username", "root_region", "ca_bundle",
                "lookback_minutes", "full_sync_days", "future_days")
SERVE_SETTINGS = (*RUN_SETTINGS, "interval_minutes", "full_sync_at")
DOCTOR_SETTINGS = ("portal_url", "client_id", "username", "root_region", "ca_bundle")
PORTAL_LOGIN = ("portal_url", "client_id", "client_secret", "username", "password")
SECRETS_HELP = ("Secrets come only from the environment: TRACKTIK_CLIENT_SECRET and TRACKTIK_PASSWORD "
                "(or TRACKTIK_CLIENT_SECRET_FILE and TRACKTIK_PASSWORD_FILE naming files that hold them).")
DEFAULT_DEMO_DIR = Path(__file__).resolve().parents[2] / ".tracktik" / "demo"
_dsns: list[str] = []  # every DSN given, so that no error line shows its password


def _remember_dsn(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value:
        _dsns.append(value)
    return value


def settings(*names: str) -> Callable[[F], F]:
    """Options for settings of :class:`Config` (never the secrets): ``--portal-url`` etc., each
    with its environment variable; values stay text for Config to validate."""

    def decorate(func: F) -> F:
        for name in reversed(names):
            field = Config.model_fields[name]
            default = field.default.strftime("%H:%M") if isinstance(field.default, time) else field.default
            shown = "" if default is None else f" (default {default})"
            metavar = "N" if field.annotation is int else "HH:MM" if field.annotation is time else "TEXT"
            func = click.option("--" + name.replace("_", "-"), name, envvar=field.alias, show_envvar=True,
                                metavar=metavar,
                                help=f"{field.description}{shown}",
                                callback=_remember_dsn if name == "dsn" else None)(func)
        return func

    return decorate


def flag(*decls: str, envvar: str, help: str) -> Callable[[F], F]:
    return click.option(*decls, is_flag=True, envvar=envvar, show_envvar=True, help=help)


def _config(given: dict[str, Any], names: Sequence[str], required: Sequence[str] = ()) -> Config:
    return Config.load({n: given.get(n) for n in names}, required=required)


def _dsn(dsn: str | None) -> str:
    """The DSN of a command that needs nothing else (no other setting is read)."""
    if not dsn:
        raise ConfigError("\n".join(Config().missing("dsn")))
    return dsn


def _run_and_print(config: Config, **kwargs: Any) -> int:
    from .pipeline import run_once

    with closing(Progress()) as progress:
        summary = run_once(config, progress=progress, **kwargs)
    click.echo("\n".join(summary.lines()))
    return 0 if summary.database.get("status") == "completed" else 1


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
             epilog=SECRETS_HELP)
@click.version_option(__version__, prog_name="tracktik-etl")
@click.option("-v", "--verbose", count=True, envvar="TRACKTIK_VERBOSE", show_envvar=True,
              help="More logging: -v info, -vv debug (the variable takes 1 or 2).")
@flag("--json-logs", envvar="TRACKTIK_JSON_LOGS",
      help="Log JSON lines even on a terminal (always when not on one).")
@click.pass_context
def cli(ctx: click.Context, verbose: int, json_logs: bool) -> None:
    """TrackTik -> PostgreSQL billing warehouse: fetch, stage, and call the database."""
    service = ctx.invoked_subcommand == "serve"  # one summary line per run at the default level
    setup_logging(verbose, json_lines=True if json_logs else None,
                  info_from=("tracktik_etl.service",) if service else ())


@cli.command()
@settings("dsn")
@click.option("--rollback-all", is_flag=True,
              help="Roll every migration back instead (drops the warehouse!; an action: no environment "
                   "twin, on purpose).")
def migrate(dsn: str | None, rollback_all: bool) -> int:
    """Apply migrations and (re)apply every routine."""
    from .migrate import migrate as apply
    from .migrate import rollback_all as undo

    dsn = _dsn(dsn)
    if rollback_all:
        click.echo(f"rolled back {len(undo(dsn))} migration(s)")
        return 0
    result = apply(dsn)
    done = f" ({', '.join(result.applied)})" if result.applied else " (schema up to date)"
    click.echo(f"migrations applied: {len(result.applied)}{done}")
    click.echo(f"routine files applied: {result.routines_applied}")
    if result.routines_dropped:
        click.echo(f"stale routines dropped: {', '.join(result.routines_dropped)}")
    return 0


@cli.command(epilog=SECRETS_HELP)
@settings(*DOCTOR_SETTINGS)
@click.option("--shift-date", type=click.DateTime(["%Y-%m-%d"]), envvar="TRACKTIK_DOCTOR_SHIFT_DATE",
              show_envvar=True, help="Probe the shifts of the week up to this day, YYYY-MM-DD "
                                     "(default today).")
def doctor(shift_date: datetime | None, **given: Any) -> int:
    """Read-only check of a TrackTik portal before the first run (no database needed).

    Log in and read one page of every resource a run reads, with exactly the parameters a run
    sends; print per request whether the portal answered, the count, and whether every field
    the warehouse needs came back in the right shape. Opens no batch, stages nothing. Exit 0
    only when a run would work."""
    from .doctor import run_doctor

    config = _config(given, DOCTOR_SETTINGS, PORTAL_LOGIN)
    ok, lines = run_doctor(config, shift_date=shift_date.date() if shift_date else None)
    click.echo("\n".join(lines))
    return 0 if ok else 1


@cli.command(epilog=SECRETS_HELP)
@settings(*RUN_SETTINGS)
@flag("--full", envvar="TRACKTIK_RUN_FULL",
      help="Full sync: re-read everything in scope (closes deleted dimension rows).")
@flag("--dry-run", envvar="TRACKTIK_DRY_RUN",
      help="Fetch every page, stage nothing, touch no database (checks access and volumes).")
def run(full: bool, dry_run: bool, **given: Any) -> int:
    """Fetch, stage and load one batch."""
    mode = "full" if full else "incremental"
    if dry_run:
        from .pipeline import fetch_only

        config = _config(given, RUN_SETTINGS, PORTAL_LOGIN)
        with closing(Progress()) as progress:
            counts = fetch_only(config, mode=mode, progress=progress)
        click.echo("dry run, nothing staged: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        return 0
    return _run_and_print(_config(given, RUN_SETTINGS, ("dsn", *PORTAL_LOGIN)), mode=mode)


@cli.command(epilog=SECRETS_HELP)
@settings(*RUN_SETTINGS)
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), required=True, envvar="TRACKTIK_BACKFILL_START",
              show_envvar=True, help="First shift date, YYYY-MM-DD.")
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), required=True, envvar="TRACKTIK_BACKFILL_END",
              show_envvar=True, help="Last shift date, YYYY-MM-DD.")
def backfill(start: datetime, end: datetime, **given: Any) -> int:
    """Load a date range of shifts, one batch per month, oldest first; resumable with --start."""
    config = _config(given, RUN_SETTINGS, ("dsn", *PORTAL_LOGIN))
    month, last = start.date(), end.date()
    if last < month:
        raise ConfigError("--end must not be before --start")
    rc = 0
    while month <= last:
        window_end = min(last, (month.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1))
        click.echo(f"backfill {month} .. {window_end}")
        try:
            rc = _run_and_print(config, mode="backfill", start=month, end=window_end, wait_for_lock=True)
        except BaseException:
            click.echo(f"stopped; resume with --start {month}", err=True)
            raise
        if rc != 0:
            click.echo(f"stopped; resume with --start {month}", err=True)
            return rc
        month = window_end + timedelta(days=1)
    return rc


@cli.command(epilog=SECRETS_HELP)
@settings(*SERVE_SETTINGS)
@flag("--no-initial-run", envvar="TRACKTIK_NO_INITIAL_RUN", help="Wait for the first scheduled tick.")
def serve(no_initial_run: bool, **given: Any) -> int:
    """Run as a service: incremental every N minutes, full sync nightly; one log line per run."""
    import signal
    import threading

    from .service import Service

    config = _config(given, SERVE_SETTINGS, ("dsn", *PORTAL_LOGIN))
    stop = threading.Event()

    def _stop(signum: int, frame: object) -> None:
        logger.info("stop requested by signal %s", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    Service(config, stop=stop).run_forever(run_at_start=not no_initial_run)
    return 0


@cli.command()
@settings("dsn")
@flag("--json", "as_json", envvar="TRACKTIK_STATUS_JSON", help="Machine-readable output.")
@click.option("--batches", type=click.IntRange(min=1), default=10, envvar="TRACKTIK_STATUS_BATCHES",
              show_envvar=True, show_default=True, help="How many recent batches to list.")
def status(dsn: str | None, as_json: bool, batches: int) -> int:
    """Recent batches, sync lag and open data-quality issues (a tracktik_reader login suffices)."""
    from .status import collect_status, render_status

    found = collect_status(_dsn(dsn), batches=batches)
    click.echo(json.dumps(found, default=str, indent=2) if as_json else render_status(found))
    return 0 if found["failed_since_last_success"] == 0 and found["stuck_over_an_hour"] == 0 else 1


@cli.command()
@settings("dsn")
@click.option("--period", required=True, envvar="TRACKTIK_REPORT_PERIOD", show_envvar=True,
              help="Billing period id, e.g. 2025_06.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              envvar="TRACKTIK_REPORT_OUT", show_envvar=True, help="HTML file to write.")
def report(dsn: str | None, period: str, out: Path) -> int:
    """A self-contained HTML report of one billing period (a tracktik_reader login suffices)."""
    from .report import write_report

    path = write_report(_dsn(dsn), period, out)
    click.echo(f"report for billing period {period} written to {path}")
    return 0


@cli.command()
@click.option("--demo-dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_DEMO_DIR,
              envvar="TRACKTIK_DEMO_DIR", show_envvar=True, show_default=True,
              help="Where the private cluster lives (moved under /var/tmp when the cluster's user "
                   "cannot reach it).")
@click.option("--employees", type=click.IntRange(min=1), default=200, envvar="TRACKTIK_DEMO_EMPLOYEES",
              show_envvar=True, show_default=True, help="Simulated guards.")
@click.option("--weeks", type=click.IntRange(min=1), default=12, envvar="TRACKTIK_DEMO_WEEKS",
              show_envvar=True, show_default=True, help="Simulated weeks of shifts.")
@flag("--no-load", envvar="TRACKTIK_DEMO_NO_LOAD", help="Only start and migrate the cluster.")
@click.option("--stop", is_flag=True, help="Stop the demo cluster and exit (an action: no environment twin).")
def demo(demo_dir: Path, employees: int, weeks: int, no_load: bool, stop: bool) -> int:
    """Run on the embedded default: a private PostgreSQL cluster and the bundled simulator."""
    from .cluster import PrivateCluster
    from .demo import run_demo

    if stop:
        cluster = PrivateCluster(demo_dir / "pgdata")
        cluster.stop()
        click.echo(f"demo cluster in {cluster.data_dir} stopped")
        return 0
    where = "" if demo_dir == DEFAULT_DEMO_DIR else f" --demo-dir {demo_dir}"
    run_demo(demo_dir, employees=employees, weeks=weeks, load=not no_load,
             stop_hint=f"bash scripts/demo.sh --stop{where}", out=click.echo)
    return 0


@cli.command(add_help_option=False,
             context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def simulate(args: tuple[str, ...]) -> int:
    """Run the TrackTik simulator alone (its options: simulate --help)."""
    from tracktik_sim import main as simulator_main

    return int(simulator_main(list(args[1:] if args[:1] == ("--",) else args)) or 0)


def _error(message: str, prefix: str = "error") -> int:
    for line in message.strip().splitlines() or [prefix]:
        for dsn in _dsns:
            line = redact_dsn(line, dsn)
        click.echo(f"tracktik-etl: {prefix}: {line}", err=True)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """The console script; returns the exit status (2 for a setting or an error to report)."""
    _dsns.clear()
    try:
        return int(cli.main(args=list(argv) if argv is not None else None, prog_name="tracktik-etl",
                            standalone_mode=False) or 0)
    except click.exceptions.Abort:
        click.echo("tracktik-etl: interrupted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except ConfigError as exc:
        return _error(str(exc))
    except (TrackTikEtlError, TrackTikError, ClusterError, ValueError, OSError) as exc:
        return _error((str(exc).strip().splitlines() or [type(exc).__name__])[0])
    except psycopg.Error as exc:
        state = f" [SQLSTATE {exc.sqlstate}]" if exc.sqlstate else ""
        return _error((str(exc).strip().splitlines() or [type(exc).__name__])[0], f"database error{state}")


if __name__ == "__main__":
    sys.exit(main())
