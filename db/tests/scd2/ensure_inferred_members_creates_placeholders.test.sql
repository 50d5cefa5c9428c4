-- tracktik.ensure_inferred_members(dimension, ids, batch): one inferred member per unknown id
-- (is_inferred, valid_from -infinity, current), one info inferred_member issue each; ids
-- known in any version are left alone.
BEGIN;
SELECT plan(12);

SELECT tt_test.scd2_batch() AS b \gset
SELECT tt_test.scd2_load('employees', jsonb_build_array(tt_test.api_employee(1), tt_test.api_employee(2)),
                    '2025-03-01', '{}') IS NOT NULL;
-- employee 2 is closed: known in a version, though not current
UPDATE tracktik.dim_employees SET valid_to = '2025-02-01', is_current = false WHERE employee_id = 2;

SELECT is(tracktik.ensure_inferred_members('employees', ARRAY[1, 2, 3, 3, NULL, 4]::bigint[], :'b'), 2,
          'two members created (3 and 4; duplicates and NULLs ignored)');
SELECT is((SELECT array_agg(employee_id ORDER BY employee_id) FROM tracktik.dim_employees WHERE is_inferred), ARRAY[3, 4]::bigint[],
          'only the unknown ids are inferred');
SELECT ok((SELECT bool_and(is_current AND valid_from = '-infinity' AND valid_to IS NULL AND etl_batch_id = :'b')
             FROM tracktik.dim_employees WHERE is_inferred), 'current, valid from -infinity, written by the batch');
SELECT ok((SELECT bool_and(first_name IS NULL) FROM tracktik.dim_employees WHERE is_inferred), 'with no attributes');
SELECT is((SELECT array_agg(record_id ORDER BY record_id) FROM tt_test.scd2_issues(:'b', 'inferred_member') WHERE severity = 'info'),
          ARRAY['3', '4'], 'an info inferred_member issue per member');
SELECT is((SELECT count(*)::int FROM tracktik.dim_employees WHERE employee_id = 2), 1, 'a closed id is not inferred again');

SELECT is(tracktik.ensure_inferred_members('employees', ARRAY[3, 4]::bigint[], :'b'), 0, 'calling again creates nothing');
SELECT is(tracktik.ensure_inferred_members('dim_positions', ARRAY[7]::bigint[], NULL), 1, 'the table name works too; the batch may be NULL');
SELECT is(tracktik.ensure_inferred_members('regions', '{}'::bigint[], :'b'), 0, 'an empty array creates nothing');
SELECT throws_ok($$SELECT tracktik.ensure_inferred_members('shifts', ARRAY[1]::bigint[], NULL)$$, 'TT001', NULL,
                 'an unknown dimension is TT001');
SELECT throws_ok($$SELECT tracktik.ensure_inferred_members('employees', ARRAY[1]::bigint[], gen_random_uuid())$$, 'TT002', NULL,
                 'an unknown batch is TT002');
SELECT lives_ok($$SELECT tt_test.as_role('tracktik_loader', 'SELECT tracktik.ensure_inferred_members(''positions'', ARRAY[8]::bigint[], NULL)')$$,
                'the loader may call it');

SELECT * FROM finish();
ROLLBACK;
