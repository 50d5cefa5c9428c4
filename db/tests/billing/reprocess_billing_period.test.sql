-- CALL reprocess_billing_period derives hours and billing of one period again from raw_data,
-- as a 'reprocess' batch, rewriting only the rows that change.
BEGIN;
SELECT plan(8);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_days(:'b', 100, 1, 2000, '2025-01-13', 2, 13);   -- Colorado, two 13-hour days
SELECT tt_test.stage_days(:'b', 200, 2, 2000, '2025-01-24', 1, 13);   -- another period
SELECT tt_test.load(:'b');
SELECT is((tt_test.fact(100)).bill_overtime_hours, 0.00, 'Colorado has no daily overtime');

-- a DBA gives Colorado a daily rule and reprocesses the period
INSERT INTO tracktik.overtime_rules (region_id, daily_overtime_enabled, weekly_overtime_after, description)
VALUES (20, true, 40, 'Colorado: daily overtime after 12 hours (test)');
UPDATE tracktik.overtime_rules SET daily_overtime_after = 12, daily_double_time_after = 12 WHERE region_id = 20;
SELECT throws_ok($$CALL tracktik.reprocess_billing_period('1999_01')$$, 'TT001', NULL, 'an unknown period is refused');
SET client_min_messages = warning;   -- the procedure reports what it did with a NOTICE
CALL tracktik.reprocess_billing_period('2025_02');

SELECT is((tt_test.fact(100)).bill_overtime_hours, 1.00, 'the 13th hour is now double time');
-- 13 x 40.00 + 40.00 x 1 x (2.0 - 1) = 520.00 + 40.00
SELECT is((tt_test.fact(100)).bill_total, 560.00, '... 13 x 40.00 + 40.00 = 560.00');
SELECT is((tt_test.fact(200)).bill_overtime_hours, 0.00, 'the other period is not reprocessed');
SELECT is((SELECT status || ' ' || batch_type FROM tracktik.etl_batches WHERE batch_type = 'reprocess'),
          'completed reprocess', 'the reprocess is recorded as a completed batch');
SELECT is((tt_test.fact(100)).etl_batch_id, (SELECT batch_id FROM tracktik.etl_batches WHERE batch_type = 'reprocess'),
          'changed rows carry the reprocess batch');
SELECT is((tt_test.fact(100)).raw_data, (SELECT record FROM staging.api_records WHERE batch_id = :'b' AND record ->> 'id' = '100'),
          'raw_data is unchanged');

SELECT * FROM finish();
ROLLBACK;
