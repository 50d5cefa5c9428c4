-- tracktik._session_holds_advisory_lock(key bigint) -> does this session hold the advisory
-- lock taken with pg_advisory_lock(key), in exclusive mode? (Used to check that internals run
-- inside run_kaiser_batch, which holds its run lock.) A lock held in shared mode
-- (pg_advisory_lock_shared) does not count: any number of sessions can hold that one at once.
CREATE OR REPLACE FUNCTION tracktik._session_holds_advisory_lock(p_key bigint)
RETURNS boolean
LANGUAGE sql
STABLE
AS $$
    SELECT EXISTS (
        SELECT 1 FROM pg_catalog.pg_locks AS l
         WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.mode = 'ExclusiveLock'
           AND l.pid = pg_catalog.pg_backend_pid()
           AND l.database = (SELECT d.oid FROM pg_catalog.pg_database AS d
                              WHERE d.datname = pg_catalog.current_database())
           AND ((l.classid::bigint << 32) | l.objid::bigint) = p_key)
$$;

COMMENT ON FUNCTION tracktik._session_holds_advisory_lock(bigint) IS
    'Internal: true when this session holds the advisory lock pg_advisory_lock(p_key) in exclusive mode (a shared hold does not count).';
