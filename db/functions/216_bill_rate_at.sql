-- tracktik.bill_rate_at(position, site, region, date) -> the bill rate in force for one shift
-- (for DBAs: "what would this shift bill at?"). Same logic as the loads.
CREATE OR REPLACE FUNCTION tracktik.bill_rate_at(
    p_position_id bigint, p_client_id bigint, p_region_id bigint, p_date date)
RETURNS TABLE (
    bill_rate               numeric,
    overtime_multiplier     numeric,
    double_time_multiplier  numeric,
    holiday_multiplier      numeric,
    rate_source             text,
    rate_ref                bigint
)
LANGUAGE sql
STABLE
AS $$
    SELECT r.bill_rate, r.overtime_multiplier, r.double_time_multiplier, r.holiday_multiplier,
           r.rate_source, r.rate_ref
      FROM tracktik._bill_rates_for(ARRAY[p_position_id], ARRAY[p_client_id], ARRAY[p_region_id],
                                    ARRAY[p_date]) AS r
$$;

COMMENT ON FUNCTION tracktik.bill_rate_at(bigint, bigint, bigint, date) IS
    'The bill rate in force for a position at a site in a region on a date, its multipliers and its source (position_override, position_bill_setting, client_override, region_override, global_override); NULL values when none, and a NULL rate with source position_bill_setting while a TrackTik setting that is not HOURLY is in force.';
