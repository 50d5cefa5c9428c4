-- DAY_SPECIFIC: every hour on the ISO weekday named by threshold (7 = Sunday) bills at the
-- item's rate. Colorado post 2000 at 40.00.
BEGIN;
SELECT plan(2);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_ot_rule(:'b', 4, 'WEEKLY', 'SEQUENTIAL', '[["DAY_SPECIFIC", 7, "MULTIPLIER", 1.5]]');
SELECT tt_test.stage_post_billing(:'b', 2000, '{"overtimeRule": 4}');
SELECT tt_test.stage_days(:'b', 100, 1, 2000, '2025-01-11', 2);   -- Saturday 11, Sunday 12
SELECT tt_test.load(:'b');

SELECT is(tt_test.billed(100), 320.00, 'Saturday: 8 x 40.00 = 320.00');
-- 320.00 + 8 x 40.00 x 0.5 = 160.00
SELECT is(tt_test.billed(101), 480.00, 'Sunday x1.5: 320.00 + 160.00 = 480.00');

SELECT * FROM finish();
ROLLBACK;
