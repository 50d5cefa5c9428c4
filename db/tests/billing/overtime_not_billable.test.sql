-- A rule whose overtime is not billable to the client: overtime hours bill at the regular rate
-- and bill_overtime_hours is 0. A rule naming a region's id beats the pattern and default rules.
BEGIN;
SELECT plan(4);

SELECT tt_test.build_world();
INSERT INTO tracktik.overtime_rules (region_id, weekly_overtime_after, overtime_billable, description)
VALUES (20, 40, false, 'Colorado contract: overtime not billable');
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_days(:'b', 100, 1, 2000, '2025-01-17', 6);     -- 48 h
SELECT tt_test.load(:'b');

SELECT is((tt_test.fact(105)).bill_overtime_hours, 0.00, 'no overtime hours are billed');
SELECT is((tt_test.fact(105)).bill_overtime_impact, 0.00, 'no premium');
SELECT is((tt_test.fact(105)).bill_total, 320.00, 'the sixth shift bills 8 x 40.00 at the regular rate');
SELECT is((SELECT overtime_billable FROM tracktik.overtime_rule_for(20)), false, 'the region''s own rule applies');

SELECT * FROM finish();
ROLLBACK;
