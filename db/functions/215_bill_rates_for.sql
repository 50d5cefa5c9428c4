-- tracktik._bill_rates_for(positions, sites, regions, dates) -> the bill rate in force for each
-- (position, site, region, date) of four parallel arrays, with its multipliers and where it
-- came from. Most specific first (DESIGN.md section 5):
--   1. position_override      tracktik.bill_rate_overrides, scope 'position'
--   2. position_bill_setting  tracktik.position_bill_settings (TrackTik): the setting with the
--                             latest effective_date on or before the date. Only an HOURLY
--                             setting gives a rate: while any
--                             other is in force the post has none (bill_rate and multipliers
--                             NULL, rate_source position_bill_setting, rate_ref the setting):
--                             its shifts are never billed at an hourly rate, and the less
--                             specific levels below do not apply
--   3. client_override        bill_rate_overrides, scope 'client' (the site)
--   4. region_override        bill_rate_overrides, scope 'region': the site's region, else the
--                             nearest ancestor region that has one (walked up the tree)
--   5. global_override        bill_rate_overrides, scope 'global'
-- A multiplier the winning rate leaves NULL comes from tracktik.settings. No rate at any
-- level: every rate column is NULL and rate_source is NULL.
--
-- overtime_explicit / double_time_explicit / holiday_explicit: the winning level's own
-- multiplier (NULL: the level leaves it to the overtime rule or the defaults); overtime_rate /
-- double_time_rate: a TrackTik bill setting with overtimeRateType RATE (customOvertimeRate1/2,
-- fixed hourly rates of overtime / double-time hours). The engine (tracktik._bill_employee_weeks)
-- lets an explicit value win over TrackTik's overtime rule items (precedence, docs/billing.md).
--
-- Set-based (hash joins on the distinct combinations), so a load resolves 100,000 shifts in
-- one statement.
DROP FUNCTION IF EXISTS tracktik._bill_rates_for(bigint[], bigint[], bigint[], date[]);
CREATE OR REPLACE FUNCTION tracktik._bill_rates_for(
    p_position_ids bigint[], p_client_ids bigint[], p_region_ids bigint[], p_dates date[])
RETURNS TABLE (
    position_id             bigint,
    client_id               bigint,
    region_id               bigint,
    rate_date               date,
    bill_rate               numeric,
    overtime_multiplier     numeric,
    double_time_multiplier  numeric,
    holiday_multiplier      numeric,
    rate_source             text,
    rate_ref                bigint,
    overtime_explicit       numeric,
    double_time_explicit    numeric,
    holiday_explicit        numeric,
    overtime_rate           numeric,
    double_time_rate        numeric
)
LANGUAGE sql
STABLE
PARALLEL SAFE
AS $$
    WITH combos AS (
        SELECT DISTINCT u.pos, u.cli, u.reg, u.d
          FROM unnest(p_position_ids, p_client_ids, p_region_ids, p_dates) AS u(pos, cli, reg, d)
         WHERE u.d IS NOT NULL
    ), overrides AS (
        SELECT o.*, daterange(o.effective_from, o.effective_to, '[)') AS span
          FROM tracktik.bill_rate_overrides AS o
    ), settings_spans AS (
        SELECT b.*,
               daterange(b.effective_date,
                         lead(b.effective_date) OVER (PARTITION BY b.position_id
                                                      ORDER BY b.effective_date, b.setting_id),
                         '[)') AS span
          FROM tracktik.position_bill_settings AS b
         WHERE b.position_id IN (SELECT c.pos FROM combos AS c)
    ), region_rates AS (
        SELECT DISTINCT ON (c.reg, c.d) c.reg, c.d, o.rate_id, o.bill_rate, o.overtime_multiplier,
               o.double_time_multiplier, o.holiday_multiplier
          FROM (SELECT DISTINCT c0.reg, c0.d FROM combos AS c0 WHERE c0.reg IS NOT NULL) AS c
          JOIN tracktik._region_lineage(p_region_ids) AS l ON l.region_id = c.reg
          JOIN overrides AS o ON o.scope = 'region' AND o.scope_id = l.ancestor_id AND o.span @> c.d
         ORDER BY c.reg, c.d, l.depth
    ), resolved AS (
        SELECT c.pos, c.cli, c.reg, c.d,
               CASE WHEN po.rate_id IS NOT NULL THEN 1
                    WHEN bs.setting_id IS NOT NULL THEN 2
                    WHEN co.rate_id IS NOT NULL THEN 3
                    WHEN rr.rate_id IS NOT NULL THEN 4
                    WHEN go.rate_id IS NOT NULL THEN 5 END AS level,
               po.rate_id AS po_id, po.bill_rate AS po_rate, po.overtime_multiplier AS po_ot,
               po.double_time_multiplier AS po_dt, po.holiday_multiplier AS po_hol,
               bs.setting_id AS bs_id, bs.bill_rate AS bs_rate, bs.overtime_multiplier AS bs_ot,
               bs.double_time_multiplier AS bs_dt,
               (bs.billing_type = 'HOURLY') AS bs_hourly, bs.overtime_rate AS bs_otr, bs.double_time_rate AS bs_dtr,
               co.rate_id AS co_id, co.bill_rate AS co_rate, co.overtime_multiplier AS co_ot,
               co.double_time_multiplier AS co_dt, co.holiday_multiplier AS co_hol,
               rr.rate_id AS rr_id, rr.bill_rate AS rr_rate, rr.overtime_multiplier AS rr_ot,
               rr.double_time_multiplier AS rr_dt, rr.holiday_multiplier AS rr_hol,
               go.rate_id AS go_id, go.bill_rate AS go_rate, go.overtime_multiplier AS go_ot,
               go.double_time_multiplier AS go_dt, go.holiday_multiplier AS go_hol
          FROM combos AS c
          LEFT JOIN overrides AS po ON po.scope = 'position' AND po.scope_id = c.pos AND po.span @> c.d
          LEFT JOIN settings_spans AS bs ON bs.position_id = c.pos AND bs.span @> c.d
          LEFT JOIN overrides AS co ON co.scope = 'client' AND co.scope_id = c.cli AND co.span @> c.d
          LEFT JOIN region_rates AS rr ON rr.reg = c.reg AND rr.d = c.d
          LEFT JOIN overrides AS go ON go.scope = 'global' AND go.span @> c.d
    )
    SELECT r.pos, r.cli, r.reg, r.d,
           CASE r.level WHEN 1 THEN r.po_rate WHEN 2 THEN CASE WHEN r.bs_hourly THEN r.bs_rate END
                        WHEN 3 THEN r.co_rate WHEN 4 THEN r.rr_rate WHEN 5 THEN r.go_rate END,
           CASE WHEN r.level IS NOT NULL AND (r.level <> 2 OR r.bs_hourly) THEN coalesce(
               CASE r.level WHEN 1 THEN r.po_ot WHEN 2 THEN r.bs_ot WHEN 3 THEN r.co_ot
                            WHEN 4 THEN r.rr_ot WHEN 5 THEN r.go_ot END,
               s.default_overtime_multiplier) END,
           CASE WHEN r.level IS NOT NULL AND (r.level <> 2 OR r.bs_hourly) THEN coalesce(
               CASE r.level WHEN 1 THEN r.po_dt WHEN 2 THEN r.bs_dt WHEN 3 THEN r.co_dt
                            WHEN 4 THEN r.rr_dt WHEN 5 THEN r.go_dt END,
               s.default_double_time_multiplier) END,
           CASE WHEN r.level IS NOT NULL AND (r.level <> 2 OR r.bs_hourly) THEN coalesce(
               CASE r.level WHEN 1 THEN r.po_hol WHEN 3 THEN r.co_hol
                            WHEN 4 THEN r.rr_hol WHEN 5 THEN r.go_hol END,
               s.default_holiday_multiplier) END,
           CASE r.level WHEN 1 THEN 'position_override' WHEN 2 THEN 'position_bill_setting'
                        WHEN 3 THEN 'client_override' WHEN 4 THEN 'region_override'
                        WHEN 5 THEN 'global_override' END,
           CASE r.level WHEN 1 THEN r.po_id WHEN 2 THEN r.bs_id WHEN 3 THEN r.co_id
                        WHEN 4 THEN r.rr_id WHEN 5 THEN r.go_id END,
           CASE WHEN r.level <> 2 OR r.bs_hourly THEN
                CASE r.level WHEN 1 THEN r.po_ot WHEN 2 THEN r.bs_ot WHEN 3 THEN r.co_ot
                             WHEN 4 THEN r.rr_ot WHEN 5 THEN r.go_ot END END,
           CASE WHEN r.level <> 2 OR r.bs_hourly THEN
                CASE r.level WHEN 1 THEN r.po_dt WHEN 2 THEN r.bs_dt WHEN 3 THEN r.co_dt
                             WHEN 4 THEN r.rr_dt WHEN 5 THEN r.go_dt END END,
           CASE r.level WHEN 1 THEN r.po_hol WHEN 3 THEN r.co_hol WHEN 4 THEN r.rr_hol WHEN 5 THEN r.go_hol END,
           CASE WHEN r.level = 2 AND r.bs_hourly THEN r.bs_otr END,
           CASE WHEN r.level = 2 AND r.bs_hourly THEN r.bs_dtr END
      FROM resolved AS r
     CROSS JOIN tracktik.settings AS s
$$;

COMMENT ON FUNCTION tracktik._bill_rates_for(bigint[], bigint[], bigint[], date[]) IS
    'Bill rate in force, multipliers and source for each (position, site, region, date) of four parallel arrays: position override, TrackTik position-bill-setting (HOURLY only: another billing type in force leaves the post without a rate), site, region (nearest ancestor), global.';
