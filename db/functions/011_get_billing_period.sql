-- tracktik.get_billing_period(date) -> 'YYYY_PP' (contract name).
CREATE OR REPLACE FUNCTION tracktik.get_billing_period(p_date date)
RETURNS text
LANGUAGE sql
STABLE
STRICT
PARALLEL SAFE
AS $$
    SELECT b.period_id FROM tracktik.billing_period_bounds(p_date) AS b
$$;

COMMENT ON FUNCTION tracktik.get_billing_period(date) IS
    'Billing period id (''YYYY_PP'') of a date: 14-day periods continuous from the anchor 2024-12-27, numbered within the year of their end date. NULL for NULL.';
