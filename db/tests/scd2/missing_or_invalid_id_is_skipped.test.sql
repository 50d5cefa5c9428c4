-- A record without a usable natural id, or with a malformed relation, is skipped and counted
-- with an error issue; the rest of the batch loads.
BEGIN;
SELECT plan(5);

SELECT tt_test.scd2_load('employees', jsonb_build_array(
    tt_test.api_employee(1) - 'id',
    tt_test.api_employee(2) || '{"id": "two"}',
    tt_test.api_employee(3) || '{"id": 3.5}',
    tt_test.api_employee(4) || '{"region": "north"}',
    tt_test.api_employee(5))) AS b \gset

SELECT is((SELECT array_agg(employee_id) FROM tracktik.dim_employees), ARRAY[5]::bigint[], 'only the good record loads');
SELECT is((SELECT count(*)::int FROM tt_test.scd2_issues(:'b', 'missing_required_field') WHERE record_id IS NULL), 1,
          'a missing id is a missing_required_field issue');
SELECT is((SELECT array_agg(record_id ORDER BY record_id) FROM tt_test.scd2_issues(:'b', 'invalid_field_value')), ARRAY['3.5', '4', 'two'],
          'a malformed id or relation is an invalid_field_value issue');
SELECT is((SELECT issue_data ->> 'field' FROM tt_test.scd2_issues(:'b', 'invalid_field_value') WHERE record_id = '4'), 'region',
          'naming the field');
SELECT is((SELECT metadata -> 'merge' -> 'employees' ->> 'skipped' FROM tracktik.etl_batches WHERE batch_id = :'b'), '4', 'counted skipped');

SELECT * FROM finish();
ROLLBACK;
