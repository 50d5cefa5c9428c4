"""What the shell shows: JSON log lines, a progress bar only on a terminal, and one summary
line per run of ``serve`` at the default verbosity."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest

from tracktik_etl import service
from tracktik_etl.cli import main
from tracktik_etl.logs import Progress, setup_logging
from tracktik_etl.pipeline import RunSummary


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level
    logging.getLogger("tracktik_etl.service").setLevel(logging.NOTSET)


def test_json_lines_carry_the_extra_fields(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(0, json_lines=True)
    logging.getLogger("tracktik_etl.test").warning("batch %s busy", "b1", extra={"batch_id": "b1"})
    line = json.loads(capsys.readouterr().err)
    assert line["msg"] == "batch b1 busy" and line["level"] == "WARNING"
    assert line["logger"] == "tracktik_etl.test" and line["batch_id"] == "b1" and line["ts"]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("terminal", [True, False])
def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch, terminal: bool) -> None:
    stream = _Terminal() if terminal else io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    progress = Progress()
    for done in (1000, 2000, 2500):
        progress("shifts", done, 2500)
    progress("employees", 40, None)
    progress.close()
    shown = stream.getvalue()
    if terminal:
        assert "fetching shifts" in shown and "/2500" in shown and "fetching employees" in shown
    else:
        assert shown == ""


def test_serve_logs_one_summary_line_per_run_by_default(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    runs: list[str] = []

    def fake_run(config: Any, *, mode: str, stop: threading.Event) -> RunSummary:
        runs.append(mode)
        stop.set()  # one run, then the service stops as on SIGTERM
        return RunSummary(uuid4(), mode, {"shifts": 12}, 1.5,
                          {"status": "completed", "records_processed": 12, "records_failed": 0}, 1.0)

    monkeypatch.setattr(service, "run_once", fake_run)
    monkeypatch.setattr("signal.signal", lambda *args: None)
    for name, value in {"DATABASE_URL": "dbname=x", "TRACKTIK_URL": "https://p.example/",
                        "TRACKTIK_CLIENT_ID": "id", "TRACKTIK_USERNAME": "u",
                        "TRACKTIK_CLIENT_SECRET": "s", "TRACKTIK_PASSWORD": "p"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TRACKTIK_VERBOSE", raising=False)
    assert main(["--json-logs", "serve"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    summaries = [line for line in lines if line["msg"].startswith("run finished")]
    assert runs == ["incremental"] and len(summaries) == 1, lines
    assert summaries[0]["status"] == "completed" and "shifts 12" in summaries[0]["msg"]
    assert summaries[0]["level"] == "INFO"
    assert [line["msg"] for line in lines] == ["service started", summaries[0]["msg"], "service stopped"]
