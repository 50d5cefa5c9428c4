-- DAILY items of a TrackTik BILLING rule: hours of a day beyond the first threshold bill at its
-- multiplier, beyond the next at the next (tiers [8, 12) and [12, oo)); a RATE item bills its
-- hours at rateAmount instead of the regular rate. Colorado post 2000 (shipped rule: weekly
-- 40 only, no daily overtime) at 40.00 (a DBA rate without multipliers: the items decide).
BEGIN;
SELECT plan(4);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_ot_rule(:'b', 1, 'WEEKLY', 'SEQUENTIAL', '[["DAILY", 8, "MULTIPLIER", 1.5], ["DAILY", 12, "MULTIPLIER", 2.0]]');
SELECT tt_test.stage_post_billing(:'b', 2000, '{"overtimeRule": 1}');
-- one 13-hour shift on Friday 2025-01-10, one 8-hour shift on Saturday
SELECT tt_test.stage_days(:'b', 100, 1, 2000, '2025-01-10', 1, 13);
SELECT tt_test.stage_days(:'b', 200, 1, 2000, '2025-01-11', 1, 8);
SELECT tt_test.load(:'b');

-- 13 h: regular 13 x 40.00 = 520.00; 4 h (8..12) x 40.00 x 0.5 = 80.00; 1 h (12..13) x 40.00 x 1.0 = 40.00
SELECT is(tt_test.billed(100), 640.00, 'DAILY 8 x1.5 / 12 x2.0: 520.00 + 80.00 + 40.00 = 640.00');
SELECT is((tt_test.fact(100)).bill_overtime_hours, 5.00, '... 4 overtime + 1 double-time hours');
-- 8 h: no daily overtime (the shipped weekly 40 is replaced by the TrackTik rule: no PERIOD item)
SELECT is(tt_test.billed(200), 320.00, 'a day of 8 hours has no overtime: 8 x 40.00 = 320.00');

-- the same with a RATE item: hours beyond 8 at 55.00 instead of 40.00
SELECT tt_test.new_batch() AS b2 \gset
UPDATE tracktik.etl_batches SET started_at = '2020-01-01' WHERE batch_id = :'b2';
DELETE FROM tracktik.fact_shifts;
DELETE FROM tracktik.api_overtime_rules; DELETE FROM tracktik.api_overtime_rule_items;
SELECT tt_test.stage_ot_rule(:'b2', 1, 'WEEKLY', 'SEQUENTIAL', '[["DAILY", 8, "RATE", 55.00]]');
SELECT tt_test.stage_post_billing(:'b2', 2000, '{"overtimeRule": 1}');
SELECT tt_test.stage_days(:'b2', 100, 1, 2000, '2025-01-10', 1, 13);
SELECT tt_test.load(:'b2');
-- 13 x 40.00 = 520.00; 5 h x (55.00 - 40.00) = 75.00
SELECT is(tt_test.billed(100), 595.00, 'DAILY 8 RATE 55.00: 520.00 + 5 x 15.00 = 595.00');

SELECT * FROM finish();
ROLLBACK;
