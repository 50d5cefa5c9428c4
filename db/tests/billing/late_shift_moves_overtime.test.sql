-- A shift that arrives in a later batch re-bills its whole employee-week: the overtime moves to
-- the shifts that are now beyond 40 hours, though they were not in that batch.
BEGIN;
SELECT plan(6);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b1 \gset
SELECT tt_test.stage_days(:'b1', 101, 1, 2000, '2025-01-18', 6);    -- Sat 18 .. Thu 23: 48 h
SELECT tt_test.load(:'b1');
SELECT is((tt_test.fact(106)).bill_overtime_hours, 8.00, 'batch 1: the Thursday is overtime');
SELECT is((tt_test.fact(105)).bill_overtime_hours, 0.00, 'batch 1: the Wednesday is not');

SELECT tt_test.new_batch() AS b2 \gset
SELECT tt_test.stage_days(:'b2', 100, 1, 2000, '2025-01-17', 1);    -- the Friday arrives late: 56 h
SELECT tt_test.load(:'b2');
SELECT is((tt_test.fact(100)).bill_overtime_hours, 0.00, 'the late Friday is the first shift of the week');
SELECT is((tt_test.fact(105)).bill_overtime_hours, 8.00, 'the Wednesday (not in batch 2) is now overtime');
SELECT is((tt_test.fact(105)).etl_batch_id, :'b2'::uuid, '... re-billed by batch 2');
SELECT is((SELECT sum(bill_overtime_hours) FROM tracktik.fact_shifts WHERE employee_id = 1), 16.00,
          'the week has 56 - 40 = 16 overtime hours');

SELECT * FROM finish();
ROLLBACK;
