-- Weekly overtime: hours beyond 40 in the workweek, in chronological order. With workweeks
-- starting on Monday (a calendar anchored on Monday 2024-12-30), five 8-hour weekday shifts and
-- an 8-hour Saturday put the Saturday's 8 hours into overtime.
BEGIN;
SELECT plan(8);

UPDATE tracktik.settings SET calendar_anchor_date = '2024-12-30';   -- a Monday; no period exists yet
SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_days(:'b', 100, 1, 2000, '2025-01-13', 6);     -- Mon 13 .. Sat 18, 8 h each, Colorado
SELECT tt_test.load(:'b');

SELECT is((SELECT billing_period_id FROM tracktik.fact_shifts WHERE shift_id = 100), '2025_02',
          'on this calendar 2025_02 starts on Monday 2025-01-13');
SELECT is((SELECT sum(bill_overtime_hours) FROM tracktik.fact_shifts WHERE shift_id BETWEEN 100 AND 104), 0.00,
          'the five weekday shifts (40 h) carry no overtime');
SELECT is((tt_test.fact(105)).bill_overtime_hours, 8.00, 'the Saturday carries 8 weekly-overtime hours');
-- Saturday: 8 h x 40.00 = 320.00; premium 40.00 x 8 x (1.5 - 1) = 160.00; total 480.00
SELECT is((tt_test.fact(105)).bill_overtime_impact, 160.00, 'its premium is 40.00 x 8 x 0.5 = 160.00');
SELECT is((tt_test.fact(105)).bill_total, 480.00, 'its total is 320.00 + 160.00 = 480.00');
SELECT is((tt_test.fact(105)).bill_rate_effective, 60.00, 'its effective rate is 480.00 / 8 = 60.00');
SELECT is((tt_test.fact(104)).bill_total, 320.00, 'Friday bills at the regular rate');
SELECT is((SELECT sum(bill_total) FROM tracktik.fact_shifts), 2080.00, 'the week bills 5 x 320.00 + 480.00 = 2080.00');

SELECT * FROM finish();
ROLLBACK;
