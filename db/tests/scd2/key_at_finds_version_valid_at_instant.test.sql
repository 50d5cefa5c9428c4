-- Point-in-time lookups tracktik.{region,client,position,employee}_key_at(id, instant): the
-- version valid at the instant (valid_from inclusive, valid_to exclusive), the earliest
-- version for an instant before all of them, NULL for an unknown id or NULL arguments.
BEGIN;
SELECT plan(14);

SELECT tt_test.scd2_load('employees', jsonb_build_array(tt_test.api_employee(1, '2025-01-01T00:00:00Z', '{"jobTitle": "A"}'))) IS NOT NULL;
SELECT tt_test.scd2_load('employees', jsonb_build_array(tt_test.api_employee(1, '2025-02-01T00:00:00Z', '{"jobTitle": "B"}'))) IS NOT NULL;
SELECT tt_test.scd2_load('employees', jsonb_build_array(tt_test.api_employee(1, '2025-03-01T00:00:00Z', '{"jobTitle": "C"}'))) IS NOT NULL;
SELECT surrogate_key AS a FROM tracktik.dim_employees WHERE employee_id = 1 AND job_title = 'A' \gset
SELECT surrogate_key AS b FROM tracktik.dim_employees WHERE employee_id = 1 AND job_title = 'B' \gset
SELECT surrogate_key AS c FROM tracktik.dim_employees WHERE employee_id = 1 AND job_title = 'C' \gset

SELECT is(tracktik.employee_key_at(1, '2025-02-10 12:00+00'), :'b'::bigint, 'the version valid at an instant');
SELECT is(tracktik.employee_key_at(1, '2025-02-01 00:00+00'), :'b'::bigint, 'valid_from is inclusive');
SELECT is(tracktik.employee_key_at(1, '2025-01-31 23:59:59.999999+00'), :'a'::bigint, 'valid_to is exclusive');
SELECT is(tracktik.employee_key_at(1, '2030-01-01 00:00+00'), :'c'::bigint, 'the current version for a later instant');
SELECT is(tracktik.employee_key_at(1, '2020-01-01 00:00+00'), :'a'::bigint, 'the earliest version for an instant before all');
SELECT ok(tracktik.employee_key_at(2, '2025-02-10 12:00+00') IS NULL, 'NULL for an unknown id');
SELECT ok(tracktik.employee_key_at(1, NULL) IS NULL, 'NULL for a NULL instant');
SELECT ok(tracktik.employee_key_at(NULL, now()) IS NULL, 'NULL for a NULL id');

-- the other three dimensions, and an inferred member
SELECT tt_test.scd2_load('regions', jsonb_build_array(tt_test.api_region(7, '2025-01-01T00:00:00Z'))) IS NOT NULL;
SELECT tt_test.scd2_load('clients', jsonb_build_array(tt_test.api_client(8, '2025-01-01T00:00:00Z'))) IS NOT NULL;
SELECT tt_test.scd2_load('positions', jsonb_build_array(tt_test.api_position(9, '2025-01-01T00:00:00Z'))) IS NOT NULL;
SELECT is(tracktik.region_key_at(7, '2025-06-01'), (SELECT surrogate_key FROM tracktik.dim_regions WHERE region_id = 7), 'region_key_at');
SELECT is(tracktik.client_key_at(8, '2024-06-01'), (SELECT surrogate_key FROM tracktik.dim_clients WHERE client_id = 8), 'client_key_at (before all)');
SELECT is(tracktik.position_key_at(9, '2025-06-01'), (SELECT surrogate_key FROM tracktik.dim_positions WHERE position_id = 9), 'position_key_at');
SELECT tracktik.ensure_inferred_members('employees', ARRAY[3]::bigint[], NULL) = 1;
SELECT is(tracktik.employee_key_at(3, '1999-01-01'), (SELECT surrogate_key FROM tracktik.dim_employees WHERE employee_id = 3),
          'an inferred member is valid at any instant');

-- answered from the (id, valid_from) index
SELECT has_index('tracktik', 'dim_employees', 'dim_employees_id_valid_from', ARRAY['employee_id', 'valid_from', 'surrogate_key'],
                 'dim_employees has the btree (employee_id, valid_from) INCLUDE (surrogate_key) index');
SELECT volatility_is('tracktik', 'employee_key_at', ARRAY['bigint', 'timestamp with time zone'], 'stable',
                     'the lookup is STABLE');

SELECT * FROM finish();
ROLLBACK;
