-- An unparsable updatedOn (wrong shape, impossible date, not a string) skips the record,
-- which is counted, with an unparsable_timestamp issue; the batch still loads. A value that
-- is not even shaped like ISO 8601 is reported on a record that changes nothing, too.
BEGIN;
SELECT plan(5);

SELECT tt_test.scd2_load('employees', jsonb_build_array(tt_test.api_employee(9, '2025-01-01T00:00:00Z'))) IS NOT NULL;
SELECT tt_test.scd2_load('employees', jsonb_build_array(
    tt_test.api_employee(1, 'yesterday'),
    tt_test.api_employee(2, '2025-02-30T10:00:00Z'),
    tt_test.api_employee(3, '2025-03-01T10:00:00Z') || '{"updatedOn": 1740823200}',
    tt_test.api_employee(9, '01/03/2025 10:00'),
    tt_test.api_employee(4, '2025-03-01T10:00:00.123+05:30'))) AS b \gset

SELECT is((SELECT array_agg(employee_id ORDER BY employee_id) FROM tracktik.dim_employees), ARRAY[4, 9]::bigint[],
          'only the good record loads (9 was there before)');
SELECT is((SELECT array_agg(record_id ORDER BY record_id) FROM tt_test.scd2_issues(:'b', 'unparsable_timestamp')), ARRAY['1', '2', '3', '9'],
          'an unparsable_timestamp issue per bad record');
SELECT ok((SELECT bool_and(severity = 'error') FROM tt_test.scd2_issues(:'b', 'unparsable_timestamp')), 'with error severity');
SELECT is((SELECT metadata -> 'merge' -> 'employees' ->> 'skipped' FROM tracktik.etl_batches WHERE batch_id = :'b'), '4', 'counted skipped');
SELECT is((SELECT valid_from FROM tracktik.dim_employees WHERE employee_id = 4), timestamptz '2025-03-01 04:30:00.123+00',
          'fractional seconds and a +05:30 offset parse');

SELECT * FROM finish();
ROLLBACK;
