"""Configuration: environment first, *_FILE secrets, one clear message naming a bad setting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tracktik_etl.config import Config
from tracktik_etl.errors import ConfigError


def test_missing_setting_is_named() -> None:
    config = Config.load(environ={})
    with pytest.raises(ConfigError, match=r"^TRACKTIK_URL is not set"):
        config.require("portal_url")
    with pytest.raises(ConfigError, match=r"^TRACKTIK_PASSWORD \(or TRACKTIK_PASSWORD_FILE\) is not set"):
        config.require("password")


def test_secrets_never_print(tmp_path: Path) -> None:
    secret_file = tmp_path / "pw"
    secret_file.write_text("s3cr3t-from-file\n")
    config = Config.load(environ={"TRACKTIK_PASSWORD_FILE": str(secret_file),
                                  "TRACKTIK_CLIENT_SECRET": "client-s3cr3t"})
    assert config.password is not None and config.password.get() == "s3cr3t-from-file"
    text = repr(config) + str(config) + repr(config.password) + str(config.client_secret)
    assert "s3cr3t" not in text


def test_unreadable_secret_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="TRACKTIK_PASSWORD_FILE: cannot read"):
        Config.load(environ={"TRACKTIK_PASSWORD_FILE": str(tmp_path / "missing")})


@pytest.mark.parametrize(("env", "value", "message"), [
    ("TRACKTIK_LOOKBACK_MINUTES", "soon", "TRACKTIK_LOOKBACK_MINUTES must be a whole number"),
    ("TRACKTIK_INTERVAL_MINUTES", "0", "TRACKTIK_INTERVAL_MINUTES must be at least 1"),
    ("TRACKTIK_FULL_SYNC_AT", "2am", "TRACKTIK_FULL_SYNC_AT must be HH:MM"),
    ("TRACKTIK_URL", "ftp://portal", "TRACKTIK_URL must be an http(s) URL"),
    ("TRACKTIK_CA_BUNDLE", "/nonexistent/ca.pem", "TRACKTIK_CA_BUNDLE: no such file"),
])
def test_invalid_values_are_named(env: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        Config.load(environ={env: value})


def test_overrides_beat_environment() -> None:
    config = Config.load({"dsn": "dbname=cli", "lookback_minutes": 5},
                         environ={"DATABASE_URL": "dbname=env", "TRACKTIK_LOOKBACK_MINUTES": "30"})
    assert config.dsn == "dbname=cli"
    assert config.lookback_minutes == 5
    assert Config.load(environ={"TRACKTIK_URL": "https://p.example"}).portal_url == "https://p.example/"
