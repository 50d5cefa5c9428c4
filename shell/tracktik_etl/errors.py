"""Exceptions of the shell, the project's SQLSTATE codes mapped in one place, and the
masking of secrets in messages.

The database raises deliberate errors with SQLSTATEs of the project's own class ``TT``;
:func:`from_database_error` turns them into the exceptions below so callers match on
types, never on message text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

import psycopg

MASK = "***"
MIN_MASKED_LENGTH = 4
"""Shorter secrets are never masked (a one-letter password would rewrite every occurrence of
that letter); the shell never writes any secret into a message, so masking only catches an
answer that echoes one back."""


class TrackTikEtlError(Exception):
    """Base class of every error the shell reports to its user as one clear line."""


class ConfigError(TrackTikEtlError):
    """A setting is missing or invalid; the message names the setting."""


class DatabaseUnavailable(TrackTikEtlError):
    """The database cannot be reached."""


class InvalidArgument(TrackTikEtlError):
    """A routine rejected an argument (SQLSTATE TT001)."""


class BatchNotFound(TrackTikEtlError):
    """No such batch (SQLSTATE TT002)."""


class BatchStateError(TrackTikEtlError):
    """The batch is not in a state that allows the operation (SQLSTATE TT003)."""


class BatchBusy(TrackTikEtlError):
    """Another session is processing batches (SQLSTATE TT004)."""


class CalendarConflict(TrackTikEtlError):
    """A computed billing period contradicts a stored one (SQLSTATE TT005)."""


class DimensionDeclarationError(TrackTikEtlError):
    """An SCD2 dimension declaration does not fit its table (SQLSTATE TT010)."""


class ShiftPeriodConflict(TrackTikEtlError):
    """A shift id is stored in more than one billing period (SQLSTATE TT020)."""


class BillingConfigError(TrackTikEtlError):
    """The billing configuration is unusable, e.g. an unknown default time zone (SQLSTATE TT021)."""


SQLSTATE_EXCEPTIONS: dict[str, type[TrackTikEtlError]] = {
    "TT001": InvalidArgument,
    "TT002": BatchNotFound,
    "TT003": BatchStateError,
    "TT004": BatchBusy,
    "TT005": CalendarConflict,
    "TT010": DimensionDeclarationError,
    "TT020": ShiftPeriodConflict,
    "TT021": BillingConfigError,
}


def from_database_error(exc: psycopg.Error) -> TrackTikEtlError | psycopg.Error:
    """Map a database error with a project SQLSTATE to its exception (else return it)."""
    sqlstate = getattr(exc, "sqlstate", None)
    cls = SQLSTATE_EXCEPTIONS.get(sqlstate or "")
    if cls is None:
        return exc
    diag = exc.diag
    parts = [diag.message_primary or str(exc)]
    if diag.message_detail:
        parts.append(diag.message_detail)
    if diag.message_hint:
        parts.append("hint: " + diag.message_hint)
    return cls(" — ".join(parts))


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every whole occurrence of each secret of at least
    :data:`MIN_MASKED_LENGTH` characters replaced by ``***`` (longest first); ordinary text
    around it is never touched."""
    for secret in sorted({s for s in secrets if s and len(s) >= MIN_MASKED_LENGTH}, key=len, reverse=True):
        head = r"(?<!\w)" if re.match(r"\w", secret[0]) else ""
        tail = r"(?!\w)" if re.match(r"\w", secret[-1]) else ""
        text = re.sub(head + re.escape(secret) + tail, MASK, text)
    return text


_DSN_PASSWORD = re.compile(
    r"(?:://[^/@\s]*?:(?P<uri>.*)@)"             # postgresql://user:PASSWORD@host (may hold spaces)
    r"|(?:[?&]password=(?P<query>[^&]*))"         # ...?password=PASSWORD
    r"|(?:\bpassword\s*=\s*(?:'(?P<quoted>(?:\\.|[^'])*)'|(?P<plain>.*?)(?=\s+\w+\s*=|$)))",
    re.DOTALL)


def redact_dsn(text: str, dsn: str | None) -> str:
    """``text`` without the password of ``dsn`` (a libpq URI or ``key=value`` string), even
    when the password holds spaces or quotes that make libpq quote pieces of it in its error
    (``missing "=" after "ss"``): each quoted piece of the password is masked as well."""
    if not dsn:
        return text
    pieces: set[str] = set()
    for match in _DSN_PASSWORD.finditer(dsn):
        value = next((v for v in match.groups() if v), "")
        pieces |= {value, unquote(value), *value.split()}
    pieces.discard("")
    text = re.sub(r'"([^"]*)"', lambda m: f'"{MASK}"' if m.group(1) and any(
        m.group(1) in p for p in pieces) else m.group(0), text)
    return redact(text, pieces)
