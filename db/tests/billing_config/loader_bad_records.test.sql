-- The configuration loaders skip bad records with data-quality issues (the previous version
-- stays), once while open, and a good record resolves them.
BEGIN;
SELECT plan(5);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage(:'b', 'overtime-rules', '{"id": 20, "name": "bad", "periodLength": "MONTHLY", "ruleType": "BILLING", "method": "SEQUENTIAL"}');
SELECT tt_test.stage(:'b', 'overtime-rule-items', '{"id": 2001, "overtimeRule": 20, "ruleType": "DAILY", "rateType": "MULTIPLIER"}');
SELECT tt_test.stage(:'b', 'holiday-dates', '{"id": 3001, "holiday": 30, "holidayDate": "not a date"}');
SELECT tt_test.stage_post_billing(:'b', 2000, '{"discountRate": 150}');
SELECT tt_test.load(:'b');

SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE batch_id = :'b'
            AND table_name IN ('api_overtime_rules', 'api_overtime_rule_items', 'api_holiday_dates', 'api_position_billing')), 4,
          'four bad records, four issues');
SELECT is((SELECT issue_type FROM tracktik.data_quality_issues WHERE table_name = 'api_overtime_rules' AND record_id = '20'),
          'invalid_field_value', 'a periodLength outside its enumeration is invalid_field_value');
SELECT is((SELECT issue_type FROM tracktik.data_quality_issues WHERE table_name = 'api_overtime_rule_items' AND record_id = '2001'),
          'missing_required_field', 'an item without threshold or multiplier is missing_required_field');
SELECT is((SELECT count(*)::int FROM tracktik.api_position_billing), 0, 'nothing of them is loaded');

SELECT tt_test.new_batch() AS b2 \gset
SELECT tt_test.stage_post_billing(:'b2', 2000, '{"discountRate": 5}');
SELECT tt_test.load(:'b2');
SELECT isnt((SELECT resolved_at FROM tracktik.data_quality_issues WHERE table_name = 'api_position_billing' AND record_id = '2000'),
            NULL, 'the good record resolves its issue');

SELECT * FROM finish();
ROLLBACK;
