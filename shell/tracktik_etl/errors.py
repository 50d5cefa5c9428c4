"""Exceptions of the shell, and the project's SQLSTATE codes mapped in one place.

The database raises deliberate errors with SQLSTATEs of the project's own class ``TT``;
:func:`from_database_error` turns them into the exceptions below so callers match on
types, never on message text.
"""

from __future__ import annotations

import psycopg


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
