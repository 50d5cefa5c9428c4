-- An issue is not recorded again while the same one (table, record id, issue type) is open:
-- reprocessing a period twice leaves one open missing_bill_rate issue per shift; a later batch
-- with the same bad record adds no second error; once resolved, it is recorded again.
BEGIN;
SELECT plan(7);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_days(:'b', 100, 1, 2001, '2025-01-13', 3);   -- post 2001: no rate anywhere
SELECT tt_test.stage_shift(:'b', 200, 2, 2000, '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00',
                           '{"timeZone": "Mars/Olympus"}');
SELECT tt_test.stage_shift(:'b', 300, 3, 2000, '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00',
                           '{"status": "PENDING"}');
SELECT tt_test.load(:'b');
SELECT is(tt_test.issues(:'b', 'missing_bill_rate'), 3::bigint, 'the load records one missing_bill_rate per shift');

SET client_min_messages = warning;   -- the procedure reports what it did with a NOTICE
CALL tracktik.reprocess_billing_period('2025_02');
CALL tracktik.reprocess_billing_period('2025_02');
SELECT is(ARRAY(SELECT record_id || ':' || count(*) FROM tracktik.data_quality_issues
                 WHERE resolved_at IS NULL AND issue_type = 'missing_bill_rate' GROUP BY record_id ORDER BY 1),
          ARRAY['100:1', '101:1', '102:1'], 'two reprocesses leave one open missing_bill_rate per shift');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE issue_type = 'invalid_time_zone'), 1,
          'one invalid_time_zone');

-- the same records in a later batch
SELECT tt_test.new_batch() AS b2 \gset
INSERT INTO staging.api_records (batch_id, resource, record)
SELECT :'b2', resource, record FROM staging.api_records WHERE batch_id = :'b';
SELECT is((tt_test.load(:'b2')) ->> 'failed', '1', 'the bad record is still counted as failed');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE issue_type = 'invalid_status'), 1,
          '... but its open error is not recorded twice');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE batch_id = :'b2'), 0,
          'the later batch records nothing that is still open');

-- resolved: found again, recorded again
UPDATE tracktik.data_quality_issues SET resolved_at = now(), resolution_note = 'test'
 WHERE issue_type = 'missing_bill_rate' AND record_id = '100';
CALL tracktik.reprocess_billing_period('2025_02');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues
            WHERE issue_type = 'missing_bill_rate' AND record_id = '100' AND resolved_at IS NULL), 1,
          'a resolved issue found again is recorded again');

SELECT * FROM finish();
ROLLBACK;
