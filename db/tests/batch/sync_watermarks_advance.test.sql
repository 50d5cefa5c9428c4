-- Watermarks: per resource, the latest updatedOn / modifiedOn seen in the batch; a mark never
-- goes back; full syncs are noted.
BEGIN;
SELECT plan(6);

SELECT tt_test.new_batch() AS b1 \gset
SELECT tt_test.stage(:'b1', 'employees', '{"id": 1, "updatedOn": "2025-01-10T10:00:00+00:00"}');
SELECT tt_test.stage(:'b1', 'employees', '{"id": 2, "updatedOn": "2025-01-12T10:00:00+00:00", "modifiedOn": "2025-01-12T11:00:00+00:00"}');
SELECT tt_test.stage(:'b1', 'employees', '{"id": 3, "updatedOn": "not a date"}');
SELECT tt_test.stage(:'b1', 'regions', '{"id": 1}');
SELECT tracktik.mark_batch_staged(:'b1', ARRAY['employees']);
SELECT tracktik._advance_sync_watermarks(:'b1', '{"shifts": "2025-02-01T00:00:00Z"}');

SELECT is((SELECT last_sync_timestamp FROM tracktik.etl_sync_status WHERE table_name = 'employees'),
          '2025-01-12T11:00:00+00:00'::timestamptz, 'the latest updatedOn / modifiedOn of the resource');
SELECT is((SELECT last_successful_batch_id FROM tracktik.etl_sync_status WHERE table_name = 'employees'), :'b1'::uuid,
          'the batch that set it');
SELECT ok((SELECT sync_metadata ? 'last_full_sync_at' FROM tracktik.etl_sync_status WHERE table_name = 'employees'),
          'a fully synced resource notes the full sync');
SELECT is((SELECT last_sync_timestamp FROM tracktik.etl_sync_status WHERE table_name = 'regions'), NULL,
          'records without updatedOn set no mark');

SELECT tt_test.new_batch() AS b2 \gset
SELECT tt_test.stage(:'b2', 'employees', '{"id": 1, "updatedOn": "2025-01-11T10:00:00+00:00"}');
SELECT tracktik._advance_sync_watermarks(:'b2');
SELECT is((SELECT last_sync_timestamp FROM tracktik.etl_sync_status WHERE table_name = 'employees'),
          '2025-01-12T11:00:00+00:00'::timestamptz, 'an older batch never moves a mark back');
SELECT is((SELECT last_successful_batch_id FROM tracktik.etl_sync_status WHERE table_name = 'employees'), :'b1'::uuid,
          '... nor claims it');

SELECT * FROM finish();
ROLLBACK;
