"""An incremental run fetches and changes only what changed since the watermark."""

from __future__ import annotations

from tracktik_etl.pipeline import run_once

from .conftest import SIM_END, SIM_START, make_config, scalar


def test_incremental_fetches_only_changes(api, db_dsn):
    config = make_config(db_dsn, api.url, lookback_minutes=0)
    full = run_once(config, mode="full", start=SIM_START, end=SIM_END)
    assert full.database["status"] == "completed"
    region_versions = scalar(db_dsn, "SELECT count(*) FROM tracktik.dim_regions")
    changes = api.sim.mutate(step=1)
    incremental = run_once(config, mode="incremental")
    assert incremental.database["status"] == "completed", incremental.database
    # a mutation round touches 3 shifts (a late edit, a cancellation, a new shift)
    assert incremental.staged["shifts"] == 3, changes
    assert incremental.staged["shifts"] < full.staged["shifts"]
    # the renamed Kaiser region got exactly one new version
    assert scalar(db_dsn, "SELECT count(*) FROM tracktik.dim_regions") == region_versions + 1
    truth = api.truth(SIM_START, SIM_END)
    assert scalar(db_dsn, "SELECT count(*) FROM tracktik.fact_shifts") == truth["shifts"]["count"]
    assert scalar(db_dsn, "SELECT count(*) FROM tracktik.fact_shifts WHERE status = 'CANCELLED'") \
        == truth["shifts"]["cancelled"]
