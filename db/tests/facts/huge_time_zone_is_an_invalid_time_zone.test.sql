-- A shift's timeZone that is a huge string (1 MB) is an unknown zone like any other: an
-- invalid_time_zone warning, the next fallback used, the rest of the batch loaded. It is never
-- tried nor indexed (an index row of 1 MB fails with 54000, and would fail every re-run); nor
-- is a 65-character name, longer than any IANA name.
BEGIN;
SELECT plan(9);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
-- 1 MB of hex digits (md5 texts: TOAST compression does not bring it under the index limit)
SELECT string_agg(md5(i::text), '') AS huge FROM generate_series(1, 32768) AS i \gset
SELECT tt_test.stage_shift(:'b', 1, 1, 2000, '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00',
                           jsonb_build_object('timeZone', :'huge'));
SELECT tt_test.stage_shift(:'b', 2, 2, 2000, '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00',
                           jsonb_build_object('timeZone', 'America/' || repeat('x', 57)));
SELECT tt_test.stage_shift(:'b', 3, 3, 2000, '2025-01-13T08:00:00-07:00', '2025-01-13T16:00:00-07:00',
                           '{"timeZone": "America/New_York"}');

SELECT lives_ok(format('SELECT tracktik.load_fact_shifts(%L)', :'b'), 'a batch with a 1 MB timeZone loads');
SELECT is(ARRAY(SELECT shift_id FROM tracktik.fact_shifts ORDER BY 1), ARRAY[1, 2, 3]::bigint[],
          'every shift is loaded');
SELECT is((tt_test.fact(1)).time_zone, 'America/Denver', 'the huge zone falls back to the site''s');
SELECT is((tt_test.fact(2)).time_zone, 'America/Denver', '... so does a 65-character name');
SELECT is((tt_test.fact(3)).time_zone, 'America/New_York', 'a known zone in the same batch is used');
SELECT is(ARRAY(SELECT record_id FROM tracktik.data_quality_issues
                 WHERE batch_id = :'b' AND issue_type = 'invalid_time_zone' AND severity = 'warning' ORDER BY 1),
          ARRAY['1', '2'], 'both are invalid_time_zone warnings');
SELECT is((SELECT length(issue_data ->> 'timeZone') FROM tracktik.data_quality_issues
            WHERE batch_id = :'b' AND record_id = '1'), 1024 * 1024, 'the issue carries the whole value');
SELECT ok((SELECT length(issue_description) < 200 FROM tracktik.data_quality_issues
            WHERE batch_id = :'b' AND record_id = '1'), '... but the description does not repeat it');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE batch_id = :'b' AND severity = 'error'), 0,
          'nothing is skipped');

SELECT * FROM finish();
ROLLBACK;
