-- clockedHours, approvedHours, billableHours, payableHours and breakInMinutes given but not a
-- number (an array, an object, a non-numeric string, a boolean) are invalid_hours: the record
-- is skipped with an error issue carrying the record (so the offending value) and counted as
-- failed. JSON null and numeric strings stay allowed (absent; the number).
BEGIN;
SELECT plan(9);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_shift(:'b', 1, 1, 2000, '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00',
                           '{"clockedHours": [8]}');
SELECT tt_test.stage_shift(:'b', 2, 2, 2000, '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00',
                           '{"approvedHours": {"h": 8}}');
SELECT tt_test.stage_shift(:'b', 3, 3, 2000, '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00',
                           '{"clockedHours": "eight"}');
SELECT tt_test.stage_shift(:'b', 4, 4, 2000, '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00',
                           '{"breakInMinutes": true}');
SELECT tt_test.stage_shift(:'b', 5, 5, 2000, '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00',
                           '{"billableHours": "n/a"}');
SELECT tt_test.stage_shift(:'b', 6, 6, 2000, '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00',
                           '{"payableHours": [], "clockedHours": 7}');
SELECT tt_test.stage_shift(:'b', 7, 1, 2000, '2025-01-14T08:00:00-07:00', '2025-01-14T16:00:00-07:00',
                           '{"clockedHours": "7.5", "approvedHours": null, "billableHours": null}');   -- fine

SELECT is((tt_test.load(:'b')) ->> 'failed', '6', 'the six records are counted as failed');
SELECT is(ARRAY(SELECT shift_id FROM tracktik.fact_shifts ORDER BY 1), ARRAY[7]::bigint[],
          'only the good record is loaded');
SELECT is((tt_test.fact(7)).clocked_hours, 7.50, '... a numeric string is read as the number');
SELECT is(ARRAY(SELECT record_id FROM tracktik.data_quality_issues
                 WHERE batch_id = :'b' AND issue_type = 'invalid_hours' AND severity = 'error' ORDER BY 1),
          ARRAY['1', '2', '3', '4', '5', '6'], 'each is an invalid_hours error');
SELECT is((SELECT issue_data -> 'clockedHours' FROM tracktik.data_quality_issues
            WHERE batch_id = :'b' AND record_id = '1'), '[8]'::jsonb, 'the issue carries the offending value');
SELECT is((SELECT issue_data -> 'approvedHours' FROM tracktik.data_quality_issues
            WHERE batch_id = :'b' AND record_id = '2'), '{"h": 8}'::jsonb, '... of each record');
SELECT matches((SELECT issue_description FROM tracktik.data_quality_issues WHERE batch_id = :'b' AND record_id = '3'),
               'clockedHours "eight"', 'the description names the field and its value');
SELECT matches((SELECT issue_description FROM tracktik.data_quality_issues WHERE batch_id = :'b' AND record_id = '6'),
               'payableHours \[\]', '... TrackTik''s own figures too');
SELECT ok((SELECT bool_and(issue_description LIKE '%record skipped') FROM tracktik.data_quality_issues
            WHERE batch_id = :'b' AND issue_type = 'invalid_hours'), 'and says the record was skipped');

SELECT * FROM finish();
ROLLBACK;
