-- No rate at any level: the hours load, every bill column is NULL, and a missing_bill_rate
-- warning is recorded (once per shift and batch; none for a shift with nothing to bill).
BEGIN;
SELECT plan(9);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_shift(:'b', 1, 1, 2001, '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00');
SELECT tt_test.stage_shift(:'b', 2, 2, 2001, '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00', '{"status": "CANCELLED"}');
SELECT tt_test.load(:'b');

SELECT is((tt_test.fact(1)).billable_hours, 8.00, 'the hours load');
SELECT is((tt_test.fact(1)).bill_rate_regular, NULL, 'no rate');
SELECT is((tt_test.fact(1)).bill_total, NULL, 'no total');
SELECT is((tt_test.fact(1)).bill_overtime_hours, NULL, 'no overtime hours');
SELECT is((tt_test.fact(1)).bill_holiday_impact, NULL, 'no holiday premium');
SELECT is((tt_test.fact(1)).bill_rate_effective, NULL, 'no effective rate');
SELECT is(tt_test.issues(:'b', 'missing_bill_rate'), 1::bigint, 'one missing_bill_rate issue, for the billable shift');
SELECT is((SELECT severity FROM tracktik.data_quality_issues WHERE batch_id = :'b' AND issue_type = 'missing_bill_rate'),
          'warning', '... a warning: the shift loads');
SELECT is((SELECT count(*)::int FROM tracktik.bill_rate_at(2001, 200, 20, '2025-01-13') WHERE bill_rate IS NOT NULL), 0,
          'bill_rate_at finds no rate either');

SELECT * FROM finish();
ROLLBACK;
