-- Dimension records: an id staged again that now merges cleanly resolves its open error; an
-- inferred member is resolved once its real record arrives; a region's or site's time zone
-- that is not in pg_timezone_names is an invalid_time_zone warning (once, found again by each
-- batch) until it is fixed.
BEGIN;
SELECT plan(7);

SELECT pg_advisory_xact_lock(hashtext('tracktik.run_kaiser_batch'));
SELECT tt_test.scd2_batch('2025-03-01 00:00:00+00') AS b1 \gset
SELECT tt_test.scd2_stage(:'b1', 'regions', jsonb_build_array(
           tt_test.api_region(1, '2025-01-01T00:00:00Z', '{"parentRegion": [[1]]}'),      -- invalid_field_value
           tt_test.api_region(2, '2025-01-01T00:00:00Z', '{"timeZone": "UTC+5"}'),        -- a POSIX zone
           tt_test.api_region(3, '2025-01-01T00:00:00Z', '{"parentRegion": 4}')));        -- 4: inferred
SELECT tracktik._process_batch(:'b1') IS NOT NULL;
SELECT is(ARRAY(SELECT record_id || ':' || issue_type FROM tracktik.data_quality_issues WHERE resolved_at IS NULL ORDER BY 1),
          ARRAY['1:invalid_field_value', '2:invalid_time_zone', '4:inferred_member'], 'three open issues');

SELECT tt_test.scd2_batch('2025-03-02 00:00:00+00') AS b2 \gset
SELECT tt_test.scd2_stage(:'b2', 'regions', jsonb_build_array(tt_test.api_region(1, '2025-01-01T00:00:00Z', '{"parentRegion": [[1]]}')));
SELECT tracktik._process_batch(:'b2') IS NOT NULL;
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE resolved_at IS NULL), 3,
          'found again, nothing is resolved or recorded twice');
SELECT is((SELECT last_seen_batch_id::text FROM tracktik.data_quality_issues WHERE issue_type = 'invalid_time_zone'), :'b2'::text,
          'the zone still unknown is seen by every batch');

SELECT tt_test.scd2_batch('2025-03-03 00:00:00+00') AS b3 \gset
SELECT tt_test.scd2_stage(:'b3', 'regions', jsonb_build_array(
           tt_test.api_region(1, '2025-02-01T00:00:00Z'),
           tt_test.api_region(2, '2025-02-01T00:00:00Z', '{"timeZone": "Asia/Karachi"}'),
           tt_test.api_region(4, '2025-02-01T00:00:00Z')));
SELECT tracktik._process_batch(:'b3') IS NOT NULL;
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE resolved_at IS NULL), 0, 'all three are resolved');
SELECT is(ARRAY(SELECT issue_type || ': ' || substr(resolution_note, 57) FROM tracktik.data_quality_issues ORDER BY 1),
          ARRAY['inferred_member: the member is no longer inferred (its record arrived)',
                'invalid_field_value: the record was staged again and merged without this problem',
                'invalid_time_zone: the current version has a known time zone, or none'],
          'each for its reason');
SELECT ok((SELECT bool_and(resolution_note LIKE 'resolved by batch ' || :'b3' || ': %') FROM tracktik.data_quality_issues),
          'naming the batch');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues), 3, 'nothing was recorded twice');

SELECT * FROM finish();
ROLLBACK;
