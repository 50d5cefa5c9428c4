-- A dimension's watermark is on updatedOn, the field of its incremental filter
-- (updatedOn:after): a later modifiedOn does not move it, a record the merge skipped as bad does
-- not count, and a record stamped after the batch started is merged and reported
-- (future_timestamp warning) but does not move the mark.
-- Through tracktik._process_batch (the run lock is taken for the transaction).
BEGIN;
SELECT plan(6);

SELECT tt_test.new_batch() AS b \gset
UPDATE tracktik.etl_batches SET started_at = '2025-02-01T00:00:00+00:00' WHERE batch_id = :'b';
SELECT tt_test.stage(:'b', 'employees', tt_test.api_employee(1, '2025-01-10T10:00:00+00:00',
                                                             '{"modifiedOn": "2025-01-30T00:00:00+00:00"}'));
SELECT tt_test.stage(:'b', 'employees', tt_test.api_employee(2, '2025-01-12T10:00:00+00:00'));
-- bad (a region that is not an id): skipped, its updatedOn does not count
SELECT tt_test.stage(:'b', 'employees', tt_test.api_employee(3, '2025-01-20T10:00:00+00:00', '{"region": "north"}'));
-- stamped after the batch started
SELECT tt_test.stage(:'b', 'employees', tt_test.api_employee(4, '2025-03-01T10:00:00+00:00'));
SELECT tracktik.mark_batch_staged(:'b', ARRAY[]::text[]);
SELECT pg_advisory_xact_lock(hashtext('tracktik.run_kaiser_batch'));
SELECT tracktik._process_batch(:'b') IS NOT NULL AS processed;

SELECT is((SELECT last_sync_timestamp FROM tracktik.etl_sync_status WHERE table_name = 'employees'),
          '2025-01-12T10:00:00+00:00'::timestamptz,
          'the mark is the latest updatedOn of the accepted records, not a later modifiedOn nor a skipped record''s');
SELECT is((SELECT count(*)::int FROM tracktik.dim_employees WHERE employee_id = 3), 0, 'the bad record was skipped');
SELECT is((SELECT count(*)::int FROM tracktik.dim_employees WHERE employee_id = 4 AND is_current), 1,
          'the future-stamped record is merged');
SELECT is((SELECT severity || '/' || table_name FROM tracktik.data_quality_issues
            WHERE batch_id = :'b' AND issue_type = 'future_timestamp' AND record_id = '4'), 'warning/dim_employees',
          '... and reported as a future_timestamp warning');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE batch_id = :'b' AND issue_type = 'future_timestamp'), 1,
          '... the only one');

-- a batch with only the future record: the mark stays where it was
SELECT tt_test.new_batch() AS b2 \gset
UPDATE tracktik.etl_batches SET started_at = '2025-02-02T00:00:00+00:00' WHERE batch_id = :'b2';
SELECT tt_test.stage(:'b2', 'employees', tt_test.api_employee(4, '2025-03-01T10:00:00+00:00'));
SELECT tracktik.mark_batch_staged(:'b2', ARRAY[]::text[]);
SELECT tracktik._process_batch(:'b2') IS NOT NULL AS processed;
SELECT is((SELECT last_sync_timestamp FROM tracktik.etl_sync_status WHERE table_name = 'employees'),
          '2025-01-12T10:00:00+00:00'::timestamptz, 'a future stamp alone moves nothing');

SELECT * FROM finish();
ROLLBACK;
