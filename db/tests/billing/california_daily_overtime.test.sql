-- Daily overtime where the region's rule enables it ("California" regions, and their
-- sub-regions by inheritance): a 13-hour shift has 8 regular, 4 overtime and 1 double-time
-- hours; the same shift in Colorado has none.
BEGIN;
SELECT plan(9);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_shift(:'b', 1, 1, 1000, '2025-01-13T06:00:00-08:00', '2025-01-13T19:00:00-08:00');  -- Northern California
SELECT tt_test.stage_shift(:'b', 2, 2, 2000, '2025-01-13T06:00:00-07:00', '2025-01-13T19:00:00-07:00');  -- Colorado
SELECT tt_test.stage_shift(:'b', 3, 3, 1200, '2025-01-13T06:00:00-08:00', '2025-01-13T19:00:00-08:00');  -- Los Angeles
SELECT tt_test.load(:'b');

SELECT is((tt_test.fact(1)).bill_overtime_hours, 5.00, 'California, 13 h: 4 overtime + 1 double-time hours');
-- 40.00 x (4 x (1.5 - 1) + 1 x (2.0 - 1)) = 40.00 x 3 = 120.00
SELECT is((tt_test.fact(1)).bill_overtime_impact, 120.00, 'premium 40.00 x (4 x 0.5 + 1 x 1.0) = 120.00');
-- 13 x 40.00 + 120.00 = 640.00
SELECT is((tt_test.fact(1)).bill_total, 640.00, 'total 13 x 40.00 + 120.00 = 640.00');
SELECT is((tt_test.fact(2)).bill_overtime_hours, 0.00, 'Colorado (no daily rule), 13 h: no overtime');
SELECT is((tt_test.fact(2)).bill_total, 520.00, 'total 13 x 40.00 = 520.00');
SELECT is((tt_test.fact(3)).bill_overtime_hours, 5.00, 'Los Angeles inherits the daily rule of Southern California');
-- 13 x 45.00 + 45.00 x 3 = 585.00 + 135.00
SELECT is((tt_test.fact(3)).bill_total, 720.00, 'total 13 x 45.00 + 45.00 x 3 = 720.00');
SELECT is((SELECT rule_id FROM tracktik.overtime_rule_for(12)),
          (SELECT rule_id FROM tracktik.overtime_rules WHERE region_name_pattern = '%california%'),
          'overtime_rule_for: a sub-region without a rule of its own uses its parent''s');
SELECT is((SELECT rule_id FROM tracktik.overtime_rule_for(20)),
          (SELECT rule_id FROM tracktik.overtime_rules WHERE region_id IS NULL AND region_name_pattern IS NULL),
          'overtime_rule_for: Colorado uses the default rule');

SELECT * FROM finish();
ROLLBACK;
