-- tracktik.calculate_billing(batch, period) -> counts: recomputes the billing (DESIGN.md section
-- 5) of WHOLE employee-workweeks from the stored facts, with the rates and rules in force now,
-- and updates the rows whose billing changed (etl_batch_id = p_batch_id when given).
--
--   p_period_id given  every employee-week of that billing period
--   else               every employee-week the batch touched: weeks holding rows it last
--                      changed, weeks its shifts moved out of (tracktik.fact_shift_moves),
--                      and weeks of shifts on positions whose TrackTik bill setting it changed
--
-- The shift load bills the weeks it touches itself, with the same engine
-- (tracktik._bill_employee_weeks), before writing, so each row is written once; this routine
-- is for re-billing without reloading (a rate or rule corrected, a batch re-checked). To also
-- re-derive hours from raw_data, use CALL tracktik.reprocess_billing_period.
CREATE OR REPLACE FUNCTION tracktik.calculate_billing(p_batch_id uuid, p_period_id text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
SET client_min_messages = warning
AS $$
BEGIN
    -- guard
    IF p_batch_id IS NULL AND p_period_id IS NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT001',
            MESSAGE = 'calculate_billing: give a batch id, a billing period id, or both';
    END IF;
    IF p_batch_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM tracktik.etl_batches AS b WHERE b.batch_id = p_batch_id) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT002',
            MESSAGE = pg_catalog.format('calculate_billing: batch %s not found', p_batch_id);
    END IF;
    IF p_period_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM tracktik.billing_periods AS p WHERE p.period_id = p_period_id) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT001',
            MESSAGE = pg_catalog.format('calculate_billing: billing period %L does not exist', p_period_id),
            HINT    = 'Period ids look like 2025_03; see tracktik.billing_periods.';
    END IF;

    -- lock: one writer of the fact table at a time
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tracktik.fact_shifts'));

    -- the weeks
    PERFORM tracktik._create_billing_worktables();
    IF p_period_id IS NOT NULL THEN
        INSERT INTO pg_temp.tt_bill_weeks (billing_period_id, employee_id, week_start)
        SELECT DISTINCT f.billing_period_id, f.employee_id, bp.start_date + 7 * ((f.shift_date - bp.start_date) / 7)
          FROM tracktik.fact_shifts AS f
          JOIN tracktik.billing_periods AS bp ON bp.period_id = f.billing_period_id
         WHERE f.billing_period_id = p_period_id
        ON CONFLICT DO NOTHING;
    ELSE
        INSERT INTO pg_temp.tt_bill_weeks (billing_period_id, employee_id, week_start)
        SELECT f.billing_period_id, f.employee_id, bp.start_date + 7 * ((f.shift_date - bp.start_date) / 7)
          FROM tracktik.fact_shifts AS f
          JOIN tracktik.billing_periods AS bp ON bp.period_id = f.billing_period_id
         WHERE f.etl_batch_id = p_batch_id
        UNION
        SELECT m.from_period_id, m.from_employee_id, bp.start_date + 7 * ((m.from_shift_date - bp.start_date) / 7)
          FROM tracktik.fact_shift_moves AS m
          JOIN tracktik.billing_periods AS bp ON bp.period_id = m.from_period_id
         WHERE m.batch_id = p_batch_id AND m.from_employee_id IS NOT NULL
        UNION
        SELECT f.billing_period_id, f.employee_id, bp.start_date + 7 * ((f.shift_date - bp.start_date) / 7)
          FROM tracktik.position_bill_settings AS s
          JOIN tracktik.fact_shifts AS f ON f.position_id = s.position_id AND f.shift_date >= s.effective_date
          JOIN tracktik.billing_periods AS bp ON bp.period_id = f.billing_period_id
         WHERE s.etl_batch_id = p_batch_id
        ON CONFLICT DO NOTHING;
    END IF;

    RETURN tracktik._bill_employee_weeks(p_batch_id);
END
$$;

COMMENT ON FUNCTION tracktik.calculate_billing(uuid, text) IS
    'Recomputes the billing of whole employee-weeks from stored facts and current rates/rules: those of a billing period, or those a batch touched (rows it changed, weeks its shifts left, positions whose bill setting it changed); updates rows whose billing changed. TT001 bad arguments, TT002 unknown batch.';
