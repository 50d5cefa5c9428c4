-- depends: 0016_stale_record
-- Loader isolation and bounded waits (issue 11):
--   * tracktik.settings.lock_timeout: how long start_batch, mark_batch_staged and
--     run_kaiser_batch wait for a lock another transaction holds (e.g. a DBA's open
--     transaction) before they give up with TT004 "busy, try again on the next run";
--   * a statement trigger on staging.api_records: a loader session stages only into the batch
--     whose liveness lock (taken by tracktik.start_batch) it holds in exclusive mode. The
--     trigger function's body lives in db/functions/309__staging_insert_guard.sql, re-applied on
--     every migrate; the one created here only lets the trigger exist before that file runs and
--     refuses every insert of a loader until it does.

ALTER TABLE tracktik.settings
    ADD COLUMN lock_timeout interval NOT NULL DEFAULT interval '5 seconds'
        CONSTRAINT settings_lock_timeout_range
        CHECK (lock_timeout >= interval '10 milliseconds' AND lock_timeout <= interval '1 hour');

COMMENT ON COLUMN tracktik.settings.lock_timeout IS
    'Longest wait of start_batch, mark_batch_staged and run_kaiser_batch for a lock held by another transaction (e.g. a DBA''s open transaction); then they fail with TT004 and the next run retries. 10 ms to 1 hour.';

CREATE OR REPLACE FUNCTION tracktik._staging_insert_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = 'TT004',
        MESSAGE = 'staging.api_records: the warehouse routines are not applied yet',
        HINT    = 'Run tracktik-etl migrate.';
END
$$;

CREATE TRIGGER api_records_staged_by_the_batch_session
    AFTER INSERT ON staging.api_records
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tracktik._staging_insert_guard();

COMMENT ON TRIGGER api_records_staged_by_the_batch_session ON staging.api_records IS
    'A loader session stages only into a batch whose liveness lock (tracktik.start_batch) it holds in exclusive mode: TT004 (another session''s batch) or TT003 (no session holds it: the batch is abandoned, staged or finished). The table owner and superusers are not checked.';
