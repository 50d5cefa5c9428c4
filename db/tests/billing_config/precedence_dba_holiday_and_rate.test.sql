-- Precedence for holidays and multipliers: a DBA's holiday_dates row overrides the post's
-- TrackTik holiday group (here: removes its date); a DBA rate's own overtime multiplier
-- overrides the TrackTik rule item's. Colorado post 2000 at 40.00.
BEGIN;
SELECT plan(3);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_holiday_group(:'b', 3, ARRAY['2025-01-15']::date[]);
SELECT tt_test.stage_ot_rule(:'b', 10, 'WEEKLY', 'SEQUENTIAL', '[["DAILY", 8, "MULTIPLIER", 1.5]]');
SELECT tt_test.stage_post_billing(:'b', 2000, '{"holidayGroup": 3, "overtimeRule": 10}');
SELECT tt_test.stage_days(:'b', 100, 1, 2000, '2025-01-15', 1, 8);
SELECT tt_test.stage_days(:'b', 200, 1, 2000, '2025-01-17', 1, 10);
SELECT tt_test.load(:'b');
-- the group's holiday: 320.00 + 8 x 40.00 x 0.5 = 160.00
SELECT is(tt_test.billed(100), 480.00, 'TrackTik''s holiday group: 320.00 + 160.00 = 480.00');

INSERT INTO tracktik.holiday_dates (holiday_date, region_id, name, is_holiday)
VALUES ('2025-01-15', 20, 'DBA: not a holiday for Colorado', false);
UPDATE tracktik.bill_rate_overrides SET overtime_multiplier = 1.75 WHERE scope = 'position' AND scope_id = 2000;
SELECT tracktik.calculate_billing(NULL, '2025_02');
SELECT is(tt_test.billed(100), 320.00, 'the DBA''s holiday_dates row wins: a regular day, 320.00');
-- 10 x 40.00 = 400.00 + 2 x 40.00 x 0.75 = 60.00
SELECT is(tt_test.billed(200), 460.00, 'the DBA rate''s multiplier 1.75 wins over the item''s 1.5: 400.00 + 60.00 = 460.00');

SELECT * FROM finish();
ROLLBACK;
