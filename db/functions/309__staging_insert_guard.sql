-- tracktik._staging_insert_guard(): the statement triggers api_records_staged_by_the_batch_session
-- (AFTER INSERT ON staging.api_records, FOR EACH STATEMENT, transition table new_rows; migration
-- 0019_loader_isolation) and rejected_records_staged_by_the_batch_session (the same on
-- staging.rejected_records; migration 0022). A loader session stages only into batches whose liveness lock it holds
-- in exclusive mode, i.e. that it opened with tracktik.start_batch and has not marked staged:
--   TT004  another session holds the batch's liveness lock (another shell is staging it);
--   TT003  no session holds it (its shell ended, or the batch is staged, finished or abandoned).
-- The statement (a COPY of one page) is then rolled back whole. The table owner and superusers
-- (a DBA repairing or testing) are not checked.
--
-- One check per statement and batch, not per row: a COPY of 100,000 records costs one DISTINCT
-- over the transition table and one pg_locks lookup (a BEFORE ROW trigger cost about 4 times the
-- COPY itself). The function runs with the inserting role's rights (a trigger function is not
-- executed through an EXECUTE grant), so it reads only catalogs and calls only pg_catalog.
CREATE OR REPLACE FUNCTION tracktik._staging_insert_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
    v_class   CONSTANT integer := pg_catalog.hashtext('tracktik.batch');
    v_db      oid;
    v_batch   uuid;
    v_holder  integer;
BEGIN
    IF pg_catalog.pg_has_role(CURRENT_USER,
                              (SELECT c.relowner FROM pg_catalog.pg_class AS c WHERE c.oid = TG_RELID),
                              'USAGE') THEN
        RETURN NULL;
    END IF;
    SELECT d.oid INTO v_db FROM pg_catalog.pg_database AS d WHERE d.datname = pg_catalog.current_database();

    FOR v_batch IN SELECT DISTINCT n.batch_id FROM new_rows AS n LOOP
        IF NOT EXISTS (
                SELECT 1 FROM pg_catalog.pg_locks AS l
                 WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.mode = 'ExclusiveLock'
                   AND l.pid = pg_catalog.pg_backend_pid() AND l.database = v_db
                   AND l.classid::integer = v_class
                   AND l.objid::integer = pg_catalog.hashtext(v_batch::text)) THEN
            SELECT l.pid INTO v_holder
              FROM pg_catalog.pg_locks AS l
             WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.mode = 'ExclusiveLock'
               AND l.database = v_db AND l.classid::integer = v_class
               AND l.objid::integer = pg_catalog.hashtext(v_batch::text)
             LIMIT 1;
            IF v_holder IS NULL THEN
                RAISE EXCEPTION USING
                    ERRCODE = 'TT003',
                    MESSAGE = pg_catalog.format('%I.%I: batch %s is not open for staging',
                                                TG_TABLE_SCHEMA, TG_TABLE_NAME, v_batch),
                    DETAIL  = 'No session holds its liveness lock: it is staged, finished or abandoned, or the session that opened it has ended.',
                    HINT    = 'Open a new batch with tracktik.start_batch and stage into that one.';
            END IF;
            RAISE EXCEPTION USING
                ERRCODE = 'TT004',
                MESSAGE = pg_catalog.format('%I.%I: batch %s is being staged by another session (pid %s)',
                                            TG_TABLE_SCHEMA, TG_TABLE_NAME, v_batch, v_holder),
                HINT    = 'Only the session that opened a batch (tracktik.start_batch) may stage into it; open your own batch.';
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION tracktik._staging_insert_guard() IS
    'Trigger (statement, after insert on staging.api_records and staging.rejected_records): a loader stages only into a batch whose liveness lock it holds in exclusive mode; TT004 another session''s batch, TT003 a batch nobody is staging. Owner and superusers pass.';
