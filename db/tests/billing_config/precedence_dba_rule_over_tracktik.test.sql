-- Precedence: a DBA's overtime_rules row for a region (not a shipped default) overrides the
-- TrackTik rule of the region's posts. Colorado post 2000 at 40.00, TrackTik rule PERIOD 40
-- x1.5; the DBA's rule for region 20: weekly overtime beyond 50. Six 8-hour days (48 h).
BEGIN;
SELECT plan(2);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_ot_rule(:'b', 8, 'WEEKLY', 'SEQUENTIAL', '[["PERIOD", 40, "MULTIPLIER", 1.5]]');
SELECT tt_test.stage_post_billing(:'b', 2000, '{"overtimeRule": 8}');
SELECT tt_test.stage_days(:'b', 100, 1, 2000, '2025-01-10', 6);
SELECT tt_test.load(:'b');
-- TrackTik's rule: 48 x 40.00 = 1920.00 + 8 x 20.00 = 160.00
SELECT is(tt_test.billed(100, 105), 2080.00, 'TrackTik''s rule applies: 1920.00 + 160.00 = 2080.00');

INSERT INTO tracktik.overtime_rules (region_id, weekly_overtime_after, description)
VALUES (20, 50, 'DBA: Colorado contract, weekly 50');
SELECT tracktik.calculate_billing(NULL, '2025_02');
-- the DBA's rule: 48 h < 50, no overtime: 1920.00
SELECT is(tt_test.billed(100, 105), 1920.00, 'the DBA''s local rule wins: 48 x 40.00 = 1920.00');

SELECT * FROM finish();
ROLLBACK;
