-- A post whose TrackTik billing setting is not HOURLY (FIXED) is never billed per shift: bill
-- columns NULL and an unsupported_billing_type issue, never a wrong amount -- unless a DBA's
-- position override gives it an hourly rate (precedence). Colorado post 2000.
BEGIN;
SELECT plan(4);

SELECT tt_test.build_world();
DELETE FROM tracktik.bill_rate_overrides WHERE scope_id = 2000;
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_post_billing(:'b', 2000, '{"type": "FIXED", "rate": 500}');
SELECT tt_test.stage_days(:'b', 100, 1, 2000, '2025-01-10', 1);
SELECT tt_test.load(:'b');

SELECT is((tt_test.fact(100)).bill_total, NULL, 'FIXED: not billed (not 8 x 500.00)');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues
            WHERE issue_type = 'unsupported_billing_type' AND table_name = 'fact_shifts' AND record_id = '100'), 1,
          '... an unsupported_billing_type issue names the shift');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues
            WHERE issue_type = 'missing_bill_rate' AND record_id = '100'), 0, '... and no missing_bill_rate');

-- a DBA's position override: billed at its rate, the issue resolved
SELECT tt_test.add_position_rate(2000, 42.00);
SELECT tracktik.calculate_billing(NULL, '2025_02');
SELECT is(tt_test.billed(100), 336.00, 'with a DBA position override: 8 x 42.00 = 336.00');

SELECT * FROM finish();
ROLLBACK;
