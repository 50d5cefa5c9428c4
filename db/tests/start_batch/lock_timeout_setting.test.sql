-- tracktik.settings.lock_timeout (default 5 s, 10 ms to 1 hour) bounds how long start_batch,
-- mark_batch_staged and run_kaiser_batch wait for a lock another transaction holds. start_batch
-- applies it inside itself only: the caller's own lock_timeout is untouched. (Waiting behind a
-- real second session: tests/test_loader_isolation.py.)
BEGIN;
SELECT plan(7);

SELECT is((SELECT lock_timeout FROM tracktik.settings), interval '5 seconds', 'the default is 5 seconds');
SELECT throws_ok($$UPDATE tracktik.settings SET lock_timeout = interval '0'$$, '23514', NULL,
                 'no lock_timeout of 0 (which would mean: wait forever)');
SELECT throws_ok($$UPDATE tracktik.settings SET lock_timeout = interval '2 hours'$$, '23514', NULL,
                 'no lock_timeout above an hour');

UPDATE tracktik.settings SET lock_timeout = interval '250 milliseconds';
SELECT is(tracktik._set_lock_timeout(), '250ms', '_set_lock_timeout applies the setting');
SELECT is(current_setting('lock_timeout'), '250ms', '... for the rest of the transaction');

SET LOCAL lock_timeout = '42s';
SELECT ok(tracktik.start_batch('incremental') IS NOT NULL, 'start_batch opens a batch');
SELECT is(current_setting('lock_timeout'), '42s', 'the caller''s lock_timeout is untouched by start_batch');

SELECT pg_advisory_unlock_all();
SELECT * FROM finish();
ROLLBACK;
