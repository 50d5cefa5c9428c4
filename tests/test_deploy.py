"""deploy/: the systemd unit runs a real command with settings the shell knows, and the
environment example holds no secrets and validates."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

from tracktik_etl.cli import cli
from tracktik_etl.config import SECRETS, Config

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
KNOWN = {Config.env_var(name) for name in Config.model_fields} | {"TRACKTIK_VERBOSE", "TRACKTIK_JSON_LOGS"}


def _unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "tracktik-etl.service")
    return parser


def _env_example() -> dict[str, str]:
    env = {}
    for line in (DEPLOY / "tracktik-etl.env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    return env


def test_unit_runs_the_serve_command():
    unit = _unit()
    argv = shlex.split(unit["Service"]["ExecStart"])
    assert argv[0].endswith("/.venv/bin/tracktik-etl")
    command, *options = argv[1:]
    assert command == "serve"
    cli.commands[command].make_context(command, options)  # the options parse
    assert unit["Service"]["KillSignal"] == "SIGTERM"
    assert unit["Service"]["User"] != "root"


def test_unit_passes_secrets_as_files_the_shell_reads():
    service = _unit()["Service"]
    text = (DEPLOY / "tracktik-etl.service").read_text()
    assert "TRACKTIK_PASSWORD_FILE=%d/" in text and "TRACKTIK_CLIENT_SECRET_FILE=%d/" in text
    assert "LoadCredential" in text
    assert service["EnvironmentFile"].endswith("tracktik-etl.env")


def test_env_example_holds_known_settings_and_no_secrets():
    env = _env_example()
    unknown = set(env) - KNOWN
    assert not unknown, f"settings the shell does not know: {sorted(unknown)}"
    secrets = {Config.env_var(name) for name in SECRETS}
    assert not set(env) & secrets, "secrets do not belong in the environment file"
    config = Config.load(environ=env, required=("dsn", "portal_url", "client_id", "username"))
    assert config.interval_minutes == 15
