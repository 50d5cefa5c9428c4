"""Configuration in one place, validated by pydantic: environment first (``*_FILE`` twins for
the secrets), then command-line overrides. Every missing or invalid setting is reported at
once, one line each, naming its environment variable.

Secrets are :class:`Secret` (pydantic's ``SecretStr``): their ``repr``/``str`` never show them.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from datetime import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from .client import portal_base_url
from .errors import ConfigError


class Secret(SecretStr):
    """A string that never prints itself."""

    def get(self) -> str:
        return self.get_secret_value()


SECRETS = ("client_secret", "password")
"""Settings read only from the environment or a ``*_FILE``: never command-line options."""


class Config(BaseModel):
    """Validated settings; each field's alias is its environment variable and its description
    the help the CLI shows. ``None`` means not given; :meth:`require` checks presence."""

    model_config = ConfigDict(frozen=True, validate_by_name=True, validate_by_alias=True)

    dsn: str | None = Field(None, alias="DATABASE_URL", repr=False,  # may hold a password
                            description="PostgreSQL connection string of the warehouse "
                                        "(libpq URI or key=value)")
    portal_url: str | None = Field(None, alias="TRACKTIK_URL",
                                   description="TrackTik portal base URL, e.g. https://acme.trackTik.com/")
    client_id: str | None = Field(None, alias="TRACKTIK_CLIENT_ID", description="OAuth2 client id")
    client_secret: Secret | None = Field(None, alias="TRACKTIK_CLIENT_SECRET",
                                         description="OAuth2 client secret")
    username: str | None = Field(None, alias="TRACKTIK_USERNAME", description="API user name")
    password: Secret | None = Field(None, alias="TRACKTIK_PASSWORD", description="API user password")
    root_region: str = Field("Kaiser Permanente", alias="TRACKTIK_ROOT_REGION",
                             description="Kaiser root region: TrackTik id or exact name")
    ca_bundle: str | None = Field(None, alias="TRACKTIK_CA_BUNDLE", description=(
        "CA bundle file for the portal's TLS certificate (verification is always on)"))
    lookback_minutes: int = Field(60, ge=0, alias="TRACKTIK_LOOKBACK_MINUTES",
                                  description="Incremental runs re-read changes this far behind "
                                              "the watermark")
    full_sync_days: int = Field(120, ge=0, alias="TRACKTIK_FULL_SYNC_DAYS",
                                description="A full sync re-reads shifts starting this many days back")
    future_days: int = Field(14, ge=0, alias="TRACKTIK_FUTURE_DAYS",
                             description="A full sync re-reads shifts up to this many days ahead")
    interval_minutes: int = Field(15, ge=1, alias="TRACKTIK_INTERVAL_MINUTES",
                                  description="Serve: minutes between incremental runs")
    full_sync_at: time = Field(time(2, 30), alias="TRACKTIK_FULL_SYNC_AT",
                               description="Serve: local time (HH:MM) of the nightly full sync")

    @field_validator("portal_url")
    @classmethod
    def _portal_url(cls, value: str | None) -> str | None:
        return None if value is None else portal_base_url(value)

    @field_validator("ca_bundle")
    @classmethod
    def _ca_bundle(cls, value: str | None) -> str | None:
        if value is not None and not Path(value).is_file():
            raise ValueError("no such file")
        return value

    @classmethod
    def env_var(cls, name: str) -> str:
        return str(cls.model_fields[name].alias)

    @classmethod
    def load(cls, overrides: Mapping[str, object] | None = None,
             environ: Mapping[str, str] | None = None, *, required: Collection[str] = ()) -> Config:
        """Settings from ``environ`` (default ``os.environ``) and non-empty ``overrides`` (by
        field name); raise one :class:`ConfigError` listing every invalid setting and every
        ``required`` one that is missing."""
        env = os.environ if environ is None else environ
        data: dict[str, Any] = {}
        problems: list[str] = []
        for name in cls.model_fields:
            var = cls.env_var(name)
            value: object = env.get(var) or None
            if value is None and name in SECRETS and env.get(var + "_FILE"):
                try:
                    value = Path(env[var + "_FILE"]).read_text().strip()
                except OSError as exc:
                    problems.append(f"{var}_FILE: cannot read {env[var + '_FILE']}: {exc.strerror}")
            override = (overrides or {}).get(name)
            data[var] = override if override not in (None, "") else value
        try:
            config = cls.model_validate({k: v for k, v in data.items() if v is not None})
        except ValidationError as exc:
            for error in exc.errors():
                var = str(error["loc"][0])
                shown = "" if var in map(cls.env_var, SECRETS) or "got" in error["msg"] \
                    else f" (got {error['input']!r})"
                problems.append(f"{var}: {error['msg'].removeprefix('Value error, ')}{shown}")
            config = cls()
        problems += config.missing(*(n for n in required if data[cls.env_var(n)] is None))
        if problems:
            raise ConfigError("\n".join(problems))
        return config

    def missing(self, *names: str) -> list[str]:
        """One line per setting of ``names`` that is not set."""
        return [f"{self.env_var(n)}{' (or ' + self.env_var(n) + '_FILE)' if n in SECRETS else ''}"
                f" is not set: {type(self).model_fields[n].description}"
                for n in names if getattr(self, n) in (None, "")]

    def require(self, *names: str) -> None:
        """Raise :class:`ConfigError` naming every setting of ``names`` that is missing."""
        if problems := self.missing(*names):
            raise ConfigError("\n".join(problems))
