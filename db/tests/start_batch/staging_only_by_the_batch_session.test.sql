-- A loader stages (INSERT / COPY into staging.api_records) only into a batch whose liveness lock
-- its session holds in exclusive mode: the batch it opened and has not marked staged. Otherwise
-- the statement is refused whole (trigger api_records_staged_by_the_batch_session): TT003 when no
-- session holds the lock (released, held only in shared mode, or the batch is staged); TT004 when
-- another session holds it (tests/test_loader_isolation.py). The owner and superusers pass.
-- The statements run as tracktik_loader (SET ROLE) through pg_temp.outcome, which returns 'ok' or
-- the SQLSTATE; the assertions run as the test's superuser again.
BEGIN;
SELECT plan(10);

CREATE FUNCTION pg_temp.outcome(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE p_sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.outcome(text) TO tracktik_loader;

SELECT has_trigger('staging', 'api_records', 'api_records_staged_by_the_batch_session',
                   'staging.api_records has the staging guard');

SET LOCAL ROLE tracktik_loader;
SELECT tracktik.start_batch('incremental') AS b \gset
SELECT tracktik.start_batch('incremental') AS other \gset
SELECT pg_temp.outcome(format($$INSERT INTO staging.api_records (batch_id, resource, record)
                                VALUES (%L, 'regions', '{"id": 1}')$$, :'b')) AS own \gset
SELECT pg_temp.outcome(format($$INSERT INTO staging.api_records (batch_id, resource, record)
                                VALUES (%L, 'regions', '{"id": 2}'), (%L, 'regions', '{"id": 3}')$$,
                              :'b', :'other')) AS both_own \gset
SELECT pg_advisory_unlock(hashtext('tracktik.batch'), hashtext(:'other'));
SELECT pg_temp.outcome(format($$INSERT INTO staging.api_records (batch_id, resource, record)
                                VALUES (%L, 'regions', '{"id": 4}'), (%L, 'regions', '{"id": 5}')$$,
                              :'b', :'other')) AS one_released \gset
SELECT pg_advisory_lock_shared(hashtext('tracktik.batch'), hashtext(:'other'));
SELECT pg_temp.outcome(format($$INSERT INTO staging.api_records (batch_id, resource, record)
                                VALUES (%L, 'regions', '{"id": 6}')$$, :'other')) AS shared \gset
SELECT tracktik.mark_batch_staged(:'b', '{}');
SELECT pg_temp.outcome(format($$INSERT INTO staging.api_records (batch_id, resource, record)
                                VALUES (%L, 'regions', '{"id": 7}')$$, :'b')) AS after_staged \gset
SELECT pg_temp.outcome($$INSERT INTO staging.api_records (batch_id, resource, record)
                         VALUES ('00000000-0000-0000-0000-000000000000', 'regions', '{}')$$) AS unknown \gset
RESET ROLE;

SELECT is(:'own'::text, 'ok', 'the loader stages into the batch it opened');
SELECT is(:'both_own'::text, 'ok', '... and into two of its batches in one statement');
SELECT is(:'one_released'::text, 'TT003', 'a statement with one batch whose liveness lock nobody holds is refused (TT003)');
SELECT is(:'shared'::text, 'TT003', 'a shared hold of the liveness lock does not open the batch for staging');
SELECT is(:'after_staged'::text, 'TT003', 'a batch marked staged takes no more records');
SELECT is(:'unknown'::text, '23514', 'records of an unknown batch still have no partition to land in');
SELECT is((SELECT array_agg((record ->> 'id')::int ORDER BY (record ->> 'id')::int) FROM staging.api_records
            WHERE batch_id IN (:'b', :'other')), ARRAY[1, 2, 3], 'only the accepted statements staged records');

SELECT lives_ok(format($$INSERT INTO staging.api_records (batch_id, resource, record) VALUES (%L, 'regions', '{"id": 8}')$$, :'b'),
                'the owner (a DBA) still stages into any batch');
SELECT lives_ok(format($$INSERT INTO staging.api_records (batch_id, resource, record) VALUES (%L, 'regions', '{"id": 9}')$$, :'other'),
                '... whoever holds its liveness lock');

SELECT pg_advisory_unlock_all();
SELECT * FROM finish();
ROLLBACK;
