-- CONSECUTIVE_DAYS: every hour of the threshold-th and later consecutive day worked in the
-- rule's period bills at the item's rate (SEQUENTIAL: those hours do not count toward PERIOD).
-- Colorado post 2000 at 40.00; rule: 7th consecutive day x2.0, PERIOD 40 x1.5, WEEKLY.
BEGIN;
SELECT plan(3);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_ot_rule(:'b', 3, 'WEEKLY', 'SEQUENTIAL',
                             '[["CONSECUTIVE_DAYS", 7, "MULTIPLIER", 2.0], ["PERIOD", 40, "MULTIPLIER", 1.5]]');
SELECT tt_test.stage_post_billing(:'b', 2000, '{"overtimeRule": 3}');
-- employee 1: seven 6-hour days Friday 2025-01-10 .. Thursday 16 (one workweek, 42 h)
SELECT tt_test.stage_days(:'b', 100, 1, 2000, '2025-01-10', 7, 6);
-- employee 2: six days, a day off, then one more (no seventh consecutive day)
SELECT tt_test.stage_days(:'b', 200, 2, 2000, '2025-01-10', 5, 6);
SELECT tt_test.stage_days(:'b', 210, 2, 2000, '2025-01-16', 1, 6);
SELECT tt_test.load(:'b');

-- 42 x 40.00 = 1680.00; the 7th day's 6 h x 40.00 x 1.0 = 240.00; PERIOD counts 36 h: no overtime
SELECT is(tt_test.billed(100, 106), 1920.00, '7th consecutive day x2.0: 1680.00 + 240.00 = 1920.00');
SELECT is((tt_test.fact(106)).bill_overtime_impact, 240.00, '... all of it on the seventh day');
-- 36 h, no seventh consecutive day, under 40
SELECT is(tt_test.billed(200, 210), 1440.00, 'a gap resets the count: 36 x 40.00 = 1440.00');

SELECT * FROM finish();
ROLLBACK;
