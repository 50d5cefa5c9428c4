"""Staging: records COPYed as the loader role land in the batch partition exactly as sent."""

from __future__ import annotations

import json

import psycopg
import pytest

from tracktik_etl.staging import copy_records, split_stageable


def test_loader_stages_text_and_objects_unchanged(db_dsn: str) -> None:
    crafted = {"id": 3, "name": "x'); DROP TABLE tracktik.dim_regions; --", "deep": {"a": [1, None]}}
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        conn.execute("SET ROLE tracktik_loader")
        batch_id = conn.execute("SELECT tracktik.start_batch('full', '{}')").fetchone()[0]
        n = copy_records(conn, batch_id, "regions",
                         ['{"id": 1, "name": "Kaiser Permanente"}', b'{"id": 2, "name": "\\u00c9"}', crafted])
        assert n == 3
        conn.execute("RESET ROLE")
        rows = conn.execute(
            "SELECT record FROM staging.api_records WHERE batch_id = %s ORDER BY (record->>'id')::int",
            (batch_id,),
        ).fetchall()
        assert [r[0] for r in rows] == [
            {"id": 1, "name": "Kaiser Permanente"}, {"id": 2, "name": "É"}, crafted]
        assert conn.execute("SELECT to_regclass('tracktik.dim_regions')").fetchone()[0] is not None


def test_malformed_json_page_is_refused_whole(db_dsn: str) -> None:
    with psycopg.connect(db_dsn) as conn:
        batch_id = conn.execute("SELECT tracktik.start_batch('full', '{}')").fetchone()[0]
        conn.commit()
        with pytest.raises(psycopg.errors.InvalidTextRepresentation):
            copy_records(conn, batch_id, "shifts", [json.dumps({"id": 1}), '{"id": 2,'])
        conn.rollback()
        count = conn.execute("SELECT count(*) FROM staging.api_records WHERE batch_id = %s",
                             (batch_id,)).fetchone()[0]
        assert count == 0


def test_loader_cannot_read_or_change_staging(db_dsn: str) -> None:
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        conn.execute("SET ROLE tracktik_loader")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM staging.api_records")


UNSTAGEABLE = [
    ({"id": 11, "rate": float("nan")}, "NaN or Infinity"),
    ({"id": 12, "hours": float("inf")}, "NaN or Infinity"),
    ({"id": 13, "name": "a\x00b"}, "\\u0000"),
    ({"id": 14, "nested": {"k\x00": 1}}, "\\u0000"),
    ({"id": 15, "name": "\ud800"}, "surrogate"),
    ({"id": 16, "list": ["ok", "\udfff"]}, "surrogate"),
]
STAGEABLE = [
    {"id": 1, "name": "NaNcy Infinity"},          # the words inside ordinary strings
    {"id": 2, "name": "a literal \\u0000 typed"},  # a backslash, not a NUL
    {"id": 3, "name": "😀 and É"},                  # a real astral character
]


def test_split_sets_aside_exactly_the_records_jsonb_cannot_store() -> None:
    items = [*STAGEABLE, *(item for item, _ in UNSTAGEABLE)]
    texts = [json.dumps(i, ensure_ascii=False, separators=(",", ":")) for i in items]
    good, good_items, rejected = split_stageable(texts, items)
    assert good_items == STAGEABLE and good == texts[:len(STAGEABLE)]
    assert [r.record_id for r in rejected] == [str(item["id"]) for item, _ in UNSTAGEABLE]
    for r, (_, why) in zip(rejected, UNSTAGEABLE, strict=True):
        assert why in r.reason
        assert r.raw_text.isascii() and "\x00" not in r.raw_text
        r.raw_text.encode("utf-8")  # storable as PostgreSQL text


def test_what_split_keeps_stages_as_jsonb(db_dsn: str) -> None:
    texts = [json.dumps(i, ensure_ascii=False, separators=(",", ":")) for i in STAGEABLE]
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        batch_id = conn.execute("SELECT tracktik.start_batch('full', '{}')").fetchone()[0]
        good, _, rejected = split_stageable(texts, STAGEABLE)
        assert rejected == [] and copy_records(conn, batch_id, "regions", good) == 3
        rows = conn.execute("SELECT record FROM staging.api_records WHERE batch_id = %s"
                            " ORDER BY (record->>'id')::int", (batch_id,)).fetchall()
        assert [r[0] for r in rows] == STAGEABLE
