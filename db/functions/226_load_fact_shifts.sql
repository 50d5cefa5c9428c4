-- tracktik.load_fact_shifts(batch) -> counts: loads a staged batch's shifts into
-- tracktik.fact_shifts, billed, in the caller's transaction (run_kaiser_batch calls it after the
-- dimension merge).
--
-- First the batch's TrackTik bill settings (embedded in its positions records, or staged as
-- position-bill-settings: the rates the shifts bill at; in a full sync of position-bill-settings
-- the settings a post no longer lists are deleted: tracktik._delete_absent_bill_settings), then
-- the shifts TrackTik deleted (tracktik._delete_shifts: /shift-logs REMOVED, or absent from a
-- full sync of the batch's shift_window; out of fact_shifts into tracktik.deleted_shifts, their
-- weeks re-billed by the load), then the
-- shifts (tracktik._load_shifts): parsed once, validated (bad records skipped with an issue,
-- the rest loads), dimensions and surrogate keys valid at shift start, local date and billing
-- period (partitions ensured), hours, then billing of every employee-week the batch touches,
-- and finally an upsert that rewrites only rows whose content changed. Serialised with every
-- other writer of the fact table by a transaction advisory lock.
--
-- Returns {"records", "failed", "duplicates", "warnings", "max_modified_on", "facts", "inferred",
-- "variances", "partitions_created", "new", "changed", "moved", "stale", "unchanged", "written",
-- "weeks_billed", "stored_rows_rebilled", "missing_rate", "suppressed", "deleted",
-- "deleted_full_sync", "deleted_shift_log", "shift_logs_applied", "delete_blocked",
-- "window_stored", "restored" (deletions of shifts loaded again, tracktik._mark_restored_shifts),
-- "bill_settings": {..., "deleted", "restored"}, "billing_configuration": {...} (tracktik.
-- _load_billing_configuration), "reconciliation": {"items", "shifts_compared", "differ", ...}}.
CREATE OR REPLACE FUNCTION tracktik.load_fact_shifts(p_batch_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
    v_settings  jsonb;
    v_deletes   jsonb;
    v_facts     jsonb;
    v_restored  integer;
    v_config    jsonb;
    v_recon     jsonb;
BEGIN
    -- guard
    IF p_batch_id IS NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT001',
            MESSAGE = 'load_fact_shifts: batch id must not be NULL';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM tracktik.etl_batches AS b WHERE b.batch_id = p_batch_id) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT002',
            MESSAGE = pg_catalog.format('load_fact_shifts: batch %s not found', p_batch_id);
    END IF;

    -- lock: one writer of the fact table at a time
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tracktik.fact_shifts'));

    v_settings := tracktik._load_position_bill_settings(p_batch_id);
    -- bill settings the posts no longer list, TrackTik's billing configuration (posts'
    -- settings, overtime rules, holidays: posts whose configuration changed are re-billed),
    -- then shifts TrackTik deleted (their weeks are re-billed by the shift load), then the
    -- shifts; deletions of shifts loaded again restored; finally what TrackTik billed and the
    -- reconciliation of every shift it concerns
    v_settings := v_settings || tracktik._delete_absent_bill_settings(p_batch_id);
    v_config := tracktik._load_billing_configuration(p_batch_id);
    v_deletes := tracktik._delete_shifts(p_batch_id);
    v_facts := tracktik._load_shifts(p_batch_id, NULL);
    v_restored := tracktik._mark_restored_shifts(p_batch_id);
    v_recon := tracktik._load_billable_items(p_batch_id);
    v_recon := v_recon || tracktik._reconcile_billing(p_batch_id);
    RETURN v_facts
           || v_deletes
           || pg_catalog.jsonb_build_object('restored', v_restored, 'bill_settings', v_settings,
                                            'billing_configuration', v_config, 'reconciliation', v_recon);
END
$$;

COMMENT ON FUNCTION tracktik.load_fact_shifts(uuid) IS
    'Loads a staged batch''s TrackTik billing configuration (posts'' billing settings, overtime rules, holidays; versioned) and bill settings (embedded in its positions records or staged on their own; in a full sync, settings a post no longer lists are deleted), deletes the shifts TrackTik deleted (shift-logs REMOVED, or absent from a full sync of the batch''s shift_window; kept in tracktik.deleted_shifts) and loads its shifts into tracktik.fact_shifts with hours and billing of every touched employee-week, in the caller''s transaction; bad records skipped with data-quality issues; unchanged rows never rewritten; then loads TrackTik''s billable items and reconciles every shift they or the batch concern (billing_variance issues). Returns counts. TT001 NULL batch, TT002 unknown batch, TT020 shift in two periods, TT021 bad default time zone.';
