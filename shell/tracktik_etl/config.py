"""Configuration in one place: environment first (with ``*_FILE`` twins for secrets), then
command-line overrides; validated at start with one clear message naming the setting.

Secrets are held in :class:`Secret`, whose ``repr``/``str`` never show the value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import time
from pathlib import Path
from urllib.parse import urlsplit

from .errors import ConfigError


class Secret:
    """A string that never prints itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Setting:
    env: str
    help: str
    secret: bool = False
    default: str | None = None


# name -> (environment variable, help). The CLI builds its options from this table, so every
# option has its environment twin and --help shows it.
SETTINGS: dict[str, Setting] = {
    "dsn": Setting("DATABASE_URL", "PostgreSQL connection string of the warehouse"),
    "portal_url": Setting("TRACKTIK_URL", "TrackTik portal base URL, e.g. https://acme.trackTik.com/"),
    "client_id": Setting("TRACKTIK_CLIENT_ID", "OAuth2 client id"),
    "client_secret": Setting("TRACKTIK_CLIENT_SECRET",
                             "OAuth2 client secret (or TRACKTIK_CLIENT_SECRET_FILE)", secret=True),
    "username": Setting("TRACKTIK_USERNAME", "API user name"),
    "password": Setting("TRACKTIK_PASSWORD", "API user password (or TRACKTIK_PASSWORD_FILE)", secret=True),
    "root_region": Setting("TRACKTIK_ROOT_REGION", "Kaiser root region: TrackTik id or exact name",
                           default="Kaiser Permanente"),
    "ca_bundle": Setting("TRACKTIK_CA_BUNDLE", "CA bundle file for the portal's TLS certificate "
                         "(verification is always on)"),
    "lookback_minutes": Setting("TRACKTIK_LOOKBACK_MINUTES",
                                "incremental runs re-read changes this far behind the watermark",
                                default="60"),
    "full_sync_days": Setting("TRACKTIK_FULL_SYNC_DAYS",
                              "a full sync re-reads shifts starting this many days back", default="120"),
    "future_days": Setting("TRACKTIK_FUTURE_DAYS", "and this many days ahead", default="14"),
    "interval_minutes": Setting("TRACKTIK_INTERVAL_MINUTES", "serve: minutes between incremental runs",
                                default="15"),
    "full_sync_at": Setting("TRACKTIK_FULL_SYNC_AT", "serve: local time (HH:MM) of the nightly full sync",
                            default="02:30"),
}


def _positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{SETTINGS[name].env} must be a whole number, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{SETTINGS[name].env} must not be negative, got {value}")
    return value


@dataclass(frozen=True)
class Config:
    """Validated settings. Fields left ``None`` were not given; ``require`` checks presence."""

    dsn: str | None = None
    portal_url: str | None = None
    client_id: str | None = None
    client_secret: Secret | None = field(default=None, repr=False)
    username: str | None = None
    password: Secret | None = field(default=None, repr=False)
    root_region: str = "Kaiser Permanente"
    ca_bundle: str | None = None
    lookback_minutes: int = 60
    full_sync_days: int = 120
    future_days: int = 14
    interval_minutes: int = 15
    full_sync_at: time = time(2, 30)

    @classmethod
    def load(cls, overrides: Mapping[str, object] | None = None,
             environ: Mapping[str, str] | None = None) -> Config:
        env = os.environ if environ is None else environ
        raw: dict[str, str | None] = {}
        for name, setting in SETTINGS.items():
            value = env.get(setting.env) or None
            if value is None and setting.secret:
                file_var = setting.env + "_FILE"
                if env.get(file_var):
                    path = Path(env[file_var])
                    try:
                        value = path.read_text().strip()
                    except OSError as exc:
                        raise ConfigError(f"{file_var}: cannot read {path}: {exc.strerror}") from None
            raw[name] = value if value is not None else setting.default
        for name, value in (overrides or {}).items():
            if value is not None and value != "":
                raw[name] = str(value)
        return cls._validate(raw)

    @classmethod
    def _validate(cls, raw: Mapping[str, str | None]) -> Config:
        kwargs: dict[str, object] = {}
        for f in fields(cls):
            value = raw.get(f.name)
            if value is None:
                continue
            if f.name in ("client_secret", "password"):
                kwargs[f.name] = Secret(value)
            elif f.name in ("lookback_minutes", "full_sync_days", "future_days", "interval_minutes"):
                kwargs[f.name] = _positive_int(f.name, value)
            elif f.name == "full_sync_at":
                try:
                    hh, mm = value.split(":")
                    kwargs[f.name] = time(int(hh), int(mm))
                except ValueError:
                    raise ConfigError(f"TRACKTIK_FULL_SYNC_AT must be HH:MM, got {value!r}") from None
            elif f.name == "portal_url":
                parts = urlsplit(value)
                if parts.scheme not in ("https", "http") or not parts.netloc:
                    raise ConfigError(f"TRACKTIK_URL must be an http(s) URL, got {value!r}")
                if parts.scheme == "http" and not (parts.hostname or "").startswith(("127.", "localhost")) \
                        and parts.hostname != "::1":
                    raise ConfigError("TRACKTIK_URL must use https (plain http only to a loopback "
                                      f"address, e.g. the simulator), got {value!r}")
                kwargs[f.name] = value if value.endswith("/") else value + "/"
            elif f.name == "ca_bundle":
                if not Path(value).is_file():
                    raise ConfigError(f"TRACKTIK_CA_BUNDLE: no such file {value!r}")
                kwargs[f.name] = value
            else:
                kwargs[f.name] = value
        if kwargs.get("interval_minutes") == 0:
            raise ConfigError("TRACKTIK_INTERVAL_MINUTES must be at least 1")
        return cls(**kwargs)  # type: ignore[arg-type]

    def require(self, *names: str) -> None:
        """Raise :class:`ConfigError` naming the first missing setting."""
        for name in names:
            if getattr(self, name) in (None, ""):
                setting = SETTINGS[name]
                hint = f" (or {setting.env}_FILE)" if setting.secret else ""
                raise ConfigError(f"{setting.env}{hint} is not set: {setting.help}")
