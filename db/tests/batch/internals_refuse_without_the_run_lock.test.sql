-- The internals of run_kaiser_batch (executable by the loader, since the procedure runs with
-- the caller's rights) refuse to work around it: without the run lock the procedure takes,
-- _batches_to_run, _process_batch and _fail_batch raise TT004; with it, _fail_batch still
-- fails only a batch whose processing failed in this session (TT001 otherwise). The batch is
-- left as it was. (As a loader login, through the procedure: tests/test_least_privilege.py.)
BEGIN;
SELECT plan(9);

SELECT tt_test.new_batch() AS b \gset
SELECT tracktik.mark_batch_staged(:'b', '{}');

SELECT throws_ok(format('SELECT tracktik._process_batch(%L)', :'b'), 'TT004', NULL,
                 '_process_batch without the run lock is refused');
SELECT throws_ok(format('SELECT tracktik._batches_to_run(%L)', :'b'), 'TT004', NULL,
                 '_batches_to_run without the run lock is refused');
SELECT throws_ok(format('SELECT tracktik._fail_batch(%L, %L, %L)', :'b', 'XX000', 'forged'), 'TT004', NULL,
                 '_fail_batch without the run lock is refused');
-- another session's run lock is not this session's: a lock with other keys does not count
SELECT pg_advisory_xact_lock(hashtext('tracktik.run_kaiser_batch') + 1);
SELECT throws_ok(format('SELECT tracktik._process_batch(%L)', :'b'), 'TT004', NULL,
                 '... nor with another advisory lock');

SELECT pg_advisory_xact_lock(hashtext('tracktik.run_kaiser_batch'));
SELECT throws_ok(format('SELECT tracktik._fail_batch(%L, %L, %L)', :'b', 'XX000', 'forged'), 'TT001', NULL,
                 'with the run lock, _fail_batch of a batch not being processed is refused');
SELECT is((SELECT status FROM tracktik.etl_batches WHERE batch_id = :'b'), 'staged', 'the batch is still staged');
SELECT is(tracktik._batches_to_run(:'b'), ARRAY[:'b']::uuid[], 'with the run lock, _batches_to_run works');

-- a processing attempt that fails (rolled back): then _fail_batch records it
SET client_min_messages = warning;
UPDATE tracktik.settings SET default_time_zone = 'Mars/Olympus';     -- TT021 in the fact load
SELECT throws_ok(format('SELECT tracktik._process_batch(%L)', :'b'), 'TT021', NULL, 'an attempt fails');
SELECT tracktik._fail_batch(:'b', 'TT021', 'unusable configuration');
SELECT is((SELECT status || ' ' || error_sqlstate FROM tracktik.etl_batches WHERE batch_id = :'b'), 'failed TT021',
          '... and _fail_batch marks the batch failed');

SELECT * FROM finish();
ROLLBACK;
