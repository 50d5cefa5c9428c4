"""Paging while TrackTik changes between pages (issue 10 item 6, issue 11 "paging that cannot
lose records"): the simulator's ``churn`` fault deletes and adds shifts matching the request
after every page served, on both sides of the last id served. A full run still stages every
shift that existed throughout the run exactly once, completes, and records in the batch's
metadata (``count_changes``) that TrackTik's count changed while it paged."""

from __future__ import annotations

from collections import Counter
from typing import Any

import psycopg

from tracktik_etl.pipeline import make_client, run_once

from .conftest import SIM_END, SIM_START

PAGE_SIZE = 40
"""Small pages, so the run's shift listings take many pages of the test world."""


def _run_under_churn(config: Any, api: Any, db_dsn: str, delete: int, add: int
                     ) -> tuple[Any, set[int], list[dict[str, Any]], Counter[int]]:
    before = set(api.sim.shift_ids(SIM_START, SIM_END))
    api.faults.set("churn", resource="shifts", delete=delete, add=add)
    client = make_client(config)
    client.page_size = PAGE_SIZE
    try:
        summary = run_once(config, mode="full", start=SIM_START, end=SIM_END, client=client)
    finally:
        client.close()
    churned = list(api.faults.churned)
    deleted = {i for c in churned for i in c["deleted"]}
    with psycopg.connect(db_dsn) as conn:
        staged = Counter(r[0] for r in conn.execute(
            "SELECT (record->>'id')::bigint FROM staging.api_records"
            " WHERE batch_id = %s AND resource = 'shifts'", (summary.batch_id,)))
    return summary, before - deleted, churned, staged


def _count_changes(db_dsn: str, batch_id: object) -> list[dict[str, Any]]:
    with psycopg.connect(db_dsn) as conn:
        row = conn.execute("SELECT metadata -> 'count_changes' FROM tracktik.etl_batches"
                           " WHERE batch_id = %s", (batch_id,)).fetchone()
    return (row[0] if row else None) or []


def test_full_run_under_churn_stages_every_lasting_shift_once(config, api, db_dsn):
    summary, throughout, churned, staged = _run_under_churn(config, api, db_dsn, 2, 2)
    assert summary.database["status"] == "completed", summary.database
    assert len(churned) >= 4, "the run should have paged shifts several times"
    assert sum(len(c["deleted"]) for c in churned) > 0
    assert sum(len(c["added"]) for c in churned) > 0
    repeated = sorted(i for i, n in staged.items() if n > 1)
    assert repeated == [], f"staged more than once: {repeated[:10]}"
    missing = sorted(throughout - set(staged))
    assert missing == [], f"{len(missing)} shifts that existed throughout were not staged: {missing[:10]}"
    # nothing that was deleted before the run asked for it, nothing outside the scope
    now = set(api.sim.shift_ids(SIM_START, SIM_END))
    deleted = {i for c in churned for i in c["deleted"]}
    assert set(staged) <= now | deleted


def test_count_shrinking_between_pages_does_not_stop_paging(config, api, db_dsn):
    """The case of issue 11: records deleted while a full sync pages make ``meta.count``
    shrink; paging must go on to a short page, and the batch must say the count changed."""
    summary, throughout, churned, staged = _run_under_churn(config, api, db_dsn, 3, 0)
    assert summary.database["status"] == "completed", summary.database
    assert all(not c["added"] for c in churned) and any(c["deleted"] for c in churned)
    missing = sorted(throughout - set(staged))
    assert missing == [], f"{len(missing)} of {len(throughout)} lasting shifts not staged: {missing[:10]}"
    assert max(staged.values()) == 1
    changes = _count_changes(db_dsn, summary.batch_id)
    assert any(c.get("resource") == "shifts" for c in changes), changes
