-- tracktik._holidays_for(dates, region ids) -> for each (date, region) pair of the two
-- parallel arrays: whether it is a holiday by the local tables and which — the answer of
-- tracktik._holiday_sources_for (where the precedence is written) without its source.
CREATE OR REPLACE FUNCTION tracktik._holidays_for(p_dates date[], p_region_ids bigint[])
RETURNS TABLE (holiday_date date, region_id bigint, is_holiday boolean, holiday_name text)
LANGUAGE sql
STABLE
PARALLEL SAFE
AS $$
    SELECT s.holiday_date, s.region_id, s.is_holiday, s.holiday_name
      FROM tracktik._holiday_sources_for(p_dates, p_region_ids) AS s
$$;

COMMENT ON FUNCTION tracktik._holidays_for(date[], bigint[]) IS
    'For each (date, region) pair of two parallel arrays: is it a holiday (holiday_dates of the nearest region, else all regions; else holiday_rules, a DBA''s before the shipped ones) and its name.';
