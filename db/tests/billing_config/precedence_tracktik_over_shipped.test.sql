-- Precedence: TrackTik's rule of a post overrides the shipped rule of its region; a post whose
-- setting names no overtime rule uses the shipped rule of its region. Oakland posts (Northern
-- California: shipped daily 8 / 12) 1000 (40.00, TrackTik rule: PERIOD 40 only) and 1002
-- (35.00, a setting without overtimeRule); one 10-hour shift each.
BEGIN;
SELECT plan(2);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_ot_rule(:'b', 9, 'WEEKLY', 'SEQUENTIAL', '[["PERIOD", 40, "MULTIPLIER", 1.5]]');
SELECT tt_test.stage_post_billing(:'b', 1000, '{"overtimeRule": 9}');
SELECT tt_test.stage_post_billing(:'b', 1002, '{}');
SELECT tt_test.stage_days(:'b', 100, 1, 1000, '2025-01-10', 1, 10);
SELECT tt_test.stage_days(:'b', 200, 2, 1002, '2025-01-10', 1, 10);
SELECT tt_test.load(:'b');

SELECT is(tt_test.billed(100), 400.00, 'TrackTik''s rule replaces the shipped daily overtime: 10 x 40.00 = 400.00');
-- 10 x 35.00 = 350.00 + 2 x 35.00 x 0.5 = 35.00
SELECT is(tt_test.billed(200), 385.00, 'no overtimeRule: the shipped California rule, 350.00 + 35.00 = 385.00');

SELECT * FROM finish();
ROLLBACK;
