-- The same id twice in one batch: the latest updatedOn wins; two different contents at the
-- same instant are a duplicate_in_batch issue, and the batch still loads.
BEGIN;
SELECT plan(9);

-- two copies at different instants: the later one wins, one version
SELECT tt_test.scd2_load('employees', jsonb_build_array(
    tt_test.api_employee(1, '2025-02-01T00:00:00Z', '{"jobTitle": "Later"}'),
    tt_test.api_employee(1, '2025-01-01T00:00:00Z', '{"jobTitle": "Earlier"}'),
    tt_test.api_employee(3, '2025-01-01T00:00:00Z'))) AS b1 \gset
SELECT is(tt_test.scd2_employee_ranges(1), ARRAY['2025-02-01 00:00:00+00|open|true'], 'one version, from the latest updatedOn');
SELECT is((SELECT job_title FROM tracktik.dim_employees WHERE employee_id = 1), 'Later', 'with the latest contents');
SELECT is((SELECT metadata -> 'merge' -> 'employees' ->> 'superseded' FROM tracktik.etl_batches WHERE batch_id = :'b1'), '1',
          'the older copy is counted superseded');
SELECT is((SELECT count(*)::int FROM tt_test.scd2_issues(:'b1', 'duplicate_in_batch')), 0, 'no issue for copies at different instants');

-- two different contents at one instant: an issue, one version, the batch loads
SELECT tt_test.scd2_load('employees', jsonb_build_array(
    tt_test.api_employee(2, '2025-01-01T00:00:00Z', '{"jobTitle": "X"}'),
    tt_test.api_employee(2, '2025-01-01T00:00:00Z', '{"jobTitle": "Y"}'),
    tt_test.api_employee(4, '2025-01-01T00:00:00Z'))) AS b2 \gset
SELECT is((SELECT count(*)::int FROM tracktik.dim_employees WHERE employee_id = 2), 1, 'one version of the conflicting id');
SELECT is((SELECT severity FROM tt_test.scd2_issues(:'b2', 'duplicate_in_batch') WHERE record_id = '2'), 'warning',
          'a duplicate_in_batch issue is recorded');
SELECT is((SELECT count(*)::int FROM tracktik.dim_employees WHERE employee_id = 4), 1, 'the rest of the batch loads');

-- an unchanged copy with a later updatedOn wins over a changed older one: nothing changes
SELECT tt_test.scd2_load('employees', jsonb_build_array(
    tt_test.api_employee(3, '2025-01-15T00:00:00Z', '{"jobTitle": "Changed"}'),
    tt_test.api_employee(3, '2025-03-01T00:00:00Z'))) AS b3 \gset
SELECT is(tt_test.scd2_employee_ranges(3), ARRAY['2025-01-01 00:00:00+00|open|true'],
          'the latest copy equals the current version: no version');
SELECT is((SELECT count(*)::int FROM tt_test.scd2_issues(:'b3', 'late_dimension_change')), 0, 'and the older copy is not applied as late');

SELECT * FROM finish();
ROLLBACK;
