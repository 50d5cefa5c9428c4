-- tracktik._load_shifts(batch, period) -> counts: the shift load, step by step, in the caller's
-- transaction. Source: the batch's staged shifts, or with p_period_id the stored raw_data of
-- that billing period (reprocessing: hours, dimensions and billing derived again).
--
--   1. _parse_shift_records   parse once, validate, rank duplicates      -> tt_shift_src
--   2. _resolve_shift_facts   dimensions, time zone, date, period, hours -> tt_fact_new
--   3. _stage_fact_changes    only what changes (not what is older than  -> tt_pending, tt_bill_weeks
--                             the stored row: stale; not a copy of a shift
--                             a REMOVED log deleted: suppressed); weeks
--                             to bill (also those of deleted shifts)
--   4. _bill_employee_weeks   billing of whole employee-weeks           -> tt_bill (+ stored rows)
--   5. _write_fact_changes    delete moved rows, upsert pending rows     -> fact_shifts
CREATE OR REPLACE FUNCTION tracktik._load_shifts(p_batch_id uuid, p_period_id text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
SET work_mem = '64MB'
SET jit = off                       -- compiling these one-shot bulk statements costs more than it saves
AS $$
DECLARE
    v_parse    jsonb;
    v_resolve  jsonb;
    v_stage    jsonb;
    v_bill     jsonb;
    v_write    jsonb;
BEGIN
    v_parse   := tracktik._parse_shift_records(p_batch_id, p_period_id);
    v_resolve := tracktik._resolve_shift_facts(p_batch_id, p_period_id IS NOT NULL);
    v_stage   := tracktik._stage_fact_changes(p_batch_id, p_period_id);
    v_bill    := tracktik._bill_employee_weeks(p_batch_id);
    v_write   := tracktik._write_fact_changes(p_batch_id, p_period_id);

    RETURN pg_catalog.jsonb_build_object(
        'records',      v_parse -> 'records',
        'failed',       v_parse -> 'failed',
        'duplicates',   v_parse -> 'duplicates',
        'warnings',     v_parse -> 'warnings',
        'max_modified_on', v_parse -> 'max_modified_on',
        'facts',        v_resolve -> 'facts',
        'inferred',     v_resolve -> 'inferred',
        'variances',    v_resolve -> 'variances',
        'partitions_created', v_resolve -> 'partitions_created',
        'new',          v_stage -> 'new',
        'changed',      v_stage -> 'changed',
        'moved',        v_stage -> 'moved',
        'stale',        v_stage -> 'stale',
        'unchanged',    (v_parse ->> 'unchanged')::integer
                        + (v_resolve ->> 'facts')::integer - (v_stage ->> 'pending')::integer
                        - (v_stage ->> 'stale')::integer - (v_stage ->> 'suppressed')::integer,
        'suppressed',   v_stage -> 'suppressed',
        'written',      v_write -> 'written',
        'weeks_billed', v_bill -> 'weeks',
        'stored_rows_rebilled', v_bill -> 'stored_rows_updated',
        'missing_rate', v_bill -> 'missing_rate');
END
$$;

COMMENT ON FUNCTION tracktik._load_shifts(uuid, text) IS
    'Internal: the shift load (parse, resolve, compare, bill whole employee-weeks, write) from a batch''s staging or, with a period id, from the period''s stored raw_data. Returns counts.';
