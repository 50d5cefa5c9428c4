-- TrackTik bill settings arrive embedded in the staged positions records
-- (billingSetting.billSettings, each item without a position field: its post is the position
-- record): they are loaded (latest updatedOn wins, bad items skipped and reported, unchanged rows
-- not rewritten, both Date forms of effectiveDate read) and rate the shifts of their posts.
BEGIN;
SELECT plan(11);

SELECT tt_test.build_world();
DELETE FROM tracktik.bill_rate_overrides WHERE scope_id = 2000;   -- post 2000 bills by TrackTik's settings
SELECT tt_test.new_batch() AS b \gset
-- the post twice in the batch (an overlapping page): setting 1 as it was, then as it is now
SELECT tt_test.stage_post_settings(:'b', 2000, jsonb_build_array(
           tt_test.bill_setting(1, 2000, 41.00, '2024-07-01', '{"updatedOn": "2024-06-01T00:00:00+00:00"}')));
SELECT tt_test.stage_post_settings(:'b', 2000, jsonb_build_array(
           tt_test.bill_setting(1, 2000, 42.00, '2024-07-01', '{"updatedOn": "2024-06-02T00:00:00+00:00"}'),
           tt_test.bill_setting(2, 2000, NULL, '2025-01-15T00:00:00+00:00', '{"rate": "43.50"}'),
           tt_test.bill_setting(3, 2000, NULL, '2025-01-01')));                 -- no rate: skipped
SELECT tt_test.stage_shift(:'b', 1, 1, 2000, '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00');
SELECT tt_test.stage_shift(:'b', 2, 2, 2000, '2025-01-16T08:00:00-07:00', '2025-01-16T16:00:00-07:00');
SELECT tt_test.load(:'b');

SELECT is((SELECT bill_rate FROM tracktik.position_bill_settings WHERE setting_id = 1), 42.00,
          'the copy with the latest updatedOn wins');
SELECT is((SELECT position_id FROM tracktik.position_bill_settings WHERE setting_id = 1), 2000::bigint,
          'the post of an embedded setting is the position record it is embedded in');
SELECT is((SELECT bill_rate FROM tracktik.position_bill_settings WHERE setting_id = 2), 43.50,
          'a rate given as a numeric string is read');
SELECT is((SELECT effective_date FROM tracktik.position_bill_settings WHERE setting_id = 2), DATE '2025-01-15',
          'an effectiveDate given as YYYY-MM-DDT00:00:00+00:00 is its date');
SELECT is((SELECT raw_data FROM tracktik.position_bill_settings WHERE setting_id = 1),
          tt_test.bill_setting(1, 2000, 42.00, '2024-07-01', '{"updatedOn": "2024-06-02T00:00:00+00:00"}'),
          'raw_data is the bill-setting item as the API returned it');
SELECT is((SELECT count(*)::int FROM tracktik.position_bill_settings WHERE setting_id = 3), 0, 'a setting without a rate is skipped');
SELECT is((SELECT issue_type || '/' || severity || '/' || record_id FROM tracktik.data_quality_issues
            WHERE batch_id = :'b' AND table_name = 'position_bill_settings'), 'missing_required_field/error/3', '... and reported');
SELECT is((tt_test.fact(1)).bill_total, 42.00 * 8, 'a shift before the later setting bills at the earlier one');
SELECT is((tt_test.fact(2)).bill_total, 43.50 * 8, 'a shift on or after its effective date bills at the later one');

CREATE TEMP TABLE before ON COMMIT DROP AS SELECT ctid AS tid, setting_id FROM tracktik.position_bill_settings;
SELECT tt_test.new_batch() AS b2 \gset
INSERT INTO staging.api_records (batch_id, resource, record)
SELECT :'b2', resource, record FROM staging.api_records WHERE batch_id = :'b' AND resource = 'positions';
SELECT tt_test.load(:'b2');
SELECT is((SELECT count(*)::int FROM tracktik.position_bill_settings AS s JOIN before AS b USING (setting_id) WHERE s.ctid = b.tid),
          2, 'the same settings again rewrite nothing');
SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts WHERE etl_batch_id = :'b2'), 0, '... and re-bill nothing');

SELECT * FROM finish();
ROLLBACK;
