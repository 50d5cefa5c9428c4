-- A TrackTik bill setting whose billingType is not HOURLY (FIXED, BILL_COST_PLUS_FLAT,
-- BILL_COST_PLUS_PERCENTAGE) is loaded, but never bills at an hourly rate: while it is in force
-- the post has no rate (no fall-through to the site's rate either), so its shifts' bill columns
-- stay NULL with missing_bill_rate, and an unsupported_billing_type warning names the setting
-- and the post. Before it, the earlier HOURLY setting bills as usual.
BEGIN;
SELECT plan(9);

SELECT tt_test.build_world();
DELETE FROM tracktik.bill_rate_overrides WHERE scope_id = 2000;   -- post 2000 bills by TrackTik's settings
INSERT INTO tracktik.bill_rate_overrides (scope, scope_id, bill_rate, effective_from)
VALUES ('client', 200, 30.00, '-infinity');                         -- the site has a rate of its own
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_post_settings(:'b', 2000, jsonb_build_array(
           tt_test.bill_setting(21, 2000, 40.00, '2024-07-01'),
           tt_test.bill_setting(22, 2000, 5000.00, '2025-01-15', '{"billingType": "FIXED"}')));
SELECT tt_test.stage_shift(:'b', 1, 1, 2000, '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00');
SELECT tt_test.stage_shift(:'b', 2, 2, 2000, '2025-01-16T08:00:00-07:00', '2025-01-16T16:00:00-07:00');
SELECT tt_test.load(:'b');

SELECT is((SELECT billing_type FROM tracktik.position_bill_settings WHERE setting_id = 22), 'FIXED',
          'the FIXED setting is loaded with its billing type');
SELECT is((tt_test.fact(1)).bill_total, 320.00, 'a shift before it bills at the earlier HOURLY rate (8 h x 40.00)');
SELECT is((tt_test.fact(2)).bill_rate_regular, NULL, 'a shift while it is in force has no bill rate');
SELECT is((tt_test.fact(2)).bill_total, NULL, '... and no bill total: never a wrong amount');
SELECT is(tt_test.issues(:'b', 'missing_bill_rate'), 1::bigint, '... it takes the missing-rate path');
SELECT is((SELECT severity || '/' || record_id FROM tracktik.data_quality_issues
            WHERE batch_id = :'b' AND issue_type = 'unsupported_billing_type'), 'warning/22',
          'an unsupported_billing_type warning is recorded for the setting');
SELECT matches((SELECT issue_description FROM tracktik.data_quality_issues
                 WHERE batch_id = :'b' AND issue_type = 'unsupported_billing_type'),
               'bill setting 22 of position 2000 has billingType FIXED', '... naming the setting, the post and the type');
SELECT is((SELECT row(bill_rate, rate_source, rate_ref)::text FROM tracktik.bill_rate_at(2000, 200, 20, '2025-01-16')),
          '(,position_bill_setting,22)', 'bill_rate_at shows no rate, and the setting that withholds it');

-- loading the same settings again records the open issue no second time
SELECT tt_test.new_batch() AS b2 \gset
INSERT INTO staging.api_records (batch_id, resource, record)
SELECT :'b2', resource, record FROM staging.api_records WHERE batch_id = :'b' AND resource = 'positions';
SELECT tt_test.load(:'b2');
SELECT is(tt_test.issues(:'b2', 'unsupported_billing_type'), 0::bigint, 'the open issue is not recorded again');

SELECT * FROM finish();
ROLLBACK;
