"""Reconciliation with what TrackTik billed (issue 12): the simulator computes its
``/billable-items`` with its own billing code (``tracktik_sim.billing``, independent of the
warehouse's SQL); the warehouse compares them per shift with its own billing. With nothing
injected they agree to the cent on every shift; with discrepancies injected, exactly those
shifts are reported, and mending the portal resolves them."""

from __future__ import annotations

import psycopg

from tracktik_etl.pipeline import run_once
from tracktik_sim import RunningSimulator

from .conftest import SIM_END, SIM_START, scalar


def _differing(dsn: str) -> set[int]:
    with psycopg.connect(dsn) as conn:
        return {r[0] for r in conn.execute(
            "SELECT shift_id FROM tracktik.billing_reconciliation WHERE differs").fetchall()}


def _open_variances(dsn: str) -> set[str]:
    with psycopg.connect(dsn) as conn:
        return {r[0] for r in conn.execute(
            "SELECT record_id FROM tracktik.data_quality_issues WHERE issue_type = 'billing_variance'"
            " AND table_name = 'billing_reconciliation' AND resolved_at IS NULL").fetchall()}


def test_the_warehouse_bills_what_tracktik_billed(config, api: RunningSimulator, db_dsn: str) -> None:
    summary = run_once(config, mode="full", start=SIM_START, end=SIM_END)
    assert summary.database["status"] == "completed", summary.database
    compared = scalar(db_dsn, "SELECT count(*) FROM tracktik.billing_reconciliation")
    assert compared and compared > 100  # type: ignore[operator]
    with psycopg.connect(db_dsn) as conn:
        worst = conn.execute(
            "SELECT shift_id, differences, tracktik_amount, warehouse_amount, tracktik_hours,"
            " warehouse_hours, tracktik_rate, warehouse_rate FROM tracktik.billing_reconciliation"
            " WHERE differs ORDER BY abs(coalesce(amount_difference, 0)) DESC LIMIT 5").fetchall()
    assert worst == [], f"the warehouse and TrackTik's own billing disagree: {worst}"
    assert _open_variances(db_dsn) == set()


def test_injected_discrepancies_and_nothing_else_are_reported(config, api: RunningSimulator,
                                                            db_dsn: str) -> None:
    injected = api.faults.set("billing_discrepancy", count=4, amount=12.5)
    ids = {int(i) for i in injected["ids"]}
    assert len(ids) == 4
    summary = run_once(config, mode="full", start=SIM_START, end=SIM_END)
    assert summary.database["status"] == "completed", summary.database
    assert _differing(db_dsn) == ids
    assert _open_variances(db_dsn) == {str(i) for i in ids}
    with psycopg.connect(db_dsn) as conn:
        diffs = {r[0] for r in conn.execute(
            "SELECT abs(amount_difference) FROM tracktik.billing_reconciliation WHERE differs")}
    assert diffs == {12.5}
    # the portal is mended: the next run finds them equal and resolves the issues
    api.faults.clear()
    again = run_once(config, mode="full", start=SIM_START, end=SIM_END)
    assert again.database["status"] == "completed", again.database
    assert _differing(db_dsn) == set() and _open_variances(db_dsn) == set()
