-- mark_batch_staged accepts only the session that opened the batch: the one that holds its
-- liveness lock (taken by start_batch) in EXCLUSIVE mode. Without it (the lock released, or held
-- only in shared mode) it refuses with TT003 and the batch stays running; a batch held by
-- another live session is refused with TT004 (two sessions: tests/test_loader_isolation.py).
BEGIN;
SELECT plan(7);

SELECT tt_test.new_batch() AS b \gset
SELECT pg_advisory_unlock(hashtext('tracktik.batch'), hashtext(:'b'));     -- as if its shell ended
SELECT throws_ok(format($$SELECT tracktik.mark_batch_staged(%L, '{}')$$, :'b'), 'TT003', NULL,
                 'without the liveness lock a running batch cannot be marked staged');
SELECT pg_advisory_lock_shared(hashtext('tracktik.batch'), hashtext(:'b'));
SELECT throws_ok(format($$SELECT tracktik.mark_batch_staged(%L, '{}')$$, :'b'), 'TT003', NULL,
                 '... nor with the liveness lock held in shared mode');
SELECT is((SELECT status FROM tracktik.etl_batches WHERE batch_id = :'b'), 'running', 'the batch is still running');
SELECT pg_advisory_unlock_shared(hashtext('tracktik.batch'), hashtext(:'b'));

SELECT pg_advisory_lock(hashtext('tracktik.batch'), hashtext(:'b'));
SELECT lives_ok(format($$SELECT tracktik.mark_batch_staged(%L, '{}')$$, :'b'),
                'with the liveness lock in exclusive mode it is marked staged');
SELECT is((SELECT status FROM tracktik.etl_batches WHERE batch_id = :'b'), 'staged', 'the batch is staged');
SELECT ok(NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()
                        AND classid::int = hashtext('tracktik.batch') AND objid::int = hashtext(:'b')),
          'and its liveness lock is released');

-- lock_timeout of the function stays inside it
SET LOCAL lock_timeout = '42s';
SELECT tt_test.new_batch() AS b2 \gset
SELECT tracktik.mark_batch_staged(:'b2', '{}');
SELECT is(current_setting('lock_timeout'), '42s', 'the caller''s lock_timeout is untouched');

SELECT * FROM finish();
ROLLBACK;
