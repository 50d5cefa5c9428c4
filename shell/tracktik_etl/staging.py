"""Streaming records into ``staging.api_records`` with COPY, page by page.

The shell never transforms a record: each API object goes into the batch's staging partition
as the JSON text the API sent (or, when the caller already holds a parsed object, its
``json.dumps``). One COPY per page keeps memory bounded whatever the size of the extract.

A record PostgreSQL cannot store as ``jsonb`` — a ``\\u0000`` anywhere in it, ``NaN`` or
``Infinity`` as a number, a lone surrogate (``\\ud800``) in a string — is not dropped and does
not stop the batch: :func:`split_stageable` sets it aside and :func:`copy_rejected` keeps it in
``staging.rejected_records`` as ASCII JSON text (NUL and surrogates as ``\\u`` escapes, NaN as
the bare word), where the batch's processing reports it as an ``unstageable_record`` issue.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg

logger = logging.getLogger(__name__)

COPY_SQL = "COPY staging.api_records (batch_id, resource, record) FROM STDIN"
COPY_REJECTED_SQL = ("COPY staging.rejected_records (batch_id, resource, record_id, reason, raw_text) "
                     "FROM STDIN")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SUSPECT = re.compile(r"NaN|Infinity|\\u0000|[\ud800-\udfff]")
"""Cheap test of the JSON text: only records it matches are examined closely."""


@dataclass(frozen=True)
class Rejected:
    """A record that cannot be staged as ``jsonb``: why, and its text in a storable form."""

    record_id: str | None
    reason: str
    raw_text: str


def _as_text(record: str | bytes | Mapping[str, Any]) -> str:
    if isinstance(record, str):
        return record
    if isinstance(record, bytes):
        return record.decode("utf-8")
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _strings(value: Any) -> Iterable[str]:
    """Every key and string value inside a parsed JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            yield str(key)
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


def _why_not_stageable(text: str, item: Any) -> str | None:
    """None when ``text`` (the JSON of ``item``) can be stored as jsonb, else the reason."""
    if not _SUSPECT.search(text):
        return None
    try:
        json.dumps(item, allow_nan=False)
    except ValueError:
        return "a number is NaN or Infinity, which JSON and jsonb do not allow"
    for string in _strings(item):
        if "\x00" in string:
            return "a string contains \\u0000, which jsonb cannot store"
        if _SURROGATE.search(string):
            return "a string contains a lone UTF-16 surrogate, which is not valid Unicode"
    return None  # the words only appeared inside ordinary strings


def split_stageable(records: Sequence[str], items: Sequence[Any]
                    ) -> tuple[list[str], list[Any], list[Rejected]]:
    """Split a page's JSON texts (and the same records parsed) into those that can be staged
    and those that cannot, which come back as :class:`Rejected`."""
    good_records: list[str] = []
    good_items: list[Any] = []
    rejected: list[Rejected] = []
    for text, item in zip(records, items, strict=True):
        reason = _why_not_stageable(text, item)
        if reason is None:
            good_records.append(text)
            good_items.append(item)
            continue
        record_id = item.get("id") if isinstance(item, Mapping) else None
        rejected.append(Rejected(
            None if record_id is None else json.dumps(record_id, ensure_ascii=True)[:100],
            reason, json.dumps(item, ensure_ascii=True, separators=(",", ":"))))
    return good_records, good_items, rejected


def copy_records(conn: psycopg.Connection, batch_id: UUID | str, resource: str,
                 records: Iterable[str | bytes | Mapping[str, Any]]) -> int:
    """COPY ``records`` of ``resource`` into the batch's staging partition; return the count.

    Runs in the connection's current transaction (or its own, in autocommit mode).
    """
    count = 0
    with conn.cursor() as cur, cur.copy(COPY_SQL) as copy:
        for record in records:
            copy.write_row((str(batch_id), resource, _as_text(record)))
            count += 1
    logger.debug("staged %d %s record(s)", count, resource)
    return count


def copy_rejected(conn: psycopg.Connection, batch_id: UUID | str, resource: str,
                  rejected: Iterable[Rejected]) -> int:
    """COPY records that cannot be staged as jsonb into ``staging.rejected_records``."""
    count = 0
    with conn.cursor() as cur, cur.copy(COPY_REJECTED_SQL) as copy:
        for r in rejected:
            copy.write_row((str(batch_id), resource, r.record_id, r.reason, r.raw_text))
            count += 1
    logger.warning("set aside %d %s record(s) that cannot be stored as jsonb", count, resource,
                   extra={"batch_id": str(batch_id), "resource": resource})
    return count
