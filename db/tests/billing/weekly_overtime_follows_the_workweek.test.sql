-- On the shipped calendar (anchor Friday 2024-12-27) workweeks run Friday to Thursday: the same
-- Monday-to-Saturday shifts fall into two workweeks (32 h and 16 h) and carry no overtime; six
-- 8-hour shifts from Friday to Wednesday put the Wednesday into overtime.
BEGIN;
SELECT plan(4);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_days(:'b', 100, 1, 2000, '2025-01-13', 6);     -- Mon 13 .. Sat 18
SELECT tt_test.stage_days(:'b', 200, 2, 2000, '2025-01-17', 6);     -- Fri 17 .. Wed 22
SELECT tt_test.load(:'b');

SELECT is((SELECT sum(bill_overtime_hours) FROM tracktik.fact_shifts WHERE employee_id = 1), 0.00,
          'Mon-Sat spans two Friday-Thursday workweeks: no overtime');
SELECT is((tt_test.fact(205)).bill_overtime_hours, 8.00, 'the sixth shift of one workweek (Wednesday) is overtime');
SELECT is((SELECT sum(bill_overtime_hours) FROM tracktik.fact_shifts WHERE employee_id = 2), 8.00, '... and only it');
SELECT is((tt_test.fact(205)).bill_total, 480.00, 'it bills 320.00 + 160.00');

SELECT * FROM finish();
ROLLBACK;
