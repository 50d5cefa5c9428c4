"""Staging: records COPYed as the loader role land in the batch partition exactly as sent."""

from __future__ import annotations

import json

import psycopg
import pytest

from tracktik_etl.staging import copy_records


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
