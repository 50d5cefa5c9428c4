-- Only tracked attributes make versions: a new updatedOn alone, a change of a field the
-- dimension does not declare, or of a declared untracked attribute (refreshed in place on
-- the current version, type 1) makes no version.
BEGIN;
SELECT plan(9);

SELECT tt_test.scd2_load('employees', jsonb_build_array(tt_test.api_employee(1, '2025-01-01T00:00:00Z', '{"lastLoginOn": "2025-01-01T00:00:00Z"}'))) AS b1 \gset
SELECT ctid::text AS ctid1 FROM tracktik.dim_employees WHERE employee_id = 1 \gset

-- updatedOn alone
SELECT tt_test.scd2_load('employees', jsonb_build_array(tt_test.api_employee(1, '2025-02-01T00:00:00Z', '{"lastLoginOn": "2025-01-01T00:00:00Z"}'))) AS b2 \gset
SELECT is((SELECT count(*)::int FROM tracktik.dim_employees WHERE employee_id = 1), 1, 'a new updatedOn alone makes no version');
SELECT is((SELECT ctid::text FROM tracktik.dim_employees WHERE employee_id = 1), :'ctid1', '... and does not touch the row');
SELECT is((SELECT metadata -> 'merge' -> 'employees' ->> 'unchanged' FROM tracktik.etl_batches WHERE batch_id = :'b2'), '1',
          '... it is counted unchanged');

-- a field the dimension does not declare
SELECT tt_test.scd2_load('employees', jsonb_build_array(tt_test.api_employee(1, '2025-03-01T00:00:00Z', '{"lastLoginOn": "2025-03-01T09:00:00Z"}'))) AS b3 \gset
SELECT is((SELECT count(*)::int FROM tracktik.dim_employees WHERE employee_id = 1), 1, 'an undeclared field''s change makes no version');
SELECT is((SELECT ctid::text FROM tracktik.dim_employees WHERE employee_id = 1), :'ctid1', '... and does not touch the row');

-- a declared attribute made untracked (the declaration changes, then the hashes)
UPDATE tracktik.scd2_attributes SET is_tracked = false WHERE dimension = 'employees' AND column_name = 'job_title';
SELECT ok(tracktik.rehash_dimension('employees') = 1, 'rehash_dimension recomputes the stored hash');
SELECT tt_test.scd2_load('employees', jsonb_build_array(tt_test.api_employee(1, '2025-04-01T00:00:00Z', '{"jobTitle": "Supervisor"}'))) AS b4 \gset
SELECT is((SELECT count(*)::int FROM tracktik.dim_employees WHERE employee_id = 1), 1, 'an untracked attribute''s change makes no version');
SELECT is((SELECT job_title FROM tracktik.dim_employees WHERE employee_id = 1), 'Supervisor', '... it is refreshed in place');
SELECT is((SELECT metadata -> 'merge' -> 'employees' ->> 'refreshed' FROM tracktik.etl_batches WHERE batch_id = :'b4'), '1',
          '... and counted refreshed');

SELECT * FROM finish();
ROLLBACK;
