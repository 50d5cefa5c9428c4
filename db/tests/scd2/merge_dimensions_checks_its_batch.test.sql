-- tracktik.merge_dimensions(batch) checks its argument and the batch's state (SQLSTATEs
-- TT001, TT002, TT003), merges all four dimensions and stores the counts in the batch.
BEGIN;
SELECT plan(9);

SELECT throws_ok($$SELECT tracktik.merge_dimensions(NULL)$$, 'TT001', NULL, 'a NULL batch is TT001');
SELECT throws_ok($$SELECT tracktik.merge_dimensions(gen_random_uuid())$$, 'TT002', NULL, 'an unknown batch is TT002');

SELECT tt_test.scd2_batch() AS b \gset
UPDATE tracktik.etl_batches SET status = 'running' WHERE batch_id = :'b';
SELECT throws_ok(format('SELECT tracktik.merge_dimensions(%L)', :'b'), 'TT003', NULL, 'a running batch is TT003');
UPDATE tracktik.etl_batches SET status = 'completed' WHERE batch_id = :'b';
SELECT throws_ok(format('SELECT tracktik.merge_dimensions(%L)', :'b'), 'TT003', NULL, 'a completed batch is TT003');
UPDATE tracktik.etl_batches SET status = 'failed' WHERE batch_id = :'b';
SELECT lives_ok(format('SELECT tracktik.merge_dimensions(%L)', :'b'), 'a failed batch may be merged again');

UPDATE tracktik.etl_batches SET status = 'staged', metadata = '{"fetch": {"pages": 3}}' WHERE batch_id = :'b';
SELECT tt_test.scd2_stage(:'b', 'regions', jsonb_build_array(tt_test.api_region(1)));
SELECT tracktik.merge_dimensions(:'b') AS counts \gset
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(:'counts'::jsonb) AS k),
          ARRAY['clients', 'employees', 'positions', 'regions'], 'counts for every dimension');
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(:'counts'::jsonb -> 'regions') AS k),
          ARRAY['closed', 'filled', 'inferred', 'inserted', 'late', 'refreshed', 'skipped', 'superseded', 'unchanged'],
          'with the documented keys');
SELECT is((SELECT metadata FROM tracktik.etl_batches WHERE batch_id = :'b'),
          jsonb_build_object('fetch', '{"pages": 3}'::jsonb, 'merge', :'counts'::jsonb),
          'stored under metadata->merge, other metadata kept');
SELECT is((SELECT status FROM tracktik.etl_batches WHERE batch_id = :'b'), 'staged', 'the batch status is left to the caller');

SELECT * FROM finish();
ROLLBACK;
