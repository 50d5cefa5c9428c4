-- tracktik.is_holiday(date, region id) -> whether shifts of that region on that local date
-- bill as holiday hours (for DBAs; the loads use tracktik._holidays_for set-based).
CREATE OR REPLACE FUNCTION tracktik.is_holiday(p_date date, p_region_id bigint DEFAULT NULL)
RETURNS boolean
LANGUAGE sql
STABLE
AS $$
    SELECT coalesce((SELECT h.is_holiday FROM tracktik._holidays_for(ARRAY[p_date], ARRAY[p_region_id]) AS h), false)
$$;

COMMENT ON FUNCTION tracktik.is_holiday(date, bigint) IS
    'True when a date is a billing holiday for a region (NULL region: the all-regions holidays): holiday_dates first, then holiday_rules.';
