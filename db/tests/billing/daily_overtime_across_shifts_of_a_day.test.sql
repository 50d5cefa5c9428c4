-- Daily overtime counts all of an employee's billable hours of the day in start order: two
-- 6-hour shifts the same day in California make the second one 2 regular + 4 overtime hours.
-- Daily overtime hours do not count toward the weekly 40.
BEGIN;
SELECT plan(4);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_shift(:'b', 2, 1, 1000, '2025-01-13T14:00:00-08:00', '2025-01-13T20:00:00-08:00');
SELECT tt_test.stage_shift(:'b', 1, 1, 1001, '2025-01-13T06:00:00-08:00', '2025-01-13T12:00:00-08:00');
-- employee 2: five 10-hour California days (Fri..Tue): 2 h daily overtime each, 40 h toward the week
SELECT tt_test.stage_days(:'b', 100, 2, 1000, '2025-01-10', 5, 10);
SELECT tt_test.load(:'b');

SELECT is((tt_test.fact(1)).bill_overtime_hours, 0.00, 'the first 6 hours of the day are regular');
SELECT is((tt_test.fact(2)).bill_overtime_hours, 4.00, 'of the later shift, the 4 hours beyond 8 in the day are overtime');
SELECT is((SELECT sum(bill_overtime_hours) FROM tracktik.fact_shifts WHERE employee_id = 2), 10.00,
          'five 10-hour days: 5 x 2 daily overtime hours');
SELECT is((tt_test.fact(104)).bill_overtime_hours, 2.00,
          'the fifth day has no weekly overtime: only 40 non-daily-overtime hours in the week');

SELECT * FROM finish();
ROLLBACK;
