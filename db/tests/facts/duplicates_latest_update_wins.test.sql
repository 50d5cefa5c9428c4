-- The same shift twice in a batch: the copy with the latest updatedOn / modifiedOn wins and the
-- other is reported (info when identical, warning when it differs), once per shift id: the
-- issue's data counts and holds the superseded copies.
BEGIN;
SELECT plan(6);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_shift(:'b', 1, 1, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T16:00:00-08:00',
                           '{"updatedOn": "2025-01-14T10:00:00+00:00"}');
SELECT tt_test.stage_shift(:'b', 1, 1, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T18:00:00-08:00',
                           '{"updatedOn": "2025-01-14T12:00:00+00:00"}');          -- later: wins
SELECT tt_test.stage_shift(:'b', 1, 1, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T12:00:00-08:00',
                           '{"updatedOn": "2025-01-14T09:00:00+00:00", "modifiedOn": "2025-01-14T09:30:00+00:00"}');
SELECT tt_test.stage_shift(:'b', 2, 2, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T16:00:00-08:00');
SELECT tt_test.stage_shift(:'b', 2, 2, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T16:00:00-08:00');   -- identical
SELECT tt_test.load(:'b');

SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts), 2, 'one row per shift');
SELECT is((tt_test.fact(1)).scheduled_hours, 10.00, 'the copy with the latest updatedOn wins');
SELECT is(tt_test.issues(:'b', 'duplicate_in_batch'), 2::bigint, 'one issue per duplicated shift id');
SELECT is((SELECT (issue_data ->> 'copies')::int FROM tracktik.data_quality_issues
            WHERE batch_id = :'b' AND issue_type = 'duplicate_in_batch' AND record_id = '1' AND severity = 'warning'), 2,
          'differing copies are a warning that counts both superseded copies');
SELECT is((SELECT severity FROM tracktik.data_quality_issues
            WHERE batch_id = :'b' AND issue_type = 'duplicate_in_batch' AND record_id = '2'), 'info',
          'an identical copy is info');
SELECT is((SELECT records_failed FROM tracktik.etl_batches WHERE batch_id = :'b'), 0,
          'duplicates are not failures');

SELECT * FROM finish();
ROLLBACK;
