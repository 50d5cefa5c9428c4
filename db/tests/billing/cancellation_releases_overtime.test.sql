-- A cancellation in a later batch releases the overtime of the week: the cancelled shift keeps
-- its row with zero billable hours, and the shift that was beyond 40 hours is regular again.
BEGIN;
SELECT plan(5);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b1 \gset
SELECT tt_test.stage_days(:'b1', 101, 1, 2000, '2025-01-18', 6);    -- Sat 18 .. Thu 23: 48 h
SELECT tt_test.load(:'b1');
SELECT is((tt_test.fact(106)).bill_overtime_hours, 8.00, 'batch 1: the Thursday is overtime');

SELECT tt_test.new_batch() AS b2 \gset
SELECT tt_test.stage(:'b2', 'shifts', raw_data || '{"status": "CANCELLED", "updatedOn": "2025-06-02T00:00:00+00:00"}')
  FROM tracktik.fact_shifts WHERE shift_id = 101;
SELECT tt_test.load(:'b2');
SELECT is((tt_test.fact(101)).status, 'CANCELLED', 'the Saturday is cancelled');
SELECT is((tt_test.fact(101)).billable_hours, 0.00, '... and bills no hours');
SELECT is((tt_test.fact(106)).bill_overtime_hours, 0.00, 'the Thursday is no longer overtime');
SELECT is((tt_test.fact(106)).bill_total, 320.00, '... and bills 8 x 40.00');

SELECT * FROM finish();
ROLLBACK;
