-- The loader role may execute the two SECURITY DEFINER entry points (merge_dimensions and
-- ensure_inferred_members), and nothing else of the SCD2 merge; readers may use the
-- point-in-time lookups and read the declaration. Definer routines pin search_path.
BEGIN;
SELECT plan(11);

SELECT function_privs_are('tracktik', 'merge_dimensions', ARRAY['uuid'], 'tracktik_loader', ARRAY['EXECUTE'],
                          'the loader may merge dimensions');
SELECT function_privs_are('tracktik', 'ensure_inferred_members', ARRAY['text', 'bigint[]', 'uuid'], 'tracktik_loader', ARRAY['EXECUTE'],
                          'the loader may infer members');
SELECT function_privs_are('tracktik', '_merge_dimension', ARRAY['text', 'uuid'], 'tracktik_loader', ARRAY[]::text[],
                          'the loader may not call the internal merge');
SELECT function_privs_are('tracktik', 'rehash_dimension', ARRAY['text'], 'tracktik_loader', ARRAY[]::text[],
                          'the loader may not rehash');
SELECT function_privs_are('tracktik', 'employee_key_at', ARRAY['bigint', 'timestamp with time zone'], 'tracktik_reader', ARRAY['EXECUTE'],
                          'readers may look up keys');
SELECT table_privs_are('tracktik', 'scd2_attributes', 'tracktik_reader', ARRAY['SELECT'], 'readers may read the declaration');
SELECT table_privs_are('tracktik', 'scd2_attributes', 'tracktik_loader', ARRAY[]::text[], 'the loader may not touch it');
SELECT is_definer('tracktik', 'merge_dimensions', ARRAY['uuid'], 'merge_dimensions is SECURITY DEFINER');
SELECT is((SELECT count(*)::int FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'tracktik' AND p.prosecdef
              AND p.proname IN ('merge_dimensions', '_merge_dimension', 'ensure_inferred_members', 'rehash_dimension',
                                '_scd2_columns', '_scd2_raw_sql', '_scd2_typed_sql', '_scd2_hash_sql', '_lock_dimension')
              AND NOT ('search_path=""' = ANY (p.proconfig))), 0,
          'every definer routine of the merge pins search_path to empty');

SELECT tt_test.scd2_batch() AS b \gset
SELECT tt_test.scd2_stage(:'b', 'employees', jsonb_build_array(tt_test.api_employee(1)));
SELECT lives_ok(format('SELECT tt_test.as_role(%L, %L)', 'tracktik_loader', format('SELECT tracktik.merge_dimensions(%L)', :'b')),
                'as the loader, the merge runs');
SELECT is((SELECT count(*)::int FROM tracktik.dim_employees), 1, 'and writes the dimension the loader cannot write itself');

SELECT * FROM finish();
ROLLBACK;
