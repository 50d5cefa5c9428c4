-- Holidays from the post's TrackTik holiday group (its dates instead of the shipped ones), the
-- setting's holiday treatment (REGULAR: rate x holidayMultiplier; RATE: holidayRate) and a
-- HOLIDAY item (holiday hours of the day beyond its threshold at its rate). Colorado posts at
-- 40.00; the group's only date is Wednesday 2025-01-15 (not a shipped holiday).
BEGIN;
SELECT plan(5);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_holiday_group(:'b', 7, ARRAY['2025-01-15']::date[]);
SELECT tt_test.stage_ot_rule(:'b', 5, 'WEEKLY', 'SEQUENTIAL', '[["HOLIDAY", 8, "MULTIPLIER", 2.5]]');
SELECT tt_test.stage_post_billing(:'b', 2000, '{"holidayGroup": 7, "holiday": "REGULAR", "holidayMultiplier": 1.5, "overtimeRule": 5}');
SELECT tt_test.stage_days(:'b', 100, 1, 2000, '2025-01-15', 1, 10);
-- New Year's Day (shipped holiday) is not in the group: a regular day for this post
SELECT tt_test.stage_days(:'b', 200, 1, 2000, '2025-01-01', 1, 8);
SELECT tt_test.load(:'b');

-- 10 x 40.00 = 400.00; 8 h x 40.00 x 0.5 = 160.00 (treatment); 2 h x 40.00 x 1.5 = 120.00 (item)
SELECT is(tt_test.billed(100), 680.00, 'holiday: 400.00 + 160.00 + 120.00 = 680.00');
SELECT is((tt_test.fact(100)).bill_holiday_hours, 10.00, '... all ten hours are holiday hours');
SELECT is(tt_test.billed(200), 320.00, 'a shipped holiday outside the group is a regular day: 320.00');

-- holiday RATE: holiday hours at holidayRate 70.00 instead of 40.00
SELECT tt_test.new_batch() AS b2 \gset
DELETE FROM tracktik.fact_shifts; DELETE FROM tracktik.api_position_billing;
SELECT tt_test.stage_post_billing(:'b2', 2000, '{"holidayGroup": 7, "holiday": "RATE", "holidayRate": 70.00}');
SELECT tt_test.stage_days(:'b2', 100, 1, 2000, '2025-01-15', 1, 8);
SELECT tt_test.load(:'b2');
-- 8 x 40.00 = 320.00 + 8 x (70.00 - 40.00) = 240.00
SELECT is(tt_test.billed(100), 560.00, 'holiday RATE 70.00: 320.00 + 8 x 30.00 = 560.00');

-- holiday REGULAR with no holidayMultiplier: 1.5
SELECT tt_test.new_batch() AS b3 \gset
DELETE FROM tracktik.fact_shifts; DELETE FROM tracktik.api_position_billing;
SELECT tt_test.stage_post_billing(:'b3', 2000, '{"holidayGroup": 7, "holiday": "REGULAR"}');
SELECT tt_test.stage_days(:'b3', 100, 1, 2000, '2025-01-15', 1, 8);
SELECT tt_test.load(:'b3');
SELECT is(tt_test.billed(100), 480.00, 'holiday REGULAR without a multiplier: 320.00 + 8 x 40.00 x 0.5 = 480.00');

SELECT * FROM finish();
ROLLBACK;
