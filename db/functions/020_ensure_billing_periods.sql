-- tracktik.ensure_billing_periods(date[]): make sure the calendar row and the fact_shifts
-- partition exist for the billing period of every given date. Returns the number of
-- partitions created. Safe to call concurrently (serialised by a transaction-level
-- advisory lock) and repeatedly.
CREATE OR REPLACE FUNCTION tracktik.ensure_billing_periods(p_dates date[])
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
    v_period_id  text;
    v_created    integer := 0;
    v_conflict   record;
BEGIN
    -- lock: one session creates partitions at a time
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tracktik.ensure_billing_periods'));

    -- calendar rows, set-based
    INSERT INTO tracktik.billing_periods (period_id, start_date, end_date, fiscal_year, period_number)
    SELECT DISTINCT b.period_id, b.start_date, b.end_date, b.fiscal_year, b.period_number
      FROM pg_catalog.unnest(p_dates) AS d(day)
     CROSS JOIN LATERAL tracktik.billing_period_bounds(d.day) AS b
    ON CONFLICT (period_id) DO NOTHING;

    -- guard: a stored period with the same id but other bounds means the anchor moved
    SELECT p.period_id, p.start_date AS stored_start, b.start_date AS computed_start
      INTO v_conflict
      FROM pg_catalog.unnest(p_dates) AS d(day)
     CROSS JOIN LATERAL tracktik.billing_period_bounds(d.day) AS b
      JOIN tracktik.billing_periods AS p ON p.period_id = b.period_id
     WHERE p.start_date <> b.start_date OR p.end_date <> b.end_date
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT005',
            MESSAGE = pg_catalog.format('billing period %s is stored as starting %s but the calendar now computes %s',
                                        v_conflict.period_id, v_conflict.stored_start, v_conflict.computed_start),
            HINT    = 'tracktik.settings.calendar_anchor_date or period_length_days changed after periods were created; restore it.';
    END IF;

    -- partitions: one DDL statement per missing period (DDL cannot be set-based)
    FOR v_period_id IN
        SELECT DISTINCT b.period_id
          FROM pg_catalog.unnest(p_dates) AS d(day)
         CROSS JOIN LATERAL tracktik.billing_period_bounds(d.day) AS b
         WHERE pg_catalog.to_regclass(pg_catalog.format('tracktik.%I', 'fact_shifts_' || b.period_id)) IS NULL
         ORDER BY 1
    LOOP
        EXECUTE pg_catalog.format(
            'CREATE TABLE tracktik.%I PARTITION OF tracktik.fact_shifts FOR VALUES IN (%L)',
            'fact_shifts_' || v_period_id, v_period_id);
        EXECUTE pg_catalog.format(
            'COMMENT ON TABLE tracktik.%I IS %L',
            'fact_shifts_' || v_period_id,
            'Partition of tracktik.fact_shifts for billing period ' || v_period_id || '.');
        v_created := v_created + 1;
    END LOOP;

    RETURN v_created;
END
$$;

COMMENT ON FUNCTION tracktik.ensure_billing_periods(date[]) IS
    'Creates the billing_periods rows and fact_shifts partitions for the periods of the given dates, when missing. Returns the number of partitions created.';
