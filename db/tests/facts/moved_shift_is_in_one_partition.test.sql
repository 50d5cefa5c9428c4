-- A shift whose local start date moves to another billing period is deleted from its old
-- partition: a shift id is never in two periods. The move is recorded, the week it left is
-- re-billed, and a shift found in two periods stops the load with TT020.
BEGIN;
SELECT plan(10);

SELECT tt_test.build_world();
-- employee 1 on post 2000 (Colorado: weekly overtime only): Fri 17 .. Tue 21 January, 10 hours
-- a day, 50 hours in the workweek Fri 17 .. Thu 23 (period 2025_02)
SELECT tt_test.new_batch() AS b1 \gset
SELECT tt_test.stage_days(:'b1', 100, 1, 2000, '2025-01-17', 5, 10);
SELECT tt_test.load(:'b1');
SELECT is((tt_test.fact(104)).bill_overtime_hours, 10.00, 'the fifth 10-hour shift of the week is overtime');

-- shift 102 (Sun 2025-01-19, 2025_02) moves to Fri 2025-01-24 (2025_03)
SELECT tt_test.new_batch() AS b2 \gset
SELECT tt_test.stage_shift(:'b2', 102, 1, 2000, '2025-01-24T08:00:00-08:00', '2025-01-24T18:00:00-08:00');
SELECT tt_test.load(:'b2');

SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts WHERE shift_id = 102), 1, 'the shift is stored once');
SELECT is((SELECT billing_period_id FROM tracktik.fact_shifts WHERE shift_id = 102), '2025_03', '... in its new period');
SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts_2025_02 WHERE shift_id = 102), 0, 'its old partition no longer has it');
SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts_2025_03 WHERE shift_id = 102), 1, 'its new partition has it');
SELECT is((SELECT from_period_id || '>' || to_period_id FROM tracktik.fact_shift_moves WHERE shift_id = 102 AND batch_id = :'b2'),
          '2025_02>2025_03', 'the move is recorded');
SELECT is((SELECT sum(bill_overtime_hours) FROM tracktik.fact_shifts WHERE employee_id = 1 AND billing_period_id = '2025_02'),
          0.00, 'the week it left is re-billed: 40 hours left, no overtime any more');
SELECT is((SELECT etl_batch_id FROM tracktik.fact_shifts WHERE shift_id = 104), :'b2'::uuid,
          '... (shift 104 lost its overtime and carries the batch that changed it)');

-- a corrupt warehouse: the same shift id in two other periods
SELECT tracktik.ensure_billing_period('2025-02-10') IS NOT NULL AS ensured;
INSERT INTO tracktik.fact_shifts (shift_id, billing_period_id, shift_date, start_datetime, end_datetime, time_zone, status, raw_data)
VALUES (102, '2025_04', '2025-02-10', '2025-02-10T16:00:00Z', '2025-02-11T00:00:00Z', 'UTC', 'ACTIVE', '{}');
SELECT tt_test.new_batch() AS b3 \gset
SELECT tt_test.stage_shift(:'b3', 102, 1, 2000, '2025-01-14T08:00:00-08:00', '2025-01-14T16:00:00-08:00');
SELECT throws_ok(format('SELECT tracktik.load_fact_shifts(%L)', :'b3'), 'TT020', NULL,
                 'a shift stored in two periods stops the load');
SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts WHERE shift_id = 102), 2, '... and changes nothing');

SELECT * FROM finish();
ROLLBACK;
