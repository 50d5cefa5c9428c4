"""Run a pgTAP ``.test.sql`` file with psql and judge its TAP output."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

PLAN = re.compile(r"^1\.\.(\d+)")
RESULT = re.compile(r"^(not ok|ok) (\d+)")


@dataclass
class TapResult:
    planned: int | None = None
    passed: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def ran(self) -> int:
        return len(self.passed) + len(self.failed)

    def problems(self) -> list[str]:
        out = []
        if self.planned is None:
            out.append("no TAP plan (1..N) in the output")
        elif self.planned != self.ran:
            out.append(f"planned {self.planned} test(s) but ran {self.ran}")
        if self.failed:
            out.append(f"failed assertion(s): {', '.join(map(str, self.failed))}")
        return out


def parse_tap(text: str) -> TapResult:
    result = TapResult()
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        result.lines.append(line)
        if m := PLAN.match(line):
            result.planned = int(m.group(1))
        elif m := RESULT.match(line):
            # "# TODO" results do not count as failures, as in TAP.
            todo = "# TODO" in line
            (result.passed if m.group(1) == "ok" or todo else result.failed).append(int(m.group(2)))
    return result


def psql_binary() -> str:
    bindir = os.environ.get("PG_BINDIR")
    if bindir and (Path(bindir) / "psql").exists():
        return str(Path(bindir) / "psql")
    found = shutil.which("psql")
    if not found:
        raise RuntimeError("psql not found; run scripts/bootstrap.sh")
    return found


def run_tap_file(path: Path, dsn: str, timeout: float = 300) -> tuple[TapResult, str]:
    """Run ``path`` through psql against ``dsn``; return the parsed TAP and psql's stderr."""
    proc = subprocess.run(  # noqa: S603 - fixed binary, repo file
        [psql_binary(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-f", str(path)],
        capture_output=True, text=True, timeout=timeout,
    )
    result = parse_tap(proc.stdout)
    errors = proc.stderr.strip()
    if proc.returncode != 0:
        errors = f"psql exited with {proc.returncode}\n{errors}"
    return result, errors
