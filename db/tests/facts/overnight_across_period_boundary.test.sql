-- An overnight shift across a billing-period boundary belongs, whole, to the period of its
-- local start date (2025_02 ends on Thursday 2025-01-23).
BEGIN;
SELECT plan(4);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_shift(:'b', 1, 1, 1000, '2025-01-23T22:00:00-08:00', '2025-01-24T06:00:00-08:00');
SELECT tt_test.load(:'b');

SELECT is((tt_test.fact(1)).billing_period_id, '2025_02', 'the shift is in the period of its start date');
SELECT is((tt_test.fact(1)).shift_date, DATE '2025-01-23', 'its shift_date is the start date');
SELECT is((tt_test.fact(1)).scheduled_hours, 8.00, 'all 8 hours belong to it');
SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts_2025_02), 1, 'the row is in the 2025_02 partition');

SELECT * FROM finish();
ROLLBACK;
