-- tracktik._scd2_refuse_overlaps() -> trigger: no two versions of one natural id of an SCD2
-- dimension may have overlapping validity ranges [valid_from, valid_to) (NULL valid_to: open).
--
-- The statement-level AFTER INSERT and AFTER UPDATE triggers dim_*_no_overlap_insert /
-- _update (migration 0025) run it with the transition table new_rows and the natural id
-- column as TG_ARGV[0]. It replaces the GiST exclusion constraints dim_*_no_overlap, which
-- cost about 11-25 us per written version, by one set-based check per statement:
--
--   1. serialise  the table's row of tracktik.scd2_write_serial is updated (inserted the first
--                 time): a concurrent writer of the same dimension waits for this transaction
--                 (READ COMMITTED: then it checks against what this one committed) or fails
--                 with 40001 (REPEATABLE READ, SERIALIZABLE), so two transactions can never
--                 each add a version overlapping the other's;
--   2. check      each written row against the other versions of its id (a hash join for a
--                 large statement, probes of dim_*_id_valid_from for a few rows; planned per
--                 statement, so with the real number of written rows): the first overlap found
--                 raises 23P01 (exclusion_violation) naming dim_<table>_no_overlap, as the
--                 constraint did, with the id and both ranges in DETAIL.
--
-- Every write is checked, a DBA's manual INSERT or UPDATE too, multi-row statements included
-- (rows of one statement are checked against each other); DELETE and TRUNCATE cannot create
-- an overlap. The check is immediate (at the end of each statement), so writers close or
-- shrink a version before they insert the one that follows it (the merge does). Owner's rights,
-- so that any writer can update the serialising row.
CREATE OR REPLACE FUNCTION tracktik._scd2_refuse_overlaps()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
SET jit = off
AS $$
DECLARE
    v_id_column  text := TG_ARGV[0];
    v_clash      record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM new_rows) THEN
        RETURN NULL;
    END IF;

    -- 1. serialise the writers of this dimension
    INSERT INTO tracktik.scd2_write_serial AS w (table_name, writes)
    VALUES (TG_TABLE_NAME, 1)
    ON CONFLICT (table_name) DO UPDATE SET writes = w.writes + 1;

    -- 2. check: a written row overlapping another version of its id
    EXECUTE pg_catalog.format($sql$
        SELECT n.%1$I AS id, n.valid_from AS new_from, n.valid_to AS new_to,
               d.valid_from AS old_from, d.valid_to AS old_to
          FROM new_rows AS n
          JOIN tracktik.%2$I AS d
            ON d.%1$I = n.%1$I AND d.surrogate_key <> n.surrogate_key
           AND pg_catalog.tstzrange(d.valid_from, d.valid_to, '[)')
               OPERATOR(pg_catalog.&&) pg_catalog.tstzrange(n.valid_from, n.valid_to, '[)')
         LIMIT 1$sql$,
        v_id_column, TG_TABLE_NAME)
      INTO v_clash;
    IF v_clash.id IS NOT NULL THEN
        RAISE EXCEPTION USING
            ERRCODE    = 'exclusion_violation',
            MESSAGE    = pg_catalog.format('conflicting key value violates exclusion constraint "%s_no_overlap"',
                                           TG_TABLE_NAME),
            DETAIL     = pg_catalog.format('%s %s: the version [%s, %s) overlaps the version [%s, %s).',
                                           v_id_column, v_clash.id, v_clash.new_from,
                                           coalesce(v_clash.new_to::text, 'open'), v_clash.old_from,
                                           coalesce(v_clash.old_to::text, 'open')),
            HINT       = 'Close or shrink the version that is valid first, then write the one that follows it.',
            SCHEMA     = TG_TABLE_SCHEMA,
            TABLE      = TG_TABLE_NAME,
            CONSTRAINT = TG_TABLE_NAME || '_no_overlap';
    END IF;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION tracktik._scd2_refuse_overlaps() IS
    'Trigger (dim_*_no_overlap_insert / _update, statement level, transition table new_rows, TG_ARGV[0] = natural id column): refuses with 23P01 any INSERT or UPDATE that leaves two versions of one id with overlapping [valid_from, valid_to) ranges; serialises concurrent writers of a dimension through tracktik.scd2_write_serial.';
