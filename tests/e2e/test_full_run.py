"""A full run lands exactly what the simulator holds; a second run changes nothing."""

from __future__ import annotations

import json

import psycopg

from tracktik_etl.pipeline import run_once

from .conftest import SIM_END, SIM_START, scalar


def _snapshot(dsn: str) -> str:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            """SELECT json_agg(f ORDER BY shift_id)::text FROM (
                 SELECT shift_id, billing_period_id, employee_key, position_key, billable_hours,
                        bill_total, updated_at, etl_batch_id, xmin::text AS xmin
                   FROM tracktik.fact_shifts) f""").fetchone()
        return rows[0] or ""


def test_full_run_lands_what_the_simulator_holds(config, api, db_dsn):
    summary = run_once(config, mode="full", start=SIM_START, end=SIM_END)
    assert summary.database["status"] == "completed", summary.database
    truth = api.truth(SIM_START, SIM_END)
    counts = truth["counts"]
    for resource, table, nid in (("regions", "dim_regions", "region_id"),
                                 ("clients", "dim_clients", "client_id"),
                                 ("positions", "dim_positions", "position_id")):
        got = scalar(db_dsn, f"SELECT count(DISTINCT {nid}) FROM tracktik.{table} WHERE is_current")  # noqa: S608
        assert got == counts[resource]["all"], resource
    assert scalar(db_dsn, "SELECT count(*) FROM tracktik.fact_shifts") == truth["shifts"]["count"]
    assert scalar(db_dsn, "SELECT count(*) FROM tracktik.fact_shifts WHERE status = 'CANCELLED'") \
        == truth["shifts"]["cancelled"]
    hours = scalar(db_dsn, "SELECT sum(scheduled_hours) FROM tracktik.fact_shifts"
                           " WHERE status <> 'CANCELLED'")
    assert float(hours) == truth["shifts"]["scheduledHours"]  # type: ignore[arg-type]
    # nothing of the other customer
    assert scalar(db_dsn, "SELECT count(*) FROM tracktik.dim_regions WHERE name = 'Acme Corp'") == 0
    assert summary.staged["shifts"] == truth["shifts"]["count"]


def test_same_data_again_changes_nothing(config, db_dsn):
    first = run_once(config, mode="full", start=SIM_START, end=SIM_END)
    assert first.database["status"] == "completed"
    before = _snapshot(db_dsn)
    versions = scalar(db_dsn, "SELECT count(*) FROM tracktik.dim_employees")
    second = run_once(config, mode="full", start=SIM_START, end=SIM_END)
    assert second.database["status"] == "completed", json.dumps(second.database, default=str)
    assert _snapshot(db_dsn) == before
    assert scalar(db_dsn, "SELECT count(*) FROM tracktik.dim_employees") == versions


def test_on_demand_fields_and_bill_rates_land(config, api, db_dsn):
    """What a real portal returns only when asked (site names and time zones, region time
    zones) and the bill rates reached through the posts' billingSetting all arrive."""
    summary = run_once(config, mode="full", start=SIM_START, end=SIM_END)
    assert summary.database["status"] == "completed", summary.database
    assert scalar(db_dsn, "SELECT count(*) FROM tracktik.dim_clients"
                          " WHERE is_current AND (name IS NULL OR time_zone IS NULL)") == 0
    assert scalar(db_dsn, "SELECT count(*) FROM tracktik.dim_regions"
                          " WHERE is_current AND time_zone IS NULL") == 0
    truth = api.truth(SIM_START, SIM_END)
    assert scalar(db_dsn, "SELECT count(*) FROM tracktik.position_bill_settings") \
        == truth["counts"]["position-bill-settings"]["all"]
    billed = scalar(db_dsn, "SELECT count(*) FROM tracktik.fact_shifts WHERE bill_total > 0")
    assert billed and billed > truth["shifts"]["count"] // 2  # type: ignore[operator]
