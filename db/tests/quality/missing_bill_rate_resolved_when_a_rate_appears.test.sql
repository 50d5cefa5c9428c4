-- A shift re-billed with a rate resolves its missing_bill_rate: by a batch that brings the
-- post's TrackTik bill setting, or by calculate_billing after a DBA adds a local rate.
BEGIN;
SELECT plan(5);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_days(:'b', 100, 1, 2001, '2025-01-13', 2);   -- post 2001: no rate anywhere
SELECT tt_test.stage_days(:'b', 200, 2, 1003, '2025-01-13', 1);   -- non-billable post: no issue at all
SELECT tt_test.load(:'b');
SELECT is(ARRAY(SELECT record_id FROM tracktik.data_quality_issues
                 WHERE issue_type = 'missing_bill_rate' AND resolved_at IS NULL ORDER BY 1),
          ARRAY['100', '101'], 'two open missing_bill_rate');

-- the post's bill setting arrives with a batch (embedded in its positions record): re-billed
SELECT tt_test.new_batch() AS b2 \gset
SELECT tt_test.stage_post_settings(:'b2', 2001, jsonb_build_array(tt_test.bill_setting(700, 2001, 50, '2025-01-14')));
SELECT tt_test.load(:'b2');
SELECT is(ARRAY(SELECT record_id || ':' || (resolved_at IS NOT NULL) FROM tracktik.data_quality_issues
                 WHERE issue_type = 'missing_bill_rate' ORDER BY 1),
          ARRAY['100:false', '101:true'], 'the shift the new rate applies to is resolved');
SELECT matches((SELECT resolution_note FROM tracktik.data_quality_issues WHERE record_id = '101'),
               '^resolved by batch ' || :'b2' || ': the shift was billed again at a rate of 50', 'naming the batch and the rate');

-- a DBA adds a local rate from the 13th and re-bills the period
SELECT tt_test.add_position_rate(2001, 45, '2025-01-01', '2025-01-14');
SELECT tracktik.calculate_billing(NULL, '2025_02');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE issue_type = 'missing_bill_rate' AND resolved_at IS NULL), 0,
          'calculate_billing resolves the other');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE issue_type = 'missing_bill_rate'), 2,
          'nothing recorded twice');

SELECT * FROM finish();
ROLLBACK;
