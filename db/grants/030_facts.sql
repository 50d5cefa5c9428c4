-- Routine privileges of the facts, billing and batch routines (issue 4).
--
-- The loader (the shell) calls run_kaiser_batch, a procedure that COMMITs and therefore runs
-- with the caller's rights: it needs EXECUTE on the definer functions the procedure calls
-- directly (those do all table work as their owner), and on mark_batch_staged. The internals
-- cannot be used to work around the procedure: they refuse (TT004) in a session that does not
-- hold its run lock. A batch failure is recorded only inside _process_batch, when its attempt
-- fails: no routine the loader may execute marks a batch failed at will (tracktik._failing_record,
-- which names the failing record, runs as the owner of _process_batch and is granted to nobody).
GRANT EXECUTE ON PROCEDURE tracktik.run_kaiser_batch(uuid) TO tracktik_loader;
GRANT EXECUTE ON FUNCTION
    tracktik.mark_batch_staged(uuid, text[], jsonb),
    tracktik._batches_to_run(uuid),
    tracktik._process_batch(uuid)
TO tracktik_loader;

-- Readers may ask the billing configuration questions the loads answer.
GRANT EXECUTE ON FUNCTION
    tracktik.bill_rate_at(bigint, bigint, bigint, date),
    tracktik._bill_rates_for(bigint[], bigint[], bigint[], date[]),
    tracktik.is_holiday(date, bigint),
    tracktik._holidays_for(date[], bigint[]),
    tracktik._holiday_sources_for(date[], bigint[]),
    tracktik.overtime_rule_for(bigint),
    tracktik._overtime_rules_for(bigint[]),
    tracktik._region_lineage(bigint[])
TO tracktik_reader;

-- Reporting views and the materialized view (also granted by migration 0010; re-asserted on
-- every migrate).
GRANT SELECT ON
    tracktik.v_current_regions, tracktik.v_current_clients, tracktik.v_current_positions,
    tracktik.v_current_employees, tracktik.v_region_markets, tracktik.v_billing_period_summary,
    tracktik.mv_billing_period_totals, tracktik.v_standby_watch_posts, tracktik.v_batch_health,
    tracktik.v_sync_status, tracktik.v_open_data_quality_issues
TO tracktik_reader;
