-- The loader may stage and call public routines, nothing else; the reader reads, never writes.
BEGIN;
SELECT plan(16);

SELECT has_role('tracktik_loader', 'the loader role exists');
SELECT has_role('tracktik_reader', 'the reader role exists');

SELECT table_privs_are('staging', 'api_records', 'tracktik_loader', ARRAY['INSERT'],
                       'the loader may only insert into staging');
SELECT table_privs_are('tracktik', t, 'tracktik_loader', ARRAY[]::text[],
                       'the loader has no privilege on tracktik.' || t)
  FROM unnest(ARRAY['dim_employees', 'fact_shifts', 'etl_batches', 'settings']) AS t;
SELECT table_privs_are('tracktik', t, 'tracktik_reader', ARRAY['SELECT'],
                       'the reader may only select from tracktik.' || t)
  FROM unnest(ARRAY['dim_employees', 'fact_shifts', 'data_quality_issues']) AS t;

SELECT function_privs_are('tracktik', 'start_batch', ARRAY['text', 'jsonb'], 'tracktik_loader', ARRAY['EXECUTE'],
                          'the loader may start a batch');
SELECT function_privs_are('tracktik', 'start_batch', ARRAY['text', 'jsonb'], 'tracktik_reader', ARRAY[]::text[],
                          'the reader may not start a batch');
SELECT function_privs_are('tracktik', 'ensure_billing_periods', ARRAY['date[]'], 'tracktik_loader', ARRAY[]::text[],
                          'the loader may not create partitions directly');

-- and in practice, as those roles
INSERT INTO tracktik.dim_employees (employee_id, valid_from, is_current, attributes_hash)
VALUES (7, now(), true, '\x00');
SELECT throws_ok($$SELECT tt_test.as_role('tracktik_loader', 'UPDATE tracktik.dim_employees SET first_name = ''x''')$$,
                 '42501', NULL, 'the loader cannot update a dimension');
SELECT throws_ok($$SELECT tt_test.as_role('tracktik_reader', 'INSERT INTO tracktik.etl_batches (batch_type) VALUES (''x'')')$$,
                 '42501', NULL, 'the reader cannot write');
SELECT lives_ok($$SELECT tt_test.as_role('tracktik_reader', 'SELECT count(*) FROM tracktik.dim_employees')$$,
                'the reader can read a dimension');

SELECT * FROM finish();
ROLLBACK;
