-- PERIOD items: hours beyond the threshold in the rule's period, WEEKLY = the workweek (Friday
-- to Thursday), BI-WEEKLY = the billing period (2025_02: 2025-01-10..23). Colorado post 2000 at
-- 40.00. Eleven 8-hour days from Friday 2025-01-10 (88 hours: 56 in the first week, 32 in the
-- second).
BEGIN;
SELECT plan(4);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_ot_rule(:'b', 2, 'BI-WEEKLY', 'SEQUENTIAL', '[["PERIOD", 80, "MULTIPLIER", 1.5]]');
SELECT tt_test.stage_post_billing(:'b', 2000, '{"overtimeRule": 2}');
SELECT tt_test.stage_days(:'b', 100, 1, 2000, '2025-01-10', 11);
SELECT tt_test.load(:'b');

-- BI-WEEKLY 80: the eleventh day (2025-01-20, hours 80..88) is overtime: 88 x 40.00 = 3520.00 + 8 x 20.00 = 160.00
SELECT is(tt_test.billed(100, 110), 3680.00, 'BI-WEEKLY 80: 3520.00 + 160.00 = 3680.00');
SELECT is((tt_test.fact(110)).bill_overtime_hours, 8.00, '... the eleventh day is the overtime, across the workweek boundary');

-- the same days with a WEEKLY 40 rule: week 1 has 56 h (16 overtime), week 2 has 32 h (none)
SELECT tt_test.new_batch() AS b2 \gset
DELETE FROM tracktik.fact_shifts;
DELETE FROM tracktik.api_overtime_rules; DELETE FROM tracktik.api_overtime_rule_items;
DELETE FROM tracktik.api_position_billing;
SELECT tt_test.stage_ot_rule(:'b2', 2, 'WEEKLY', 'SEQUENTIAL', '[["PERIOD", 40, "MULTIPLIER", 1.5]]');
SELECT tt_test.stage_post_billing(:'b2', 2000, '{"overtimeRule": 2}');
SELECT tt_test.stage_days(:'b2', 100, 1, 2000, '2025-01-10', 11);
SELECT tt_test.load(:'b2');
-- 3520.00 + 16 x 20.00 = 3840.00
SELECT is(tt_test.billed(100, 110), 3840.00, 'WEEKLY 40: 3520.00 + 16 x 20.00 = 3840.00');

-- WEEKLY 40 at a RATE: overtime hours at 55.00 instead of 40.00
SELECT tt_test.new_batch() AS b3 \gset
DELETE FROM tracktik.fact_shifts;
DELETE FROM tracktik.api_overtime_rules; DELETE FROM tracktik.api_overtime_rule_items;
DELETE FROM tracktik.api_position_billing;
SELECT tt_test.stage_ot_rule(:'b3', 2, 'WEEKLY', 'SEQUENTIAL', '[["PERIOD", 40, "RATE", 55.00]]');
SELECT tt_test.stage_post_billing(:'b3', 2000, '{"overtimeRule": 2}');
SELECT tt_test.stage_days(:'b3', 100, 1, 2000, '2025-01-10', 6);
SELECT tt_test.load(:'b3');
-- 48 x 40.00 = 1920.00 + 8 x (55.00 - 40.00) = 120.00
SELECT is(tt_test.billed(100, 105), 2040.00, 'WEEKLY 40 RATE 55.00: 1920.00 + 8 x 15.00 = 2040.00');

SELECT * FROM finish();
ROLLBACK;
