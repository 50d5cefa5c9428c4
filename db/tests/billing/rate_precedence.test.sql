-- The rate in force, most specific first: local position override, TrackTik position bill
-- setting, site, region (the nearest ancestor region that has one), global. Multipliers the
-- winning rate leaves NULL come from tracktik.settings.
BEGIN;
SELECT plan(8);

SELECT tt_test.build_world();
INSERT INTO tracktik.bill_rate_overrides (scope, scope_id, bill_rate, overtime_multiplier) VALUES
    ('global', NULL, 20.00, 1.25),
    ('region', 1, 25.00, NULL),           -- Kaiser root: inherited by every market below it
    ('region', 11, 26.00, NULL),          -- Southern California
    ('client', 200, 30.00, NULL);         -- Denver Clinic
INSERT INTO tracktik.position_bill_settings (setting_id, position_id, bill_rate, effective_date, raw_data)
VALUES (1, 2001, 35.00, '2024-01-01', '{}');

SELECT is((SELECT bill_rate || ' ' || rate_source FROM tracktik.bill_rate_at(2000, 200, 20, '2025-01-13')),
          '40.00 position_override', 'a local position override comes first');
SELECT is((SELECT bill_rate || ' ' || rate_source FROM tracktik.bill_rate_at(2001, 200, 20, '2025-01-13')),
          '35.00 position_bill_setting', 'then the TrackTik bill setting of the post');
SELECT is((SELECT bill_rate || ' ' || rate_source FROM tracktik.bill_rate_at(9001, 200, 20, '2025-01-13')),
          '30.00 client_override', 'then the site');
SELECT is((SELECT bill_rate || ' ' || rate_source FROM tracktik.bill_rate_at(9002, 120, 12, '2025-01-13')),
          '26.00 region_override', 'then the nearest region up the tree (Los Angeles -> Southern California)');
SELECT is((SELECT bill_rate || ' ' || rate_source FROM tracktik.bill_rate_at(9003, 100, 10, '2025-01-13')),
          '25.00 region_override', '... (Northern California -> Kaiser Permanente)');
SELECT is((SELECT bill_rate || ' ' || rate_source FROM tracktik.bill_rate_at(9004, 999, 999, '2025-01-13')),
          '20.00 global_override', 'then the global rate');
SELECT is((SELECT overtime_multiplier || ' ' || double_time_multiplier || ' ' || holiday_multiplier
             FROM tracktik.bill_rate_at(9004, 999, 999, '2025-01-13')),
          '1.250 2.000 1.500', 'a multiplier the rate gives wins; the others are the settings defaults');
SELECT is((SELECT bill_rate FROM tracktik.bill_rate_at(2000, 200, 20, '2025-01-13')),
          (SELECT bill_rate FROM tracktik.bill_rate_overrides WHERE scope = 'position' AND scope_id = 2000),
          'the shipped position rates are unaffected');

SELECT * FROM finish();
ROLLBACK;
