-- Staged TrackTik position-bill-settings are loaded (latest updatedOn wins, bad records skipped
-- and reported, unchanged rows not rewritten) and rate the shifts of their posts.
BEGIN;
SELECT plan(8);

SELECT tt_test.build_world();
DELETE FROM tracktik.bill_rate_overrides WHERE scope_id = 2000;   -- post 2000 bills by TrackTik's setting
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage(:'b', 'position-bill-settings', s)
  FROM unnest(ARRAY[
    '{"id": 1, "position": 2000, "rate": 41.00, "effectiveDate": "2024-07-01", "customOvertimeMultiplier1": 1.5, "customOvertimeMultiplier2": 2.0, "updatedOn": "2024-06-01T00:00:00Z"}',
    '{"id": 1, "position": 2000, "rate": 42.00, "effectiveDate": "2024-07-01", "customOvertimeMultiplier1": 1.5, "customOvertimeMultiplier2": 2.0, "updatedOn": "2024-06-02T00:00:00Z"}',
    '{"id": 2, "position": {"id": 2000}, "rate": "43.50", "effectiveDate": "2025-01-15"}',
    '{"id": 3, "position": 2000, "effectiveDate": "2025-01-01"}'
  ]::jsonb[]) AS s;
SELECT tt_test.stage_shift(:'b', 1, 1, 2000, '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00');
SELECT tt_test.stage_shift(:'b', 2, 2, 2000, '2025-01-16T08:00:00-07:00', '2025-01-16T16:00:00-07:00');
SELECT tt_test.load(:'b');

SELECT is((SELECT bill_rate FROM tracktik.position_bill_settings WHERE setting_id = 1), 42.00,
          'the copy with the latest updatedOn wins');
SELECT is((SELECT position_id FROM tracktik.position_bill_settings WHERE setting_id = 2), 2000::bigint,
          'a relation object and a numeric string are read');
SELECT is((SELECT count(*)::int FROM tracktik.position_bill_settings WHERE setting_id = 3), 0, 'a setting without a rate is skipped');
SELECT is((SELECT issue_type || '/' || severity FROM tracktik.data_quality_issues
            WHERE batch_id = :'b' AND table_name = 'position_bill_settings'), 'missing_required_field/error', '... and reported');
SELECT is((tt_test.fact(1)).bill_rate_regular, 42.00, 'a shift before the later setting bills at the earlier one');
SELECT is((tt_test.fact(2)).bill_rate_regular, 43.50, 'a shift on or after its effective date bills at the later one');

CREATE TEMP TABLE before ON COMMIT DROP AS SELECT ctid AS tid, setting_id FROM tracktik.position_bill_settings;
SELECT tt_test.new_batch() AS b2 \gset
INSERT INTO staging.api_records (batch_id, resource, record)
SELECT :'b2', resource, record FROM staging.api_records WHERE batch_id = :'b' AND resource = 'position-bill-settings';
SELECT tt_test.load(:'b2');
SELECT is((SELECT count(*)::int FROM tracktik.position_bill_settings AS s JOIN before AS b USING (setting_id) WHERE s.ctid = b.tid),
          2, 'the same settings again rewrite nothing');
SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts WHERE etl_batch_id = :'b2'), 0, '... and re-bill nothing');

SELECT * FROM finish();
ROLLBACK;
