-- The checks of the batch internals count a lock only in EXCLUSIVE mode, as run_kaiser_batch
-- takes it: pg_locks also lists shared holders, and any session can take the run lock in shared
-- mode (beside each other, and beside a session that holds none). With shared holds only,
-- _batches_to_run and _process_batch refuse, and a running batch whose liveness lock is held
-- only in shared mode counts as dead (abandoned). (Two real loader logins:
-- tests/test_loader_isolation.py.)
BEGIN;
SELECT plan(9);

SELECT tt_test.new_batch() AS b \gset
SELECT tracktik.mark_batch_staged(:'b', '{}');

-- the run lock in shared mode
SELECT pg_advisory_lock_shared(hashtext('tracktik.run_kaiser_batch'));
SELECT ok(EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                    AND objid::int = hashtext('tracktik.run_kaiser_batch') AND mode = 'ShareLock'),
          'pg_locks lists this session''s shared hold of the run lock');
SELECT ok(NOT tracktik._session_holds_advisory_lock(hashtext('tracktik.run_kaiser_batch')::bigint),
          'a shared hold is not holding the run lock');
SELECT throws_ok(format('SELECT tracktik._batches_to_run(%L)', :'b'), 'TT004', NULL,
                 '_batches_to_run with the run lock in shared mode is refused');
SELECT throws_ok(format('SELECT tracktik._process_batch(%L)', :'b'), 'TT004', NULL,
                 '_process_batch with the run lock in shared mode is refused');
SELECT is((SELECT status FROM tracktik.etl_batches WHERE batch_id = :'b'), 'staged', 'the batch is still staged');

-- the run lock exclusive
SELECT pg_advisory_unlock_shared(hashtext('tracktik.run_kaiser_batch'));
SELECT pg_advisory_lock(hashtext('tracktik.run_kaiser_batch'));
SELECT ok(tracktik._session_holds_advisory_lock(hashtext('tracktik.run_kaiser_batch')::bigint),
          'an exclusive hold of the run lock counts');

-- a running batch kept "alive" only by a shared hold of its liveness lock is abandoned
SELECT tt_test.new_batch() AS dead \gset
SELECT pg_advisory_unlock(hashtext('tracktik.batch'), hashtext(:'dead'));        -- its shell ended
SELECT pg_advisory_lock_shared(hashtext('tracktik.batch'), hashtext(:'dead'));   -- someone else's shared hold
SELECT tt_test.new_batch() AS alive \gset
SELECT is(tracktik._batches_to_run(NULL), ARRAY[:'b']::uuid[], 'with the run lock, _batches_to_run lists the staged batch');
SELECT is((SELECT status FROM tracktik.etl_batches WHERE batch_id = :'dead'), 'abandoned',
          'a running batch whose liveness lock is only held in shared mode is abandoned');
SELECT is((SELECT status FROM tracktik.etl_batches WHERE batch_id = :'alive'), 'running',
          'a running batch whose liveness lock is held in exclusive mode stays running');

SELECT pg_advisory_unlock_all();
SELECT * FROM finish();
ROLLBACK;
