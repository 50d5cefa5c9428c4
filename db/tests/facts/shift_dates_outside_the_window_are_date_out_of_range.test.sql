-- Every shift date has a sane range: a start outside the window around now
-- (tracktik.settings.shift_window_past_days / shift_window_future_days) is an error
-- date_out_of_range naming the record; it never reaches the calendar (no period 9999_12, no
-- 10000_01 violating billing_periods' check, 23514) and the rest of the batch loads.
BEGIN;
SELECT plan(8);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_shift(:'b', 1, 1, 1000, '9999-12-31T08:00:00-08:00', '9999-12-31T16:00:00-08:00');
SELECT tt_test.stage_shift(:'b', 2, 2, 1000, '0001-01-01T08:00:00-08:00', '0001-01-01T16:00:00-08:00');
SELECT tt_test.stage_shift(:'b', 3, 3, 1000,
                           to_char(now() + interval '3 years', 'YYYY-MM-DD"T08:00:00+00:00"'),
                           to_char(now() + interval '3 years', 'YYYY-MM-DD"T16:00:00+00:00"'));
SELECT tt_test.stage_shift(:'b', 4, 4, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T16:00:00-08:00');   -- good
SELECT lives_ok(format('SELECT tt_test.load(%L)', :'b'), 'the batch loads');

SELECT is(ARRAY(SELECT record_id FROM tracktik.data_quality_issues
                 WHERE batch_id = :'b' AND issue_type = 'date_out_of_range' AND severity = 'error' ORDER BY 1),
          ARRAY['1', '2', '3'], 'each shift outside the window is a date_out_of_range error');
SELECT matches((SELECT issue_description FROM tracktik.data_quality_issues WHERE batch_id = :'b' AND record_id = '1'),
               'shifts record 1: startDateTime 9999-12-31T08:00:00-08:00 is outside the window',
               'the issue names the record, the field and its value');
SELECT is(ARRAY(SELECT shift_id FROM tracktik.fact_shifts ORDER BY 1), ARRAY[4]::bigint[], 'the good shift is loaded');
SELECT is((SELECT count(*)::int FROM tracktik.billing_periods WHERE fiscal_year NOT BETWEEN 2020 AND 2040), 0,
          'no billing period far from today was made');
SELECT is((tt_test.load(:'b')) ->> 'failed', '3', 'the three are counted as failed');

-- a DBA widens the window: the shift three years ahead loads
UPDATE tracktik.settings SET shift_window_future_days = 3650;
SELECT tt_test.new_batch() AS b2 \gset
INSERT INTO staging.api_records (batch_id, resource, record)
SELECT :'b2', resource, record FROM staging.api_records WHERE batch_id = :'b' AND record ->> 'id' = '3';
SELECT tt_test.load(:'b2');
SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts WHERE shift_id = 3), 1, 'inside a wider window it loads');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE batch_id = :'b2' AND issue_type = 'far_future_shift'), 1,
          '... with a far_future_shift warning');

SELECT * FROM finish();
ROLLBACK;
