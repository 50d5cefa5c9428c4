-- start_batch opens a running batch with its own staging partition and a liveness lock.
BEGIN;
SELECT plan(8);

SELECT tracktik.start_batch('incremental', '{"source": "test"}') AS id \gset

SELECT is((SELECT status FROM tracktik.etl_batches WHERE batch_id = :'id'), 'running', 'the batch is running');
SELECT is((SELECT batch_type FROM tracktik.etl_batches WHERE batch_id = :'id'), 'incremental', 'its type is stored');
SELECT is((SELECT metadata FROM tracktik.etl_batches WHERE batch_id = :'id'), '{"source": "test"}'::jsonb,
          'its metadata is stored');
SELECT has_table('staging', 'api_records_' || replace(:'id', '-', ''), 'its staging partition exists');
SELECT is((SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_class c
            WHERE c.oid = ('staging.api_records_' || replace(:'id', '-', ''))::regclass),
          format('FOR VALUES IN (%L)', :'id'), 'the partition holds exactly this batch');
SELECT lives_ok(format($$INSERT INTO staging.api_records (batch_id, resource, record) VALUES (%L, 'regions', '{"id": 1}')$$, :'id'),
                'records of the batch can be staged');
SELECT ok(EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()
                    AND classid::int = hashtext('tracktik.batch') AND objid::int = hashtext(:'id')),
          'the session holds the batch''s liveness lock');
SELECT throws_ok($$INSERT INTO staging.api_records (batch_id, resource, record)
                   VALUES ('00000000-0000-0000-0000-000000000000', 'regions', '{}')$$,
                 '23514', NULL, 'records of an unknown batch have no partition to land in');

SELECT * FROM finish();
ROLLBACK;
