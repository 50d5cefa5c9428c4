-- mark_batch_staged: running -> staged with the fully synced resources and metadata; releases
-- the batch's liveness lock; refuses other states (TT003), unknown batches (TT002) and bad
-- arguments (TT001).
BEGIN;
SELECT plan(10);

SELECT tt_test.new_batch('full') AS b \gset
SELECT lives_ok(format($$SELECT tracktik.mark_batch_staged(%L, ARRAY['regions', 'clients', 'regions'], '{"staged": {"regions": 5}}')$$, :'b'),
                'a running batch is marked staged');
SELECT is((SELECT status FROM tracktik.etl_batches WHERE batch_id = :'b'), 'staged', 'its status is staged');
SELECT ok((SELECT staged_at IS NOT NULL FROM tracktik.etl_batches WHERE batch_id = :'b'), 'staged_at is set');
SELECT is((SELECT full_sync_resources FROM tracktik.etl_batches WHERE batch_id = :'b'), ARRAY['clients', 'regions'],
          'the fully synced resources are recorded (once each)');
SELECT is((SELECT metadata -> 'staged' FROM tracktik.etl_batches WHERE batch_id = :'b'), '{"regions": 5}'::jsonb,
          'the metadata is merged in');
SELECT ok(NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()
                        AND classid::int = hashtext('tracktik.batch') AND objid::int = hashtext(:'b')),
          'the liveness lock is released');
SELECT throws_ok(format($$SELECT tracktik.mark_batch_staged(%L, '{}')$$, :'b'), 'TT003', NULL, 'a staged batch cannot be staged again');
SELECT throws_ok($$SELECT tracktik.mark_batch_staged('00000000-0000-0000-0000-000000000000', '{}')$$, 'TT002', NULL, 'an unknown batch');
SELECT tt_test.new_batch() AS b2 \gset
SELECT throws_ok(format($$SELECT tracktik.mark_batch_staged(%L, '{}', '[1]')$$, :'b2'), 'TT001', NULL, 'metadata must be an object');
SELECT throws_ok(format($$SELECT tracktik.mark_batch_staged(%L, ARRAY[''])$$, :'b2'), 'TT001', NULL, 'resource names must not be empty');

SELECT * FROM finish();
ROLLBACK;
