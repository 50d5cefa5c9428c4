-- One staged batch end to end, in one transaction, as run_kaiser_batch processes it
-- (tracktik._process_batch; the procedure adds the lock and the COMMITs, tested in pytest):
-- dimensions merged from the staged API records (issue 3), facts billed, counts, watermarks,
-- reporting refreshed; a completed batch is refused (TT003). Skipped until the merge exists.
-- _process_batch runs only in a session that holds run_kaiser_batch's run lock: taken here for
-- the transaction (released by the ROLLBACK).
BEGIN;
SELECT plan(12);

SELECT tt_test.add_world_rates();
SELECT tt_test.new_batch('full') AS b \gset
SELECT tt_test.stage_world(:'b');
SELECT tt_test.stage_days(:'b', 100, 1, 2000, '2025-01-17', 6);                 -- 48 h in Colorado
SELECT tt_test.stage_shift(:'b', 200, 2, 1001, '2025-01-13T06:00:00-08:00', '2025-01-13T19:00:00-08:00');
SELECT tt_test.stage(:'b', 'shifts', '{"id": 300, "status": "ACTIVE"}');        -- bad: skipped
SELECT tracktik.mark_batch_staged(:'b', ARRAY['regions', 'clients', 'positions']);
SELECT pg_advisory_xact_lock(hashtext('tracktik.run_kaiser_batch'));

SELECT tracktik._process_batch(:'b') IS NOT NULL AS processed;

SELECT is((SELECT status FROM tracktik.etl_batches WHERE batch_id = :'b'), 'completed', 'the batch is completed');
SELECT is((SELECT records_failed FROM tracktik.etl_batches WHERE batch_id = :'b'), 1, 'the bad record is counted as failed');
-- 5 regions + 3 sites + 7 posts + 6 employees + 8 shifts = 29 records, 1 bad
SELECT is((SELECT records_processed FROM tracktik.etl_batches WHERE batch_id = :'b'), 28, 'the rest are processed');
SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts), 7, 'seven shifts are loaded');
SELECT is((tt_test.fact(105)).bill_overtime_hours, 8.00, 'the sixth Colorado shift is overtime');
SELECT is((tt_test.fact(200)).bill_total, 30.00 * 13 + 30.00 * 3, 'the California 13-hour standby shift: 4 OT + 1 DT');
SELECT is((tt_test.fact(200)).client_key, (SELECT surrogate_key FROM tracktik.dim_clients WHERE client_id = 100),
          'facts point at the merged dimension versions');
SELECT is((SELECT last_sync_timestamp FROM tracktik.etl_sync_status WHERE table_name = 'shifts'),
          '2025-06-01T00:00:00+00:00'::timestamptz, 'the shifts watermark is the latest modifiedOn');
SELECT is((SELECT last_sync_timestamp FROM tracktik.etl_sync_status WHERE table_name = 'regions'),
          '2024-06-01T00:00:00+00:00'::timestamptz, 'every staged resource gets its watermark');
SELECT is((SELECT shifts FROM tracktik.mv_billing_period_totals WHERE billing_period_id = '2025_02'), 7::bigint,
          'the materialized totals are refreshed');
SELECT ok((SELECT metadata ? 'facts' FROM tracktik.etl_batches WHERE batch_id = :'b'), 'the fact counts are in the metadata');
SELECT throws_ok(format('SELECT tracktik._process_batch(%L)', :'b'), 'TT003', NULL, 'a completed batch is refused');

SELECT * FROM finish();
ROLLBACK;
