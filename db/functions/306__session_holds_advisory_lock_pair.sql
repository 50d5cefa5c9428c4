-- tracktik._session_holds_advisory_lock(class integer, obj integer) -> does this session hold
-- the advisory lock taken with pg_advisory_lock(class, obj), in exclusive mode? (The per-batch
-- processing mark.) A shared hold (pg_advisory_lock_shared) does not count.
CREATE OR REPLACE FUNCTION tracktik._session_holds_advisory_lock(p_classid integer, p_objid integer)
RETURNS boolean
LANGUAGE sql
STABLE
AS $$
    SELECT EXISTS (
        SELECT 1 FROM pg_catalog.pg_locks AS l
         WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.mode = 'ExclusiveLock'
           AND l.pid = pg_catalog.pg_backend_pid()
           AND l.database = (SELECT d.oid FROM pg_catalog.pg_database AS d
                              WHERE d.datname = pg_catalog.current_database())
           AND l.classid::integer = p_classid AND l.objid::integer = p_objid)
$$;

COMMENT ON FUNCTION tracktik._session_holds_advisory_lock(integer, integer) IS
    'Internal: true when this session holds the advisory lock pg_advisory_lock(p_classid, p_objid) in exclusive mode (a shared hold does not count).';
