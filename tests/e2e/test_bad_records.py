"""Records that break the API's schema, served over HTTP: each is reported with its id, the
rest of the batch loads, and the next run is not blocked (issues 9 and 11)."""

from __future__ import annotations

import psycopg

from tracktik_etl.pipeline import run_once
from tracktik_sim import RunningSimulator

from .conftest import SIM_END, SIM_START, scalar

SHIFT_DEFECTS = ["missing_field", "wrong_type", "end_before_start", "offset_less_timestamp",
                 "nan_number", "nul_character", "lone_surrogate"]


def _open_issues(dsn: str, table: str) -> dict[str, set[str]]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT record_id, issue_type FROM tracktik.data_quality_issues"
                            " WHERE table_name = %s AND resolved_at IS NULL", (table,)).fetchall()
    out: dict[str, set[str]] = {}
    for record_id, issue_type in rows:
        out.setdefault(record_id, set()).add(issue_type)
    return out


def test_schema_breaking_shifts_are_reported_and_the_rest_loads(config, api: RunningSimulator,
                                                                db_dsn: str) -> None:
    chosen = api.faults.set("malformed", resource="shifts", count=len(SHIFT_DEFECTS),
                            defects=SHIFT_DEFECTS, field="startDateTime")["records"]
    assert sorted(chosen.values()) == sorted(SHIFT_DEFECTS)
    summary = run_once(config, mode="full", start=SIM_START, end=SIM_END)
    assert summary.database["status"] == "completed", summary.database
    # the three the shell cannot stage as jsonb are set aside, not dropped
    assert summary.rejected == {"shifts": 3}
    truth = api.truth(SIM_START, SIM_END)
    loaded = scalar(db_dsn, "SELECT count(*) FROM tracktik.fact_shifts")
    assert loaded == truth["shifts"]["count"] - len(SHIFT_DEFECTS)
    issues = _open_issues(db_dsn, "fact_shifts")
    rejected = _open_issues(db_dsn, "rejected_records")
    for shift_id, defect in chosen.items():
        reported = issues.get(shift_id, set()) | rejected.get(shift_id, set())
        assert reported, f"shift {shift_id} ({defect}) was not reported"
        assert scalar(db_dsn, "SELECT count(*) FROM tracktik.fact_shifts WHERE shift_id = %s",
                      (int(shift_id),)) == 0, defect
    assert summary.database["records_failed"] >= len(SHIFT_DEFECTS)

    # the portal is mended: the next run loads them all, nothing blocks it
    api.faults.clear()
    again = run_once(config, mode="full", start=SIM_START, end=SIM_END)
    assert again.database["status"] == "completed", again.database
    assert scalar(db_dsn, "SELECT count(*) FROM tracktik.fact_shifts") == truth["shifts"]["count"]
