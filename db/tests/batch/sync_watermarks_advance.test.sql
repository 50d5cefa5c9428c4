-- Watermarks: per resource, the latest stamp of the incremental filter's field in the batch
-- (dimensions: updatedOn only; shifts and the embedded bill settings: what their loads know);
-- a mark never goes back; full syncs are noted, also of a resource without records.
BEGIN;
SELECT plan(9);

SELECT tt_test.new_batch() AS b1 \gset
SELECT tt_test.stage(:'b1', 'employees', '{"id": 1, "updatedOn": "2025-01-10T10:00:00+00:00"}');
SELECT tt_test.stage(:'b1', 'employees', '{"id": 2, "updatedOn": "2025-01-12T10:00:00+00:00", "modifiedOn": "2025-01-12T11:00:00+00:00"}');
SELECT tt_test.stage(:'b1', 'employees', '{"id": 3, "updatedOn": "not a date"}');
SELECT tt_test.stage(:'b1', 'regions', '{"id": 1}');
SELECT tracktik.mark_batch_staged(:'b1', ARRAY['employees', 'position-bill-settings']);
SELECT tracktik._advance_sync_watermarks(:'b1', '{"shifts": "2025-02-01T00:00:00Z"}');

SELECT is((SELECT last_sync_timestamp FROM tracktik.etl_sync_status WHERE table_name = 'employees'),
          '2025-01-12T10:00:00+00:00'::timestamptz, 'the latest updatedOn of the resource (its modifiedOn does not count)');
SELECT is((SELECT last_successful_batch_id FROM tracktik.etl_sync_status WHERE table_name = 'employees'), :'b1'::uuid,
          'the batch that set it');
SELECT ok((SELECT sync_metadata ? 'last_full_sync_at' FROM tracktik.etl_sync_status WHERE table_name = 'employees'),
          'a fully synced resource notes the full sync');
SELECT ok((SELECT sync_metadata ? 'last_full_sync_at' FROM tracktik.etl_sync_status WHERE table_name = 'position-bill-settings'),
          '... also when the batch holds none of its records (bill settings arrive embedded)');
SELECT is((SELECT last_sync_timestamp FROM tracktik.etl_sync_status WHERE table_name = 'regions'), NULL,
          'records without updatedOn set no mark');
SELECT is((SELECT count(*)::int FROM tracktik.etl_sync_status WHERE table_name = 'shifts'), 0,
          'a known resource without records in the batch gets no row');

SELECT tt_test.new_batch() AS b2 \gset
SELECT tt_test.stage(:'b2', 'employees', '{"id": 1, "updatedOn": "2025-01-11T10:00:00+00:00"}');
SELECT tracktik._advance_sync_watermarks(:'b2', '{"position-bill-settings": {"mark": "2025-01-05T00:00:00+00:00", "records": 3}}');
SELECT is((SELECT last_sync_timestamp FROM tracktik.etl_sync_status WHERE table_name = 'employees'),
          '2025-01-12T10:00:00+00:00'::timestamptz, 'an older batch never moves a mark back');
SELECT is((SELECT last_successful_batch_id FROM tracktik.etl_sync_status WHERE table_name = 'employees'), :'b1'::uuid,
          '... nor claims it');
SELECT is((SELECT jsonb_build_object('mark', last_sync_timestamp = '2025-01-05T00:00:00+00:00',
                                      'records', sync_metadata -> 'last_batch_records')
             FROM tracktik.etl_sync_status WHERE table_name = 'position-bill-settings'),
          '{"mark": true, "records": 3}'::jsonb, 'a known mark and count (embedded bill settings) are taken as given');

SELECT * FROM finish();
ROLLBACK;
