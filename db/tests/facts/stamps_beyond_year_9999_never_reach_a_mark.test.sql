-- An updatedOn / modifiedOn after year 10,000 in UTC (9999-12-31T23:59:59-15:00), or before
-- 1900, is an error date_out_of_range naming the record, for shifts, dimension records and
-- bill settings: the record is not loaded, and the stamp never reaches a watermark, a
-- valid_from or a stored stamp (every later run and `status` would fail reading it).
BEGIN;
SELECT plan(7);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_shift(:'b', 1, 1, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T16:00:00-08:00',
                           '{"modifiedOn": "9999-12-31T23:59:59-15:00"}');
SELECT tt_test.stage_shift(:'b', 2, 2, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T16:00:00-08:00',
                           '{"updatedOn": "1850-01-01T00:00:00+00:00", "modifiedOn": "1850-01-01T00:00:00+00:00"}');
SELECT tt_test.stage_shift(:'b', 3, 3, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T16:00:00-08:00');   -- good
SELECT tt_test.stage(:'b', 'regions', tt_test.api_region(77, '9999-12-31T23:59:59-15:00'));
SELECT tt_test.stage(:'b', 'regions', tt_test.api_region(78));
SELECT tt_test.stage_post_settings(:'b', 1000, jsonb_build_array(
           tt_test.bill_setting(501, 1000, 41, '2024-01-01', '{"updatedOn": "9999-12-31T23:59:59-15:00"}'),
           tt_test.bill_setting(502, 1000, 42, '9999-12-31')));
SELECT tracktik.mark_batch_staged(:'b', '{}');
SELECT pg_advisory_xact_lock(hashtext('tracktik.run_kaiser_batch'));
SELECT lives_ok(format('SELECT tracktik._process_batch(%L)', :'b'), 'the batch completes');

SELECT is(ARRAY(SELECT table_name || ':' || record_id FROM tracktik.data_quality_issues
                 WHERE batch_id = :'b' AND issue_type = 'date_out_of_range' AND severity = 'error' ORDER BY 1),
          ARRAY['dim_regions:77', 'fact_shifts:1', 'fact_shifts:2', 'position_bill_settings:501', 'position_bill_settings:502'],
          'each is a date_out_of_range error naming the record');
SELECT is(ARRAY(SELECT shift_id FROM tracktik.fact_shifts ORDER BY 1), ARRAY[3]::bigint[], 'the good shift is loaded');
SELECT is((SELECT count(*)::int FROM tracktik.dim_regions WHERE region_id = 77), 0, 'the region is not loaded');
SELECT is((SELECT count(*)::int FROM tracktik.etl_sync_status WHERE last_sync_timestamp >= '3000-01-01'), 0,
          'no watermark beyond year 2999');
SELECT is((SELECT count(*)::int FROM tracktik.dim_regions WHERE valid_from >= '3000-01-01' OR source_updated_on >= '3000-01-01')
          + (SELECT count(*)::int FROM tracktik.position_bill_settings WHERE source_updated_on >= '3000-01-01' OR effective_date >= '3000-01-01'),
          0, 'no valid_from, stored stamp or effective date beyond year 2999');
SELECT is((SELECT records_failed FROM tracktik.etl_batches WHERE batch_id = :'b'), 5, 'the five are counted as failed');

SELECT * FROM finish();
ROLLBACK;
