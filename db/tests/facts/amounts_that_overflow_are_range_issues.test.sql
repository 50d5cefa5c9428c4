-- Every numeric the warehouse stores is range-checked before arithmetic that could overflow it:
-- a bill setting whose rate rounds to 100,000,000.00, or whose multiplier rounds to 1,000, is
-- an invalid_rate error (not 22003); a rate x hours (or an overtime premium) beyond
-- NUMERIC(10,2) leaves that shift's billing empty with a billing_out_of_range error naming it;
-- the rest of the batch bills.
BEGIN;
SELECT plan(8);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_post_settings(:'b', 2001, jsonb_build_array(
           tt_test.bill_setting(601, 2001, 99999999.995, '2024-01-01'),
           tt_test.bill_setting(602, 2001, 40, '2024-01-01', '{"overtimeRateType": "MULTIPLIER", "customOvertimeMultiplier1": 999.9995}'),
           tt_test.bill_setting(603, 2001, 40, '2024-01-01', '{"overtimeRateType": "MULTIPLIER", "customOvertimeMultiplier1": 1000}')));
SELECT tt_test.stage_shift(:'b', 1, 1, 2001, '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00');
SELECT lives_ok(format('SELECT tt_test.load(%L)', :'b'), 'the batch loads');
SELECT is(ARRAY(SELECT record_id FROM tracktik.data_quality_issues
                 WHERE batch_id = :'b' AND issue_type = 'invalid_rate' ORDER BY 1),
          ARRAY['601', '602', '603'], 'rates and multipliers that do not fit their columns are invalid_rate');

-- a rate that fits, times hours that do not
UPDATE tracktik.bill_rate_overrides SET bill_rate = 99999999.00 WHERE scope = 'position' AND scope_id = 2000;
UPDATE tracktik.bill_rate_overrides SET bill_rate = 1000000, overtime_multiplier = 999 WHERE scope = 'position' AND scope_id = 1200;
SELECT tt_test.new_batch() AS b2 \gset
SELECT tt_test.stage_shift(:'b2', 10, 1, 2000, '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00');
SELECT tt_test.stage_shift(:'b2', 11, 2, 1200, '2025-01-13T08:00:00-08:00', '2025-01-13T19:00:00-08:00');   -- 3 h daily overtime
SELECT tt_test.stage_shift(:'b2', 12, 3, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T16:00:00-08:00');   -- good
SELECT lives_ok(format('SELECT tt_test.load(%L)', :'b2'), 'the batch loads');
SELECT is(ARRAY(SELECT record_id FROM tracktik.data_quality_issues
                 WHERE batch_id = :'b2' AND issue_type = 'billing_out_of_range' AND severity = 'error' ORDER BY 1),
          ARRAY['10', '11'], 'each shift whose money would not fit is a billing_out_of_range error');
SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts WHERE shift_id IN (10, 11) AND bill_total IS NULL AND bill_rate_regular IS NULL), 2,
          'their billing is left empty');
SELECT is((tt_test.fact(12)).bill_total, 320.00, 'the good shift is billed');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE batch_id = :'b2' AND issue_type = 'missing_bill_rate'), 0,
          'and they are not reported as missing a rate');

-- the rate corrected: re-billing resolves the issue
UPDATE tracktik.bill_rate_overrides SET bill_rate = 40 WHERE scope_id = 2000;
SELECT tracktik.calculate_billing(NULL, '2025_02');
SELECT is(ARRAY(SELECT record_id || ':' || (resolved_at IS NOT NULL) FROM tracktik.data_quality_issues
                 WHERE issue_type = 'billing_out_of_range' ORDER BY 1),
          ARRAY['10:true', '11:false'], 'a shift billed again in range resolves its billing_out_of_range');

SELECT * FROM finish();
ROLLBACK;
