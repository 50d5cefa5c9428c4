-- A late change (updatedOn before the current version's start) is placed into history where
-- it belongs, ranges stay contiguous and non-overlapping, and an info late_dimension_change
-- issue is recorded.
BEGIN;
SELECT plan(11);

SELECT tt_test.scd2_load('employees', jsonb_build_array(tt_test.api_employee(1, '2025-01-01T00:00:00Z', '{"jobTitle": "A"}'))) IS NOT NULL;
SELECT tt_test.scd2_load('employees', jsonb_build_array(tt_test.api_employee(1, '2025-03-01T00:00:00Z', '{"jobTitle": "C"}'))) IS NOT NULL;

-- late, inside the first version: it is split
SELECT tt_test.scd2_load('employees', jsonb_build_array(tt_test.api_employee(1, '2025-02-01T00:00:00Z', '{"jobTitle": "B"}'))) AS late \gset
SELECT is(tt_test.scd2_employee_ranges(1), ARRAY[
    '2025-01-01 00:00:00+00|2025-02-01 00:00:00+00|false',
    '2025-02-01 00:00:00+00|2025-03-01 00:00:00+00|false',
    '2025-03-01 00:00:00+00|open|true'], 'the late version is inserted between the two');
SELECT results_eq($$SELECT job_title FROM tracktik.dim_employees WHERE employee_id = 1 ORDER BY valid_from$$,
                  ARRAY['A', 'B', 'C'], 'with its attributes; the current version is untouched');
SELECT ok(tt_test.scd2_is_contiguous('dim_employees', 'employee_id', 1), 'the ranges are contiguous');
SELECT is((SELECT count(*)::int FROM tt_test.scd2_issues(:'late', 'late_dimension_change') WHERE severity = 'info' AND record_id = '1'),
          1, 'an info late_dimension_change issue is recorded');
SELECT is((SELECT metadata -> 'merge' -> 'employees' ->> 'late' FROM tracktik.etl_batches WHERE batch_id = :'late'), '1',
          'counted late');

-- late, before every version: it is prepended
SELECT tt_test.scd2_load('employees', jsonb_build_array(tt_test.api_employee(1, '2024-12-01T00:00:00Z', '{"jobTitle": "Z"}'))) IS NOT NULL;
SELECT is((tt_test.scd2_employee_ranges(1))[1], '2024-12-01 00:00:00+00|2025-01-01 00:00:00+00|false',
          'a change older than all versions becomes the first version');

-- late, at the start of an existing version with other contents: that version is corrected
SELECT tt_test.scd2_load('employees', jsonb_build_array(tt_test.api_employee(1, '2025-02-01T00:00:00Z', '{"jobTitle": "B2"}'))) IS NOT NULL;
SELECT is((SELECT job_title FROM tracktik.dim_employees WHERE employee_id = 1 AND valid_from = '2025-02-01'), 'B2',
          'a change at the very start of a version corrects it in place');

-- late, agreeing with history: nothing
SELECT tt_test.scd2_load('employees', jsonb_build_array(tt_test.api_employee(1, '2025-02-15T00:00:00Z', '{"jobTitle": "B2"}'))) AS agree \gset
SELECT is(cardinality(tt_test.scd2_employee_ranges(1)), 4, 'a late record agreeing with history adds nothing');
SELECT is((SELECT count(*)::int FROM tt_test.scd2_issues(:'agree', 'late_dimension_change')), 0, '... and records no issue');

SELECT ok(tt_test.scd2_is_contiguous('dim_employees', 'employee_id', 1), 'the ranges are still contiguous');
SELECT is((SELECT count(*)::int FROM tracktik.dim_employees WHERE employee_id = 1 AND is_current), 1, 'one current version');

SELECT * FROM finish();
ROLLBACK;
