-- Bad shift records are skipped with an error-severity issue each; the rest of the batch loads;
-- approved > clocked is only a warning.
BEGIN;
SELECT plan(15);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_shift(:'b', 1, 1, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T16:00:00-08:00');      -- good
SELECT tt_test.stage(:'b', 'shifts', tt_test.shift(2, 1, 1000, '2025-01-14T08:00:00-08:00', '2025-01-14T16:00:00-08:00') - 'id');
SELECT tt_test.stage_shift(:'b', 3, 1, 1000, '2025-01-15T08:00:00', '2025-01-15T16:00:00-08:00');            -- no offset
SELECT tt_test.stage_shift(:'b', 4, 1, 1000, '2025-02-30T08:00:00-08:00', '2025-02-30T16:00:00-08:00');      -- no such day
SELECT tt_test.stage_shift(:'b', 5, 1, 1000, 'yesterday', '2025-01-15T16:00:00-08:00');                     -- not a date
SELECT tt_test.stage_shift(:'b', 6, 1, 1000, '2025-01-16T16:00:00-08:00', '2025-01-16T08:00:00-08:00');      -- ends first
SELECT tt_test.stage_shift(:'b', 7, 1, 1000, '2025-01-17T08:00:00-08:00', '2025-01-18T09:00:00-08:00');      -- 25 hours
SELECT tt_test.stage(:'b', 'shifts', tt_test.shift(8, 1, 1000, '2025-01-19T08:00:00-08:00', '2025-01-19T16:00:00-08:00') - 'position');
SELECT tt_test.stage_shift(:'b', 9, 1, 1000, '2025-01-20T08:00:00-08:00', '2025-01-20T16:00:00-08:00',
                           '{"clockedHours": 7.5, "approvedHours": 8}');                                    -- warning only
SELECT tt_test.stage_shift(:'b', 10, 1, 1000, '2025-01-21T08:00:00-08:00', '2025-01-21T16:00:00-08:00',
                           '{"employee": "seven"}');                                                         -- bad relation

SELECT lives_ok(format('SELECT tracktik.load_fact_shifts(%L)', :'b'), 'a batch with bad records still loads');
SELECT is(ARRAY(SELECT shift_id FROM tracktik.fact_shifts ORDER BY 1), ARRAY[1, 9]::bigint[],
          'only the good records (and the one with a warning) are loaded');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE batch_id = :'b' AND severity = 'error'), 8,
          'each skipped record has an error-severity issue');
SELECT is(tt_test.issues(:'b', 'missing_required_field'), 3::bigint, 'missing id, missing position, malformed employee');
SELECT is(tt_test.issues(:'b', 'timestamp_without_offset'), 1::bigint, 'a date-time without offset');
SELECT is(tt_test.issues(:'b', 'unparsable_timestamp'), 2::bigint, 'an impossible date and a non-date');
SELECT is(tt_test.issues(:'b', 'end_before_start'), 1::bigint, 'a shift ending before it starts');
SELECT is(tt_test.issues(:'b', 'shift_over_24h'), 1::bigint, 'a shift over 24 hours');
SELECT is((SELECT severity FROM tracktik.data_quality_issues WHERE batch_id = :'b' AND issue_type = 'approved_exceeds_clocked'),
          'warning', 'approved > clocked is a warning');
SELECT is((tt_test.fact(9)).approved_hours, 8.00, '... and the shift keeps its approved hours');
SELECT is((SELECT record_id FROM tracktik.data_quality_issues WHERE batch_id = :'b' AND issue_type = 'shift_over_24h'),
          '7', 'issues name the record');
SELECT is((SELECT issue_data ->> 'startDateTime' FROM tracktik.data_quality_issues WHERE batch_id = :'b' AND issue_type = 'end_before_start'),
          '2025-01-16T16:00:00-08:00', 'issues carry the offending record');
SELECT is((SELECT (tt_test.load(:'b')) ->> 'failed'), '8', 'the load reports the skipped records as failed');
SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts), 2, 'loading again changes nothing');
SELECT ok((SELECT bool_and(issue_description LIKE '%record skipped') FROM tracktik.data_quality_issues
            WHERE batch_id = :'b' AND severity = 'error'), 'error issues say the record was skipped');

SELECT * FROM finish();
ROLLBACK;
