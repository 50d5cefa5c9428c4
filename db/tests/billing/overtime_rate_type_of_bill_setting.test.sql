-- The overtime of a TrackTik bill setting follows its overtimeRateType: MULTIPLIER uses
-- customOvertimeMultiplier1/2, NO_PREMIUMS bills overtime at the regular rate (multiplier 1),
-- DEFAULT uses the configured defaults (1.5 / 2.0); RATE bills overtime hours at
-- customOvertimeRate1 (double time at customOvertimeRate2) instead of rate x multiplier, with
-- no unsupported_overtime_rate_type warning any more (issue 12). Colorado (post 2000): weekly overtime beyond 40 h; six 8-hour days, the last
-- 8 hours are overtime.
BEGIN;
SELECT plan(5);

SELECT tt_test.build_world();
DELETE FROM tracktik.bill_rate_overrides WHERE scope_id = 2000;
SELECT tt_test.new_batch() AS b \gset
-- one setting per week (the weeks start on Fridays: 2025-01-10, -17, -24, -31)
SELECT tt_test.stage_post_settings(:'b', 2000, jsonb_build_array(
           tt_test.bill_setting(31, 2000, 40.00, '2025-01-10',
                                '{"overtimeRateType": "MULTIPLIER", "customOvertimeMultiplier1": 2, "customOvertimeMultiplier2": 3}'),
           tt_test.bill_setting(32, 2000, 40.00, '2025-01-17', '{"overtimeRateType": "NO_PREMIUMS"}'),
           tt_test.bill_setting(33, 2000, 40.00, '2025-01-24',
                                '{"overtimeRateType": "DEFAULT", "customOvertimeMultiplier1": 3}'),
           tt_test.bill_setting(34, 2000, 40.00, '2025-01-31',
                                '{"overtimeRateType": "RATE", "customOvertimeRate1": 61.75, "customOvertimeRate2": 80}')));
SELECT tt_test.stage_days(:'b', 100, 1, 2000, '2025-01-10', 6);
SELECT tt_test.stage_days(:'b', 200, 1, 2000, '2025-01-17', 6);
SELECT tt_test.stage_days(:'b', 300, 1, 2000, '2025-01-24', 6);
SELECT tt_test.stage_days(:'b', 400, 1, 2000, '2025-01-31', 6);
SELECT tt_test.load(:'b');

SELECT is((SELECT sum(bill_total) FROM tracktik.fact_shifts WHERE shift_id BETWEEN 100 AND 105), 48 * 40.00 + 8 * 40.00 * (2 - 1),
          'MULTIPLIER: overtime at customOvertimeMultiplier1 (1920.00 + 320.00)');
SELECT is((SELECT sum(bill_total) FROM tracktik.fact_shifts WHERE shift_id BETWEEN 200 AND 205), 48 * 40.00,
          'NO_PREMIUMS: overtime at the regular rate (1920.00)');
SELECT is((SELECT sum(bill_total) FROM tracktik.fact_shifts WHERE shift_id BETWEEN 300 AND 305), 48 * 40.00 + 8 * 40.00 * 0.5,
          'DEFAULT: the configured multiplier, not the custom one (2080.00)');
-- RATE: 48 h at 40.00 = 1920.00; the last 8 h are overtime at 61.75 instead of 40.00:
-- 8 x (61.75 - 40.00) = 174.00; total 2094.00 (the sixth shift: 320.00 + 174.00 = 494.00)
SELECT is((SELECT sum(bill_total) FROM tracktik.fact_shifts WHERE shift_id BETWEEN 400 AND 405), 2094.00,
          'RATE: overtime hours at customOvertimeRate1 (1920.00 + 8 x 21.75 = 2094.00)');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues
            WHERE batch_id = :'b' AND issue_type = 'unsupported_overtime_rate_type'), 0,
          '... and no unsupported_overtime_rate_type warning any more');

SELECT * FROM finish();
ROLLBACK;
