-- A change of a tracked attribute closes the current version at the record's updatedOn and
-- opens a new current version from that instant.
BEGIN;
SELECT plan(8);

SELECT tt_test.scd2_load('employees', jsonb_build_array(tt_test.api_employee(1, '2025-01-01T00:00:00Z'))) IS NOT NULL;
SELECT surrogate_key AS k1 FROM tracktik.dim_employees WHERE employee_id = 1 \gset
SELECT tt_test.scd2_load('employees', jsonb_build_array(
    tt_test.api_employee(1, '2025-02-15T12:30:00-05:00', '{"lastName": "Married"}'))) AS b2 \gset

SELECT is((SELECT count(*)::int FROM tracktik.dim_employees WHERE employee_id = 1), 2, 'two versions');
SELECT is((SELECT valid_to FROM tracktik.dim_employees WHERE surrogate_key = :k1), timestamptz '2025-02-15 17:30:00+00',
          'the old version ends at the new updatedOn');
SELECT ok((SELECT NOT is_current AND last_name = 'Last1' FROM tracktik.dim_employees WHERE surrogate_key = :k1),
          'the old version is no longer current and keeps its attributes');
SELECT is((SELECT valid_from FROM tracktik.dim_employees WHERE employee_id = 1 AND is_current), timestamptz '2025-02-15 17:30:00+00',
          'the new version starts there');
SELECT is((SELECT last_name FROM tracktik.dim_employees WHERE employee_id = 1 AND is_current), 'Married', 'with the new attributes');
SELECT ok((SELECT valid_to IS NULL AND etl_batch_id = :'b2' FROM tracktik.dim_employees WHERE employee_id = 1 AND is_current),
          'open, written by the second batch');
SELECT is((SELECT metadata -> 'merge' -> 'employees' FROM tracktik.etl_batches WHERE batch_id = :'b2') - 'unchanged',
          '{"inserted": 1, "closed": 1, "inferred": 0, "filled": 0, "late": 0, "skipped": 0, "refreshed": 0, "superseded": 0}'::jsonb,
          'counted as one inserted and one closed');
SELECT ok(tt_test.scd2_is_contiguous('dim_employees', 'employee_id', 1), 'the history is contiguous');

SELECT * FROM finish();
ROLLBACK;
