-- A shift status other than ACTIVE or CANCELLED (case-insensitively) is not billed as active:
-- the record is skipped with an invalid_status error issue (a huge status too, without being
-- repeated whole in the description) and counted as failed.
BEGIN;
SELECT plan(8);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_shift(:'b', 1, 1, 2000, '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00',
                           '{"status": "PENDING"}');
SELECT tt_test.stage_shift(:'b', 2, 2, 2000, '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00',
                           jsonb_build_object('status', repeat('ACTIVE', 200000)));
SELECT tt_test.stage_shift(:'b', 3, 3, 2000, '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00',
                           '{"status": 1}');
SELECT tt_test.stage_shift(:'b', 4, 4, 2000, '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00',
                           '{"status": "active"}');                                  -- fine
SELECT tt_test.stage_shift(:'b', 5, 5, 2000, '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00',
                           '{"status": "Cancelled"}');                               -- fine

SELECT is((tt_test.load(:'b')) ->> 'failed', '3', 'the three records are counted as failed');
SELECT is(ARRAY(SELECT shift_id FROM tracktik.fact_shifts ORDER BY 1), ARRAY[4, 5]::bigint[],
          'ACTIVE and CANCELLED in any case are loaded');
SELECT is((tt_test.fact(5)).billable_hours, 0.00, '... a cancelled one with zero hours');
SELECT is(ARRAY(SELECT record_id FROM tracktik.data_quality_issues
                 WHERE batch_id = :'b' AND issue_type = 'invalid_status' AND severity = 'error' ORDER BY 1),
          ARRAY['1', '2', '3'], 'each unknown status is an invalid_status error');
SELECT is((SELECT issue_data ->> 'status' FROM tracktik.data_quality_issues WHERE batch_id = :'b' AND record_id = '1'),
          'PENDING', 'the issue carries the record');
SELECT matches((SELECT issue_description FROM tracktik.data_quality_issues WHERE batch_id = :'b' AND record_id = '1'),
               'PENDING', 'the description names the status');
SELECT ok((SELECT length(issue_description) < 200 FROM tracktik.data_quality_issues WHERE batch_id = :'b' AND record_id = '2'),
          '... but not a huge one');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE batch_id = :'b'), 3, 'nothing else is reported');

SELECT * FROM finish();
ROLLBACK;
