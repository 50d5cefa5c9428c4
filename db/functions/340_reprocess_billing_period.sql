-- CALL tracktik.reprocess_billing_period(period): after a rate, rule, holiday or time-zone
-- change, derive the hours, dimension keys and billing of one billing period again from the
-- stored raw_data, exactly as a load would, and rewrite only what changes.
--
-- Runs in the caller's transaction (no COMMIT: a DBA may BEGIN; CALL ...; inspect; COMMIT), as
-- a batch of type 'reprocess' (etl_batches row, completed at the end) so changed rows and any
-- issue carry its batch id. Waits for a running load (fact-table advisory lock). Every
-- employee-week of the period is billed whole; a shift whose local date now falls in another
-- period moves there (and that week is billed too). TT001: no such period.
CREATE OR REPLACE PROCEDURE tracktik.reprocess_billing_period(p_period_id text)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
    v_batch_id  uuid;
    v_result    jsonb;
BEGIN
    -- guard
    IF p_period_id IS NULL
       OR NOT EXISTS (SELECT 1 FROM tracktik.billing_periods AS p WHERE p.period_id = p_period_id) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT001',
            MESSAGE = pg_catalog.format('reprocess_billing_period: billing period %L does not exist', p_period_id),
            HINT    = 'Period ids look like 2025_03; see tracktik.billing_periods.';
    END IF;

    -- lock: one writer of the fact table at a time
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tracktik.fact_shifts'));

    INSERT INTO tracktik.etl_batches (batch_type, status, staged_at, metadata)
    VALUES ('reprocess', 'running', pg_catalog.now(), pg_catalog.jsonb_build_object('period_id', p_period_id))
    RETURNING batch_id INTO v_batch_id;

    v_result := tracktik._load_shifts(v_batch_id, p_period_id);

    UPDATE tracktik.etl_batches AS b
       SET status = 'completed',
           completed_at = pg_catalog.now(),
           records_processed = coalesce((v_result ->> 'records')::integer, 0) - coalesce((v_result ->> 'failed')::integer, 0),
           records_failed = coalesce((v_result ->> 'failed')::integer, 0),
           metadata = b.metadata || pg_catalog.jsonb_build_object('facts', v_result)
     WHERE b.batch_id = v_batch_id;

    REFRESH MATERIALIZED VIEW CONCURRENTLY tracktik.mv_billing_period_totals;
    RAISE NOTICE 'reprocessed billing period %: % shift(s), % rewritten, % stored row(s) re-billed (batch %)',
        p_period_id, v_result ->> 'facts', v_result ->> 'written', v_result ->> 'stored_rows_rebilled', v_batch_id;
END
$$;

COMMENT ON PROCEDURE tracktik.reprocess_billing_period(text) IS
    'Derives hours, dimension keys and billing of one billing period again from stored raw_data with the current rates and rules (after a change), rewriting only changed rows, as a ''reprocess'' batch in the caller''s transaction. TT001 unknown period.';
