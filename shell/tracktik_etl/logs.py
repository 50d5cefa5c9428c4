"""What the shell shows while it works: logging (readable lines on a terminal, one JSON object
per line otherwise, e.g. a service under systemd, through python-json-logger, with any
``extra={...}`` fields as JSON fields) and a progress bar (tqdm) on a terminal only."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import Never

from pythonjsonlogger.json import JsonFormatter
from tqdm import tqdm


def setup_logging(verbosity: int, *, json_lines: bool | None = None,
                  info_from: Iterable[str] = ()) -> None:
    """-v: info, -vv: debug; JSON lines when stderr is not a terminal (unless told). The
    loggers named in ``info_from`` log at info level even without -v."""
    level = logging.WARNING - 10 * min(verbosity, 2)
    if json_lines is None:
        json_lines = not sys.stderr.isatty()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter("%(levelname)s %(name)s %(message)s", timestamp="ts",
                      rename_fields={"levelname": "level", "name": "logger", "message": "msg"})
        if json_lines else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in info_from:
        logging.getLogger(name).setLevel(min(level, logging.INFO))
    # urllib3 logs full URLs at debug level and its own retry lines (the client logs its own)
    logging.getLogger("urllib3").setLevel(logging.ERROR)


class Progress:
    """The ``progress`` callback of a run: one tqdm bar per resource while it is fetched, on a
    terminal; silent otherwise (tqdm's ``disable=None``). Call :meth:`close` at the end."""

    def __init__(self) -> None:
        self._bar: tqdm[Never] | None = None
        self._resource = ""

    def __call__(self, resource: str, done: int, total: int | None) -> None:
        if self._bar is None or resource != self._resource:
            self.close()
            self._resource = resource
            self._bar = tqdm(desc=f"fetching {resource}", total=total, unit=" records", disable=None,
                             leave=False)
        bar = self._bar
        bar.total = total if total and total >= done else None
        bar.update(done - bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
