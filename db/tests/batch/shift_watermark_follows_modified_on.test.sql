-- The shifts watermark is on modifiedOn, the field of the incremental filter (modifiedOn:after):
-- a later updatedOn does not move it, a record skipped as bad does not count, and a record
-- stamped after the batch started is loaded and reported (future_timestamp warning) but does
-- not move the mark: the next incremental run must not skip changes made in between.
-- Through tracktik._process_batch (the run lock is taken for the transaction).
BEGIN;
SELECT plan(7);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
UPDATE tracktik.etl_batches SET started_at = '2025-02-01T00:00:00+00:00' WHERE batch_id = :'b';
SELECT tt_test.stage_shift(:'b', 1, 1, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T16:00:00-08:00',
                           '{"modifiedOn": "2025-01-20T10:00:00+00:00", "updatedOn": "2025-01-25T10:00:00+00:00"}');
SELECT tt_test.stage_shift(:'b', 2, 2, 1000, '2025-01-14T08:00:00-08:00', '2025-01-14T16:00:00-08:00',
                           '{"modifiedOn": "2025-01-18T10:00:00+00:00"}');
-- bad (ends before it starts): skipped, its modifiedOn does not count
SELECT tt_test.stage_shift(:'b', 3, 3, 1000, '2025-01-15T16:00:00-08:00', '2025-01-15T08:00:00-08:00',
                           '{"modifiedOn": "2025-01-28T10:00:00+00:00"}');
-- stamped after the batch started
SELECT tt_test.stage_shift(:'b', 4, 4, 1000, '2025-01-16T08:00:00-08:00', '2025-01-16T16:00:00-08:00',
                           '{"modifiedOn": "2025-03-01T10:00:00+00:00"}');
SELECT tracktik.mark_batch_staged(:'b', ARRAY[]::text[]);
SELECT pg_advisory_xact_lock(hashtext('tracktik.run_kaiser_batch'));
SELECT tracktik._process_batch(:'b') IS NOT NULL AS processed;

SELECT is((SELECT last_sync_timestamp FROM tracktik.etl_sync_status WHERE table_name = 'shifts'),
          '2025-01-20T10:00:00+00:00'::timestamptz,
          'the mark is the latest modifiedOn of the accepted shifts, not a later updatedOn');
SELECT ok((SELECT last_sync_timestamp FROM tracktik.etl_sync_status WHERE table_name = 'shifts')
              <= (SELECT started_at FROM tracktik.etl_batches WHERE batch_id = :'b'),
          'never later than the batch start');
SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts WHERE shift_id = 3), 0, 'the bad shift was skipped');
SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts WHERE shift_id = 4), 1, 'the future-stamped shift is loaded');
SELECT is((SELECT severity FROM tracktik.data_quality_issues
            WHERE batch_id = :'b' AND issue_type = 'future_timestamp' AND record_id = '4'), 'warning',
          '... and reported as a future_timestamp warning');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE batch_id = :'b' AND issue_type = 'future_timestamp'), 1,
          '... the only one');

-- the same future record again: the open issue is not recorded twice
SELECT tt_test.new_batch() AS b2 \gset
UPDATE tracktik.etl_batches SET started_at = '2025-02-02T00:00:00+00:00' WHERE batch_id = :'b2';
SELECT tt_test.stage(:'b2', 'shifts', raw_data || '{"billable": false}') FROM tracktik.fact_shifts WHERE shift_id = 4;
SELECT tracktik.mark_batch_staged(:'b2', ARRAY[]::text[]);
SELECT tracktik._process_batch(:'b2') IS NOT NULL AS processed;
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE issue_type = 'future_timestamp'), 1,
          'an open future_timestamp issue is not recorded again');

SELECT * FROM finish();
ROLLBACK;
