"""Configuration: environment first, *_FILE secrets, every bad setting named at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tracktik_etl.config import Config
from tracktik_etl.errors import ConfigError


def test_missing_settings_are_named_all_at_once() -> None:
    config = Config.load(environ={})
    with pytest.raises(ConfigError) as err:
        config.require("portal_url", "password", "username")
    assert str(err.value).splitlines() == [
        "TRACKTIK_URL is not set: TrackTik portal base URL, e.g. https://acme.trackTik.com/",
        "TRACKTIK_PASSWORD (or TRACKTIK_PASSWORD_FILE) is not set: API user password",
        "TRACKTIK_USERNAME is not set: API user name",
    ]


def test_secrets_never_print(tmp_path: Path) -> None:
    secret_file = tmp_path / "pw"
    secret_file.write_text("s3cr3t-from-file\n")
    config = Config.load(environ={"TRACKTIK_PASSWORD_FILE": str(secret_file),
                                  "TRACKTIK_CLIENT_SECRET": "client-s3cr3t",
                                  "DATABASE_URL": "postgresql://etl:s3cr3t-db@db/warehouse"})
    assert config.password is not None and config.password.get() == "s3cr3t-from-file"
    text = repr(config) + str(config) + repr(config.password) + str(config.client_secret)
    assert "s3cr3t" not in text


def test_unreadable_secret_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="TRACKTIK_PASSWORD_FILE: cannot read"):
        Config.load(environ={"TRACKTIK_PASSWORD_FILE": str(tmp_path / "missing")})


@pytest.mark.parametrize(("env", "value", "message"), [
    ("TRACKTIK_LOOKBACK_MINUTES", "soon", "TRACKTIK_LOOKBACK_MINUTES: Input should be a valid integer"),
    ("TRACKTIK_FULL_SYNC_DAYS", "-1", "TRACKTIK_FULL_SYNC_DAYS: Input should be greater than or equal to 0"),
    ("TRACKTIK_INTERVAL_MINUTES", "0",
     "TRACKTIK_INTERVAL_MINUTES: Input should be greater than or equal to 1"),
    ("TRACKTIK_FULL_SYNC_AT", "2am", "TRACKTIK_FULL_SYNC_AT: Input should be in a valid time format"),
    ("TRACKTIK_URL", "ftp://portal", "TRACKTIK_URL: must be an http(s) URL, got 'ftp://portal'"),
    ("TRACKTIK_URL", "http://portal.example.com", "TRACKTIK_URL: must use https"),
    ("TRACKTIK_CA_BUNDLE", "/nonexistent/ca.pem", "TRACKTIK_CA_BUNDLE: no such file"),
])
def test_invalid_values_are_named(env: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match="^" + re.escape(message)):
        Config.load(environ={env: value})


def test_every_invalid_and_missing_setting_is_reported_in_one_run() -> None:
    with pytest.raises(ConfigError) as err:
        Config.load(environ={"TRACKTIK_LOOKBACK_MINUTES": "soon", "TRACKTIK_FULL_SYNC_AT": "25:99",
                             "TRACKTIK_URL": "ftp://portal"},
                    required=("dsn", "portal_url", "client_id", "client_secret", "username", "password"))
    lines = str(err.value).splitlines()
    named = [line.split(":")[0].split(" ")[0] for line in lines]
    assert sorted(named) == sorted(["TRACKTIK_URL", "TRACKTIK_LOOKBACK_MINUTES", "TRACKTIK_FULL_SYNC_AT",
                                    "DATABASE_URL", "TRACKTIK_CLIENT_ID", "TRACKTIK_CLIENT_SECRET",
                                    "TRACKTIK_USERNAME", "TRACKTIK_PASSWORD"])


def test_an_invalid_secret_is_never_echoed() -> None:
    with pytest.raises(ConfigError) as err:
        Config.load({"password": ["not", "a", "string"]})
    assert "TRACKTIK_PASSWORD" in str(err.value) and "not" not in str(err.value).split(":", 1)[1]


def test_overrides_beat_environment() -> None:
    config = Config.load({"dsn": "dbname=cli", "lookback_minutes": 5},
                         environ={"DATABASE_URL": "dbname=env", "TRACKTIK_LOOKBACK_MINUTES": "30"})
    assert config.dsn == "dbname=cli"
    assert config.lookback_minutes == 5
    assert Config.load(environ={"TRACKTIK_URL": "https://p.example"}).portal_url == "https://p.example/"
    assert Config.load(environ={"TRACKTIK_FULL_SYNC_AT": "03:15"}).full_sync_at.minute == 15
