-- tracktik.ensure_billing_period(date) -> period id: the calendar row and fact partition for
-- one date (a convenience over ensure_billing_periods for DBAs and tests).
CREATE OR REPLACE FUNCTION tracktik.ensure_billing_period(p_date date)
RETURNS text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
    IF p_date IS NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT001',
            MESSAGE = 'ensure_billing_period: date must not be NULL';
    END IF;
    PERFORM tracktik.ensure_billing_periods(ARRAY[p_date]);
    RETURN tracktik.get_billing_period(p_date);
END
$$;

COMMENT ON FUNCTION tracktik.ensure_billing_period(date) IS
    'Ensures the billing_periods row and the fact_shifts partition of the period containing a date; returns its period id.';
