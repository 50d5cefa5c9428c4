-- An updatedOn without a UTC offset is never assumed to be UTC: the record is skipped, counted,
-- and a timestamp_without_offset issue is recorded; the rest of the batch loads.
BEGIN;
SELECT plan(6);

SELECT tt_test.scd2_load('employees', jsonb_build_array(
    tt_test.api_employee(1, '2025-03-01T10:00:00'),
    tt_test.api_employee(2, '2025-03-01'),
    tt_test.api_employee(3, '2025-03-01T10:00:00Z'))) AS b \gset

SELECT is((SELECT array_agg(employee_id) FROM tracktik.dim_employees), ARRAY[3]::bigint[], 'only the record with an offset loads');
SELECT is((SELECT array_agg(record_id ORDER BY record_id) FROM tt_test.scd2_issues(:'b', 'timestamp_without_offset')), ARRAY['1', '2'],
          'a timestamp_without_offset issue per record');
SELECT ok((SELECT bool_and(severity = 'error') FROM tt_test.scd2_issues(:'b', 'timestamp_without_offset')), 'with error severity');
SELECT is((SELECT issue_data ->> 'value' FROM tt_test.scd2_issues(:'b', 'timestamp_without_offset') WHERE record_id = '1'),
          '2025-03-01T10:00:00', 'naming the offending value');
SELECT is((SELECT issue_data -> 'record' ->> 'firstName' FROM tt_test.scd2_issues(:'b', 'timestamp_without_offset') WHERE record_id = '1'),
          'First1', 'and keeping the record');
SELECT is((SELECT metadata -> 'merge' -> 'employees' ->> 'skipped' FROM tracktik.etl_batches WHERE batch_id = :'b'), '2',
          'the skipped records are counted');

SELECT * FROM finish();
ROLLBACK;
