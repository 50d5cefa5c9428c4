"""``tracktik-etl serve``: incremental runs every N minutes and a nightly full sync, with the
``schedule`` package; never two runs at once; a clean stop on SIGTERM.

Jobs run one after another in this thread, so the service never overlaps its own runs; the
database-side run lock (see :mod:`tracktik_etl.pipeline`) also keeps a second service or a
manual ``tracktik-etl run`` from overlapping it: such a tick is skipped with a warning.
Each run ends in one summary line at info level, which ``serve`` shows by default.
A stop request interrupts a run between two pages; its batch is left ``running`` without a
live session and the next run marks it ``abandoned``: the warehouse is never half-loaded.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
import schedule

from .client import TrackTikError
from .config import Config
from .errors import BatchBusy, TrackTikEtlError
from .pipeline import Interrupted, RunSummary, run_once

logger = logging.getLogger(__name__)

Runner = Callable[..., RunSummary]


class Service:
    def __init__(self, config: Config, *, runner: Runner | None = None,
                 stop: threading.Event | None = None) -> None:
        self.config = config
        self.runner = runner or run_once
        self.stop = stop or threading.Event()
        self.runs = 0
        self.failures = 0
        self.scheduler = schedule.Scheduler()
        self.scheduler.every(config.interval_minutes).minutes.do(self.job, "incremental")
        self.scheduler.every().day.at(config.full_sync_at.strftime("%H:%M")).do(self.job, "full")

    def job(self, mode: str) -> None:
        if self.stop.is_set():
            return
        self.runs += 1
        logger.debug("run starting", extra={"mode": mode})
        try:
            summary = self.runner(self.config, mode=mode, stop=self.stop)
        except BatchBusy as exc:
            logger.warning("run skipped: %s", exc, extra={"mode": mode})
        except Interrupted:
            logger.warning("run interrupted by a stop request", extra={"mode": mode})
        except (TrackTikEtlError, TrackTikError, psycopg.Error) as exc:
            self.failures += 1
            logger.error("run failed: %s", exc, extra={"mode": mode, "error_type": type(exc).__name__})
        except Exception as exc:  # noqa: BLE001 - the service must outlive one bad run
            self.failures += 1
            logger.exception("run failed unexpectedly: %s", exc,
                             extra={"mode": mode, "error_type": type(exc).__name__})
        else:
            logger.info("run finished: %s", "; ".join(summary.lines()), extra={
                "mode": mode, "batch_id": str(summary.batch_id),
                "status": summary.database.get("status"), "staged": summary.staged,
                "seconds": round(summary.seconds, 2),
                "records_failed": summary.database.get("records_failed")})

    def run_forever(self, *, run_at_start: bool = True) -> None:
        logger.info("service started", extra={
            "interval_minutes": self.config.interval_minutes,
            "full_sync_at": self.config.full_sync_at.strftime("%H:%M")})
        if run_at_start:
            self.job("incremental")
        while not self.stop.is_set():
            self.scheduler.run_pending()
            idle = self.scheduler.idle_seconds
            self.stop.wait(timeout=min(max(idle if idle is not None else 1.0, 0.2), 30.0))
        logger.info("service stopped", extra={"runs": self.runs, "failures": self.failures})
