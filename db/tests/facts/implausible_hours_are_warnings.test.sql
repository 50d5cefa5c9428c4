-- Plausibility warnings (the record still loads, as given): approved or clocked hours beyond
-- the scheduled length by more than tracktik.settings.plausible_hours_margin; a break as long
-- as the shift or longer (billed 0); a shift more than shift_future_warning_days ahead.
BEGIN;
SELECT plan(6);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_shift(:'b', 1, 1, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T16:00:00-08:00',
                           '{"approvedHours": 30}');
SELECT tt_test.stage_shift(:'b', 2, 2, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T16:00:00-08:00',
                           '{"breakInMinutes": 900}');
SELECT tt_test.stage_shift(:'b', 3, 3, 1000,
                           to_char(now() + interval '300 days', 'YYYY-MM-DD"T08:00:00+00:00"'),
                           to_char(now() + interval '300 days', 'YYYY-MM-DD"T16:00:00+00:00"'));
SELECT tt_test.stage_shift(:'b', 4, 4, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T16:00:00-08:00',
                           '{"clockedHours": 9.5, "approvedHours": 9.5}');   -- within the margin
SELECT tt_test.load(:'b');

SELECT is(ARRAY(SELECT record_id || ':' || issue_type || ':' || severity FROM tracktik.data_quality_issues
                 WHERE batch_id = :'b' ORDER BY 1),
          ARRAY['1:hours_exceed_scheduled:warning', '2:break_exceeds_shift:warning', '3:far_future_shift:warning'],
          'one warning each, nothing for hours within the margin');
SELECT is(ARRAY(SELECT shift_id FROM tracktik.fact_shifts ORDER BY 1), ARRAY[1, 2, 3, 4]::bigint[], 'every shift loads');
SELECT is((tt_test.fact(1)).billable_hours, 30.00, 'as given');
SELECT matches((SELECT issue_description FROM tracktik.data_quality_issues WHERE batch_id = :'b' AND record_id = '1'),
               'approvedHours 30 exceed the scheduled length of 8.00 hours', 'naming the field and value');

UPDATE tracktik.settings SET plausible_hours_margin = 30, shift_future_warning_days = 400;
SELECT tt_test.new_batch() AS b2 \gset
INSERT INTO staging.api_records (batch_id, resource, record)
SELECT :'b2', resource, record || '{"modifiedOn": "2025-07-01T00:00:00+00:00"}' FROM staging.api_records WHERE batch_id = :'b';
SELECT tt_test.load(:'b2');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE batch_id = :'b2'), 0, 'the margins are settings');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE resolved_at IS NULL), 3,
          '(resolution is the batch''s, not the load''s: still open)');

SELECT * FROM finish();
ROLLBACK;
