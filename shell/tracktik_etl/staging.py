"""Streaming records into ``staging.api_records`` with COPY, page by page.

The shell never transforms a record: each API object goes into the batch's staging partition
as the JSON text the API sent (or, when the caller already holds a parsed object, its
``json.dumps``). One COPY per page keeps memory bounded whatever the size of the extract.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

import psycopg

logger = logging.getLogger(__name__)

COPY_SQL = "COPY staging.api_records (batch_id, resource, record) FROM STDIN"


def _as_text(record: str | bytes | Mapping[str, Any]) -> str:
    if isinstance(record, str):
        return record
    if isinstance(record, bytes):
        return record.decode("utf-8")
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


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
