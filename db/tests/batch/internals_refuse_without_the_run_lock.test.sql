-- The internals of run_kaiser_batch (executable by the loader, since the procedure runs with
-- the caller's rights) refuse to work around it: without the run lock the procedure takes,
-- _batches_to_run and _process_batch raise TT004. There is no routine that marks a batch
-- failed on request: _process_batch records a failure itself, when its attempt fails. The
-- batch is left as it was by every refusal. (As a loader login, through the procedure:
-- tests/test_least_privilege.py, tests/test_loader_isolation.py.)
BEGIN;
SELECT plan(9);

SELECT tt_test.new_batch() AS b \gset
SELECT tracktik.mark_batch_staged(:'b', '{}');

SELECT throws_ok(format('SELECT tracktik._process_batch(%L)', :'b'), 'TT004', NULL,
                 '_process_batch without the run lock is refused');
SELECT throws_ok(format('SELECT tracktik._batches_to_run(%L)', :'b'), 'TT004', NULL,
                 '_batches_to_run without the run lock is refused');
SELECT hasnt_function('tracktik', '_fail_batch', 'no routine marks a batch failed on request');
-- another session's run lock is not this session's: a lock with other keys does not count
SELECT pg_advisory_xact_lock(hashtext('tracktik.run_kaiser_batch') + 1);
SELECT throws_ok(format('SELECT tracktik._process_batch(%L)', :'b'), 'TT004', NULL,
                 '... nor with another advisory lock');
SELECT is((SELECT status FROM tracktik.etl_batches WHERE batch_id = :'b'), 'staged', 'the batch is still staged');

SELECT pg_advisory_xact_lock(hashtext('tracktik.run_kaiser_batch'));
SELECT is(tracktik._batches_to_run(:'b'), ARRAY[:'b']::uuid[], 'with the run lock, _batches_to_run works');

-- a processing attempt that fails: _process_batch rolls it back and records the failure itself
SET client_min_messages = warning;
UPDATE tracktik.settings SET default_time_zone = 'Mars/Olympus';     -- TT021 in the fact load
SELECT is(tracktik._process_batch(:'b') - 'detail' - 'message' - 'hint' - 'record',
          jsonb_build_object('batch_id', :'b', 'status', 'failed', 'sqlstate', 'TT021',
                             'step', 'loading the bill settings and shifts'),
          'an attempt that fails returns a failure summary instead of raising');
SELECT is((SELECT status || ' ' || error_sqlstate FROM tracktik.etl_batches WHERE batch_id = :'b'), 'failed TT021',
          '... and the batch is marked failed');
SELECT is((SELECT count(*)::int FROM tracktik.dim_regions), 0, '... with nothing of it loaded (the merge was rolled back)');

SELECT * FROM finish();
ROLLBACK;
