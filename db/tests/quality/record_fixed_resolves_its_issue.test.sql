-- Resolved by the run that no longer finds it: a shift record re-staged and loaded without
-- raising an issue again resolves its open issue of that kind (resolution_note naming the
-- batch); one still bad stays open, marked seen by the batch; a shift the batch did not
-- load again is left alone.
BEGIN;
SELECT plan(8);

SELECT tt_test.add_world_rates();
SELECT pg_advisory_xact_lock(hashtext('tracktik.run_kaiser_batch'));

SELECT tt_test.new_batch() AS b1 \gset
SELECT tt_test.stage_world(:'b1');
SELECT tt_test.stage_shift(:'b1', 1, 1, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T07:00:00-08:00');   -- end_before_start
SELECT tt_test.stage_shift(:'b1', 2, 2, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T16:00:00-08:00',
                           '{"approvedHours": 30}');                                                      -- implausible
SELECT tt_test.stage_shift(:'b1', 3, 3, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T07:00:00-08:00');   -- stays bad
SELECT tt_test.stage_shift(:'b1', 4, 4, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T16:00:00-08:00',
                           '{"timeZone": "UTC+5"}');                                                      -- not sent again
SELECT tracktik.mark_batch_staged(:'b1', '{}');
SELECT tracktik._process_batch(:'b1') IS NOT NULL;
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE resolved_at IS NULL), 4, 'four open issues');

SELECT tt_test.new_batch() AS b2 \gset
SELECT tt_test.stage_shift(:'b2', 1, 1, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T16:00:00-08:00',
                           '{"modifiedOn": "2025-06-02T00:00:00+00:00"}');                                -- fixed
SELECT tt_test.stage_shift(:'b2', 2, 2, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T16:00:00-08:00',
                           '{"approvedHours": 8, "modifiedOn": "2025-06-02T00:00:00+00:00"}');            -- fixed
SELECT tt_test.stage_shift(:'b2', 3, 3, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T07:00:00-08:00',
                           '{"modifiedOn": "2025-06-02T00:00:00+00:00"}');                                -- still bad
SELECT tracktik.mark_batch_staged(:'b2', '{}');
SELECT tracktik._process_batch(:'b2') IS NOT NULL;

SELECT is(ARRAY(SELECT record_id || ':' || issue_type FROM tracktik.data_quality_issues
                 WHERE resolved_at IS NOT NULL ORDER BY 1),
          ARRAY['1:end_before_start', '2:hours_exceed_scheduled'], 'the fixed records'' issues are resolved');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues
            WHERE resolved_at IS NOT NULL AND resolution_note LIKE 'resolved by batch ' || :'b2' || ':%'), 2,
          'the note names the batch');
SELECT is((SELECT (resolved_at IS NULL, last_seen_batch_id::text, batch_id::text) FROM tracktik.data_quality_issues
            WHERE record_id = '3'), (true, :'b2'::text, :'b1'::text), 'the one still bad stays open, seen by the later batch');
SELECT is((SELECT resolved_at IS NULL FROM tracktik.data_quality_issues WHERE record_id = '4'), true,
          'a shift not loaded again keeps its issue');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues), 4, 'nothing was recorded twice');
SELECT is((SELECT (metadata -> 'data_quality' ->> 'resolved')::int FROM tracktik.etl_batches WHERE batch_id = :'b2'), 2,
          'the batch counts what it resolved');

-- the record fixed comes back bad: recorded again
SELECT tt_test.new_batch() AS b3 \gset
SELECT tt_test.stage_shift(:'b3', 1, 1, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T07:00:00-08:00',
                           '{"modifiedOn": "2025-06-03T00:00:00+00:00"}');
SELECT tracktik.mark_batch_staged(:'b3', '{}');
SELECT tracktik._process_batch(:'b3') IS NOT NULL;
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE record_id = '1' AND resolved_at IS NULL), 1,
          'a problem that comes back is recorded again');

SELECT * FROM finish();
ROLLBACK;
