-- tracktik._lock_dimension(dimension): the transaction-level advisory lock that serialises
-- every writer of one SCD2 dimension (merge, inferred members, rehash). Take several in
-- tracktik.scd2_dimensions.merge_order to avoid deadlocks.
CREATE OR REPLACE FUNCTION tracktik._lock_dimension(p_dimension text)
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = ''
AS $$
    SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tracktik.scd2'),
                                            pg_catalog.hashtext(p_dimension))
$$;

COMMENT ON FUNCTION tracktik._lock_dimension(text) IS
    'Internal: waits for and takes the transaction-level advisory lock of one SCD2 dimension (key hashtext(''tracktik.scd2''), hashtext(dimension)).';
