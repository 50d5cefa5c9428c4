"""The command line a new user meets: help, settings, errors in one line each."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest

from tracktik_etl.cli import cli, main

README = Path(__file__).resolve().parents[2] / "README.md"
ACTIONS = {"--stop", "--rollback-all", "--help", "--version"}  # no environment twin, on purpose
SETTINGS_ENV = ("DATABASE_URL", "TRACKTIK_URL", "TRACKTIK_CLIENT_ID", "TRACKTIK_CLIENT_SECRET",
                "TRACKTIK_USERNAME", "TRACKTIK_PASSWORD")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(__import__("os").environ):
        if name.startswith("TRACKTIK_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    return monkeypatch


def _options() -> list[tuple[str, click.Option]]:
    found = [("", p) for p in cli.params if isinstance(p, click.Option)]
    for name, command in cli.commands.items():
        found += [(name, p) for p in command.params if isinstance(p, click.Option)]
    return found


def _readme_section(title: str) -> str:
    text = README.read_text()
    start = text.index(title)
    end = text.find("\n## ", start + len(title))
    return text[start:end if end > 0 else None]


def test_every_option_has_an_environment_twin_shown_in_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command, option in _options():
        if not set(option.opts) & ACTIONS:
            assert option.envvar and option.show_envvar, f"{command} {option.opts}"
    for name in ("", *cli.commands):
        if name != "simulate":
            assert main([*([name] if name else []), "--help"]) == 0
    assert capsys.readouterr().out.count("[env var:") == sum(1 for _, o in _options() if o.envvar)


def test_readme_settings_table_lists_every_setting_help_shows() -> None:
    table = _readme_section("### Configuration")
    listed = set(re.findall(r"`([A-Z][A-Z0-9_]+)(?:=\w+)?`", table))
    shown = {str(o.envvar) for _, o in _options() if o.envvar}
    assert shown - listed == set(), "settings --help shows that the README's table misses"
    for _, option in _options():
        if option.envvar:
            assert any(f"`{opt}`" in table or f" {opt}`" in table for opt in option.opts), option.opts


def test_readme_sections_need_nothing_outside_the_repository() -> None:
    for title in ("## Two commands on a fresh Debian machine", "### Configuration",
                  "## Running it as a service"):
        links = re.findall(r"\]\(([^)]+)\)", _readme_section(title))
        for link in links:
            assert not link.startswith(("../", "/", "http")), f"{title}: {link}"
            assert (README.parent / link.split("#")[0]).exists(), f"{title}: {link}"


def test_simulate_help_is_the_simulators_help() -> None:
    for argv in (["simulate", "--help"], ["simulate", "--", "--help"]):
        proc = subprocess.run([sys.executable, "-m", "tracktik_etl.cli", *argv],  # noqa: S603
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert "--employees" in proc.stdout and "--weeks" in proc.stdout


def test_every_missing_and_invalid_setting_is_reported_in_one_run(
        clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    clean_env.setenv("TRACKTIK_LOOKBACK_MINUTES", "soon")
    assert main(["run", "--future-days", "-3"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert all(line.startswith("tracktik-etl: error: ") for line in lines), lines
    named = {line.split()[2].rstrip(":") for line in lines}
    assert named == {*SETTINGS_ENV, "TRACKTIK_LOOKBACK_MINUTES", "TRACKTIK_FUTURE_DAYS"}, lines
    assert len(lines) == len(named)


def test_an_unreachable_portal_is_one_readable_line(clean_env: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    for name, value in {"TRACKTIK_URL": f"http://127.0.0.1:{port}/", "TRACKTIK_CLIENT_ID": "id",
                        "TRACKTIK_USERNAME": "user", "TRACKTIK_CLIENT_SECRET": "secret-xyz",
                        "TRACKTIK_PASSWORD": "password-xyz"}.items():
        clean_env.setenv(name, value)
    started = time.monotonic()
    assert main(["run", "--dry-run"]) == 2
    assert time.monotonic() - started < 5
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert re.fullmatch(rf"tracktik-etl: error: POST /rest/oauth2/access_token: 127\.0\.0\.1:{port} "
                        r"unreachable: Connection refused; gave up after \d attempts\n", err), err
