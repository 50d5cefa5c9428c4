-- What a batch deleted, restored and re-keyed is counted in etl_batches.metadata->'facts'
-- (deleted, deleted_full_sync, deleted_shift_log, restored, rekeyed) and the bill settings it
-- deleted in metadata->'facts'->'bill_settings'->'deleted', as run_kaiser_batch records them.
BEGIN;
SELECT plan(7);

SELECT tt_test.add_world_rates();
SELECT pg_advisory_xact_lock(hashtext('tracktik.run_kaiser_batch'));
SELECT tt_test.new_batch() AS b1 \gset
SELECT tt_test.stage_world(:'b1');
DELETE FROM staging.api_records WHERE batch_id = :'b1' AND resource = 'positions' AND record ->> 'id' = '1200';
SELECT tt_test.stage(:'b1', 'positions', tt_test.api_post_with_settings(1200, 120, jsonb_build_array(
           tt_test.bill_setting(7, 1200, 45.00, '2024-07-01'), tt_test.bill_setting(8, 1200, 47.00, '2025-01-01'))));
SELECT tt_test.stage_days(:'b1', 101, 1, 2000, '2025-01-17', 3);
SELECT tt_test.stage_days(:'b1', 201, 2, 1000, '2025-01-17', 2);
SELECT tracktik.mark_batch_staged(:'b1', '{}');
SELECT tracktik._process_batch(:'b1') IS NOT NULL AS processed;

-- full sync of the window: 101 gone; a REMOVED log for 201; post 1000 moved to site 120 on 2025-01-01;
-- post 1200 lists only setting 7
SELECT tt_test.new_batch('full') AS b2 \gset
SELECT tt_test.stage(:'b2', 'positions', jsonb_build_object(
           'id', 2000, 'customId', 'P2000', 'name', 'Lobby Officer', 'status', 'ACTIVE', 'account', 200,
           'nonBillable', false, 'updatedOn', '2024-06-01T00:00:00+00:00'));
SELECT tt_test.stage(:'b2', 'positions', jsonb_build_object(
           'id', 1000, 'customId', 'P1000', 'name', 'Main Entrance Officer', 'status', 'ACTIVE', 'account', 120,
           'nonBillable', false, 'updatedOn', '2025-01-01T00:00:00+00:00'));
SELECT tt_test.stage(:'b2', 'positions', tt_test.api_post_with_settings(1200, 120, jsonb_build_array(
           tt_test.bill_setting(7, 1200, 45.00, '2024-07-01'))));
SELECT tt_test.restage_shifts(:'b2', ARRAY[102, 103, 201, 202]::bigint[]);
SELECT tt_test.stage(:'b2', 'shift-logs', tt_test.shift_log(1, 'REMOVED', 201, '2025-06-02T00:00:00+00:00'));
SELECT tracktik.mark_batch_staged(:'b2', '{shifts,position-bill-settings}',
                                  '{"shift_window": {"from": "2025-01-17", "to": "2025-01-23"}}');
SELECT tracktik._process_batch(:'b2') IS NOT NULL AS processed;
SELECT metadata -> 'facts' AS facts FROM tracktik.etl_batches WHERE batch_id = :'b2' \gset

SELECT is((:'facts'::jsonb ->> 'deleted')::int, 2, 'deleted: 2');
SELECT is(((:'facts'::jsonb ->> 'deleted_full_sync')::int, (:'facts'::jsonb ->> 'deleted_shift_log')::int)::text,
          (1, 1)::text, '... one by the full sync, one by the shift log');
SELECT is((:'facts'::jsonb ->> 'rekeyed')::int, 2, 'rekeyed: both shifts of the moved post (the merge runs before the deletes)');
SELECT is((:'facts'::jsonb -> 'bill_settings' ->> 'deleted')::int, 1, 'bill settings deleted: 1');
SELECT is((SELECT status FROM tracktik.etl_batches WHERE batch_id = :'b2'), 'completed', 'the batch completed');

-- the next batch gets 101 back
SELECT tt_test.new_batch() AS b3 \gset
SELECT tt_test.stage(:'b3', 'shifts', raw_data) FROM tracktik.deleted_shifts WHERE shift_id = 101;
SELECT tracktik.mark_batch_staged(:'b3', '{}');
SELECT tracktik._process_batch(:'b3') IS NOT NULL AS processed;
SELECT is((SELECT (metadata -> 'facts' ->> 'restored')::int FROM tracktik.etl_batches WHERE batch_id = :'b3'), 1,
          'restored: 1');
SELECT is((SELECT (metadata -> 'facts' ->> 'rekeyed')::int FROM tracktik.etl_batches WHERE batch_id = :'b3'), 0,
          'rekeyed: 0 when no version changed');

SELECT * FROM finish();
ROLLBACK;
