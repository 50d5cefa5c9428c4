-- A new id makes one current version, valid from the record's updatedOn (the batch start
-- when the record has none), with its attributes read from the API's camelCase fields.
BEGIN;
SELECT plan(12);

SELECT tt_test.scd2_batch('2025-03-01 06:00:00+00') AS b \gset
SELECT tt_test.scd2_stage(:'b', 'employees', jsonb_build_array(
    tt_test.api_employee(1, '2025-01-10T08:00:00+01:00', '{"primaryPhone": "+1-555-0100", "jobTitle": "Supervisor"}'),
    tt_test.api_employee(2, NULL)));
SELECT tracktik.merge_dimensions(:'b') -> 'employees' AS counts \gset

SELECT is((SELECT count(*)::int FROM tracktik.dim_employees WHERE employee_id = 1), 1, 'one version of the new id');
SELECT ok((SELECT is_current AND valid_to IS NULL AND NOT is_inferred FROM tracktik.dim_employees WHERE employee_id = 1),
          'it is current, open and not inferred');
SELECT is((SELECT valid_from FROM tracktik.dim_employees WHERE employee_id = 1), timestamptz '2025-01-10 07:00:00+00',
          'valid_from is updatedOn, offset applied');
SELECT is((SELECT source_updated_on FROM tracktik.dim_employees WHERE employee_id = 1), timestamptz '2025-01-10 07:00:00+00',
          'source_updated_on keeps updatedOn');
SELECT is((SELECT phone FROM tracktik.dim_employees WHERE employee_id = 1), '+1-555-0100', 'primaryPhone is stored as phone');
SELECT is((SELECT row(custom_id, first_name, last_name, email, status, job_title)::text FROM tracktik.dim_employees WHERE employee_id = 1),
          row('E1', 'First1', 'Last1', 'e1@example.com', 'ACTIVE', 'Supervisor')::text, 'the other attributes are stored');
SELECT is((SELECT etl_batch_id FROM tracktik.dim_employees WHERE employee_id = 1), :'b'::uuid, 'the version names its batch');
SELECT is((SELECT valid_from FROM tracktik.dim_employees WHERE employee_id = 2), timestamptz '2025-03-01 06:00:00+00',
          'without updatedOn, valid_from is the batch start');
SELECT ok((SELECT source_updated_on IS NULL FROM tracktik.dim_employees WHERE employee_id = 2), 'and source_updated_on is NULL');
SELECT ok((SELECT length(attributes_hash) = 8 FROM tracktik.dim_employees WHERE employee_id = 1), 'attributes_hash is set');
SELECT is((:'counts'::jsonb ->> 'inserted')::int, 2, 'counted as inserted');
SELECT is((SELECT metadata -> 'merge' -> 'employees' FROM tracktik.etl_batches WHERE batch_id = :'b'), :'counts'::jsonb,
          'the counts are stored in the batch metadata');

SELECT * FROM finish();
ROLLBACK;
