-- method SEQUENTIAL vs BEST_OF with DAILY 8 x1.5 and PERIOD 40 x1.5. Colorado post 2000 at
-- 40.00; four 12-hour days Friday 2025-01-10 .. Monday 13 (48 h).
--   SEQUENTIAL: 4 daily overtime hours a day (16), PERIOD counts the other 32: no period overtime
--   BEST_OF:    per shift the kind with the larger premium, PERIOD on all hours: days 1-3 daily
--               (4 h x 20.00 = 80.00), day 4 PERIOD (hours 36..48: 8 h x 20.00 = 160.00 > 80.00)
BEGIN;
SELECT plan(3);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_ot_rule(:'b', 6, 'WEEKLY', 'SEQUENTIAL', '[["DAILY", 8, "MULTIPLIER", 1.5], ["PERIOD", 40, "MULTIPLIER", 1.5]]');
SELECT tt_test.stage_ot_rule(:'b', 7, 'WEEKLY', 'BEST_OF', '[["DAILY", 8, "MULTIPLIER", 1.5], ["PERIOD", 40, "MULTIPLIER", 1.5]]');
SELECT tt_test.add_position_rate(2001, 40.00);
SELECT tt_test.stage_post_billing(:'b', 2000, '{"overtimeRule": 6}');
SELECT tt_test.stage_post_billing(:'b', 2001, '{"overtimeRule": 7}');
SELECT tt_test.stage_days(:'b', 100, 1, 2000, '2025-01-10', 4, 12);
SELECT tt_test.stage_days(:'b', 200, 2, 2001, '2025-01-10', 4, 12);
SELECT tt_test.load(:'b');

-- 48 x 40.00 = 1920.00 + 16 x 20.00 = 320.00
SELECT is(tt_test.billed(100, 103), 2240.00, 'SEQUENTIAL: 1920.00 + 320.00 = 2240.00');
-- 1920.00 + 3 x 80.00 + 160.00 = 2320.00
SELECT is(tt_test.billed(200, 203), 2320.00, 'BEST_OF: 1920.00 + 240.00 + 160.00 = 2320.00');
SELECT is((tt_test.fact(203)).bill_overtime_impact, 160.00, '... the fourth day bills under PERIOD (160.00 > 80.00)');

SELECT * FROM finish();
ROLLBACK;
