-- When the real record of an inferred member arrives, the merge fills the placeholder in
-- place: same surrogate key (facts keep pointing at it), no extra version.
BEGIN;
SELECT plan(7);

SELECT tt_test.scd2_batch() AS b \gset
SELECT tracktik.ensure_inferred_members('employees', ARRAY[5]::bigint[], :'b') = 1;
SELECT surrogate_key AS k FROM tracktik.dim_employees WHERE employee_id = 5 \gset

SELECT tt_test.scd2_load('employees', jsonb_build_array(tt_test.api_employee(5, '2025-02-01T00:00:00Z'))) AS b2 \gset
SELECT is((SELECT count(*)::int FROM tracktik.dim_employees WHERE employee_id = 5), 1, 'still one version');
SELECT is((SELECT surrogate_key FROM tracktik.dim_employees WHERE employee_id = 5), :'k'::bigint, 'the same row, filled in place');
SELECT ok((SELECT NOT is_inferred AND is_current AND first_name = 'First5' FROM tracktik.dim_employees WHERE employee_id = 5),
          'no longer inferred, with the real attributes');
SELECT is((SELECT valid_from FROM tracktik.dim_employees WHERE employee_id = 5), '-infinity'::timestamptz,
          'still valid from -infinity, so earlier facts keep resolving to it');
SELECT is((SELECT source_updated_on FROM tracktik.dim_employees WHERE employee_id = 5), timestamptz '2025-02-01 00:00:00+00',
          'with the source''s updatedOn');
SELECT is((SELECT metadata -> 'merge' -> 'employees' ->> 'filled' FROM tracktik.etl_batches WHERE batch_id = :'b2'), '1', 'counted filled');

-- and it versions normally afterwards
SELECT tt_test.scd2_load('employees', jsonb_build_array(tt_test.api_employee(5, '2025-03-01T00:00:00Z', '{"status": "TERMINATED"}'))) IS NOT NULL;
SELECT is(tt_test.scd2_employee_ranges(5), ARRAY['-infinity|2025-03-01 00:00:00+00|false', '2025-03-01 00:00:00+00|open|true'],
          'a later change closes the filled member like any other version');

SELECT * FROM finish();
ROLLBACK;
