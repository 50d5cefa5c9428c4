-- Holiday hours count toward the weekly 40 but bill only at the holiday multiplier, never also
-- as overtime (no pyramiding). Independence Day 2025 is Friday 2025-07-04, the first day of a
-- workweek; a DBA adds Thursday 2025-07-10 as a holiday for Colorado.
BEGIN;
SELECT plan(9);

SELECT tt_test.build_world();
INSERT INTO tracktik.holiday_dates (holiday_date, region_id, name) VALUES ('2025-07-10', 20, 'Colorado test holiday');
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_days(:'b', 100, 1, 2000, '2025-07-04', 7);     -- Fri 4 .. Thu 10, 8 h each: 56 h
SELECT tt_test.load(:'b');

SELECT is((tt_test.fact(100)).bill_holiday_hours, 8.00, 'July 4: 8 holiday hours');
SELECT is((tt_test.fact(100)).bill_overtime_hours, 0.00, '... and no overtime');
-- 8 x 40.00 = 320.00 + holiday premium 40.00 x 8 x (1.5 - 1) = 160.00
SELECT is((tt_test.fact(100)).bill_total, 480.00, '... billing 320.00 + 160.00 = 480.00');
SELECT is((tt_test.fact(104)).bill_overtime_hours, 0.00, 'Tuesday completes 40 hours, holiday hours included');
SELECT is((tt_test.fact(105)).bill_overtime_hours, 8.00, 'Wednesday is overtime: the holiday counted toward the 40');
SELECT is((tt_test.fact(106)).bill_holiday_hours, 8.00, 'the added holiday (Thursday, beyond 40 h) is holiday hours');
SELECT is((tt_test.fact(106)).bill_overtime_hours, 0.00, '... never also overtime');
SELECT is((tt_test.fact(106)).bill_total, 480.00, '... billing 480.00 (not 320.00 + both premiums)');
SELECT is((tt_test.fact(106)).bill_overtime_impact, 0.00, '... with no overtime premium');

SELECT * FROM finish();
ROLLBACK;
