-- tracktik._bill_employee_weeks(batch) -> counts. The billing engine (DESIGN.md section 5 and
-- docs/billing.md), set-based, over WHOLE employee-periods (both workweeks of each billing
-- period that a week to bill belongs to: a BI-WEEKLY rule and consecutive days span them):
--
--   rows   the pending rows of the current load (pg_temp.tt_pending, not yet written) plus
--          every stored fact of those employee-periods that is not superseded by a pending row;
--   result pg_temp.tt_bill (one row per shift with its billing); stored facts whose billing
--          changed are updated here (etl_batch_id = the batch, updated_at = now()); the
--          caller writes the pending rows with their billing.
--
-- Configuration of a shift, each piece by precedence DBA's local row > TrackTik > shipped
-- default, TrackTik's the version valid at the shift's start (tracktik.api_*):
--   rate         tracktik._bill_rates_for on shift_date (position override, TrackTik bill
--                setting history, the TrackTik billing setting's own rate, site, region,
--                global); none: every bill column NULL and a missing_bill_rate warning
--   setting      the post's TrackTik billing setting (tracktik.api_position_billing): type
--                (not HOURLY: unsupported_billing_type, bill NULL, unless a DBA's position
--                override gives the rate), billBreaks (ALL: the break is billed too;
--                REST_ONLY / MEAL_ONLY with a break: unsupported_bill_breaks, bill NULL),
--                discountRate, holiday treatment, holiday group, overtime rule
--   rule         a DBA's overtime_rules row of the region, else the setting's TrackTik rule
--                (api_overtime_rules, items snapshot), else the shipped rule of the region;
--                a rule is a profile: period length, method, and tiers per item kind
--   holiday      a DBA's holiday_dates / holiday_rules row, else the setting's holiday group
--                (its dates), else the shipped holiday rules
--
-- Hours (h = billable hours, plus the break under billBreaks ALL), per employee in start order
-- (ties by shift id; a vacant shift stands alone), with tiers [lo, hi) of each item kind:
--   DAILY        the part of the day's running total (shift_date) in [lo, hi)
--   PERIOD       the part of the period's running total (workweek, or billing period for
--                BI-WEEKLY) in [lo, hi)
--   CONSECUTIVE  all hours of the k-th consecutive worked day of the period, k in [lo, hi)
--   DAY_SPECIFIC all hours on ISO weekday lo
--   HOLIDAY      holiday hours beyond lo in the day at the item's rate; the other holiday
--                hours at the setting's holiday treatment (REGULAR: rate x multiplier; RATE:
--                holidayRate)
--   SEQUENTIAL   holiday, consecutive days, day specific claim a whole shift in that order;
--                otherwise DAILY then PERIOD on the hours DAILY left; claimed overtime hours
--                do not count toward PERIOD (holiday hours do)
--   BEST_OF      each kind evaluated alone (PERIOD on all hours); the shift bills under the
--                kind with the largest premium (ties in the SEQUENTIAL order)
--   premium/hour of an overtime tier of level L (1 overtime, 2 double time): a bill setting's
--                custom rate of L (overtimeRateType RATE) - rate; else the rate level's own
--                multiplier of L (DBA override, bill setting custom/NO_PREMIUMS); else the
--                item's RATE amount - rate or rate x (multiplier - 1); else the default of L
--   not billable overtime (a local rule's overtime_billable false): regular rate, 0 hours
-- Money:
--   bill_overtime_hours  = overtime + double-time hours
--   bill_overtime_impact = round(sum of overtime premiums, 2)
--   bill_holiday_impact  = round(sum of holiday premiums, 2)
--   bill_total           = (round(h x rate, 2) + both impacts) - round(that x discountRate / 100, 2)
--   bill_rate_effective  = round(bill_total / h, 2), NULL when h = 0
--   range        every amount is computed unbounded and checked before it is stored: a shift
--                whose amounts would not fit NUMERIC(10,2) gets every bill column NULL and an
--                error billing_out_of_range issue naming it (the rest of the batch bills)
--   issues       once while open (ON CONFLICT DO NOTHING); a shift billed here with a rate in
--                range, or without billable hours, resolves its open missing_bill_rate /
--                billing_out_of_range / unsupported_* issues (resolution_note names the batch)
CREATE OR REPLACE FUNCTION tracktik._bill_employee_weeks(p_batch_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
SET work_mem = '64MB'
SET enable_mergejoin = off           -- hash joins on the lookup keys, no sorts of 100,000 rows
SET jit = off                       -- compiling these one-shot bulk statements costs more than it saves
SET default_statistics_target = 10  -- ANALYZE of the work tables: a 3,000-row sample gives the planner
                                    -- sizes and distinct counts; the default 30,000 cost ~0.1 s per table
SET client_min_messages = warning   -- no NOTICE for DROP TABLE IF EXISTS of the work tables
AS $$
DECLARE
    v_periods     text[];
    v_pos         bigint[];
    v_cli         bigint[];
    v_reg         bigint[];
    v_dates       date[];
    v_rows        integer;
    v_weeks       integer;
    v_stored      integer;
    v_updated     integer;
    v_missing     integer;
    v_consec      boolean;
    v_settings    tracktik.settings;
BEGIN
    SELECT * INTO v_settings FROM tracktik.settings;
    SELECT count(*)::integer INTO v_weeks FROM pg_temp.tt_bill_weeks;
    -- whole employee-periods: every week of the period of each employee-week to bill
    INSERT INTO pg_temp.tt_bill_weeks (billing_period_id, employee_id, week_start)
    SELECT DISTINCT w.billing_period_id, w.employee_id, gs.d::date
      FROM pg_temp.tt_bill_weeks AS w
      JOIN tracktik.billing_periods AS bp ON bp.period_id = w.billing_period_id
     CROSS JOIN LATERAL pg_catalog.generate_series(bp.start_date::timestamp, bp.end_date::timestamp, interval '7 days') AS gs(d)
     WHERE w.employee_id IS NOT NULL
    ON CONFLICT DO NOTHING;

    v_periods := ARRAY(SELECT DISTINCT w.billing_period_id FROM pg_temp.tt_bill_weeks AS w
                       UNION SELECT DISTINCT p.billing_period_id FROM pg_temp.tt_pending AS p);

    -- rows: pending rows, and the stored rows of every week to bill that they do not replace
    DROP TABLE IF EXISTS pg_temp.tt_bill_in;
    CREATE TEMPORARY TABLE tt_bill_in (
        source             "char"       NOT NULL,   -- p: pending, s: stored
        shift_id           bigint       NOT NULL,
        billing_period_id  text         NOT NULL,
        employee_id        bigint,
        position_id        bigint,
        client_id          bigint,
        region_id          bigint,
        shift_date         date         NOT NULL,
        week_start         date         NOT NULL,
        start_datetime     timestamptz  NOT NULL,
        h                  numeric      NOT NULL,
        brk                numeric      NOT NULL    -- unpaid break hours ((end - start) - scheduled)
    ) ON COMMIT DROP;

    INSERT INTO pg_temp.tt_bill_in
    SELECT 'p', p.shift_id, p.billing_period_id, p.employee_id, p.position_id, p.client_id, p.region_id,
           p.shift_date, p.week_start, p.start_datetime, coalesce(p.billable_hours, 0),
           greatest(0, pg_catalog.round(extract(epoch FROM p.end_datetime - p.start_datetime) / 3600, 2)
                       - coalesce(p.scheduled_hours, 0))
      FROM pg_temp.tt_pending AS p
    UNION ALL
    SELECT 's', f.shift_id, f.billing_period_id, f.employee_id, f.position_id, f.client_id, f.region_id,
           f.shift_date, w.week_start, f.start_datetime, coalesce(f.billable_hours, 0),
           greatest(0, pg_catalog.round(extract(epoch FROM f.end_datetime - f.start_datetime) / 3600, 2)
                       - coalesce(f.scheduled_hours, 0))
      FROM pg_temp.tt_bill_weeks AS w
      JOIN tracktik.fact_shifts AS f
        ON f.billing_period_id = w.billing_period_id AND f.employee_id = w.employee_id
       AND f.shift_date >= w.week_start AND f.shift_date < w.week_start + 7
     WHERE w.employee_id IS NOT NULL
       AND f.billing_period_id = ANY (v_periods)
       AND NOT EXISTS (SELECT 1 FROM pg_temp.tt_pending AS p WHERE p.shift_id = f.shift_id)
    UNION ALL
    SELECT 's', f.shift_id, f.billing_period_id, f.employee_id, f.position_id, f.client_id, f.region_id,
           f.shift_date, w.week_start, f.start_datetime, coalesce(f.billable_hours, 0),
           greatest(0, pg_catalog.round(extract(epoch FROM f.end_datetime - f.start_datetime) / 3600, 2)
                       - coalesce(f.scheduled_hours, 0))
      FROM pg_temp.tt_bill_weeks AS w
      JOIN tracktik.fact_shifts AS f
        ON f.billing_period_id = w.billing_period_id AND f.employee_id IS NULL
       AND f.shift_date >= w.week_start AND f.shift_date < w.week_start + 7
     WHERE w.employee_id IS NULL
       AND f.billing_period_id = ANY (v_periods)
       AND NOT EXISTS (SELECT 1 FROM pg_temp.tt_pending AS p WHERE p.shift_id = f.shift_id);
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    ANALYZE pg_temp.tt_bill_in (shift_id, position_id, client_id, region_id, shift_date);

    -- lookups, once per distinct combination: rate, holiday, local overtime rule
    SELECT pg_catalog.array_agg(c.position_id), pg_catalog.array_agg(c.client_id),
           pg_catalog.array_agg(c.region_id), pg_catalog.array_agg(c.shift_date)
      INTO v_pos, v_cli, v_reg, v_dates
      FROM (SELECT DISTINCT i.position_id, i.client_id, i.region_id, i.shift_date FROM pg_temp.tt_bill_in AS i) AS c;

    DROP TABLE IF EXISTS pg_temp.tt_bill_rates;
    CREATE TEMPORARY TABLE tt_bill_rates (
        position_id bigint, client_id bigint, region_id bigint, rate_date date, bill_rate numeric,
        overtime_multiplier numeric, double_time_multiplier numeric, holiday_multiplier numeric,
        rate_source text, rate_ref bigint, overtime_explicit numeric, double_time_explicit numeric,
        holiday_explicit numeric, overtime_rate numeric, double_time_rate numeric
    ) ON COMMIT DROP;
    INSERT INTO pg_temp.tt_bill_rates SELECT * FROM tracktik._bill_rates_for(v_pos, v_cli, v_reg, v_dates);

    DROP TABLE IF EXISTS pg_temp.tt_bill_holidays;
    CREATE TEMPORARY TABLE tt_bill_holidays (
        holiday_date date, region_id bigint, is_holiday boolean, holiday_name text, source text
    ) ON COMMIT DROP;
    INSERT INTO pg_temp.tt_bill_holidays SELECT * FROM tracktik._holiday_sources_for(v_dates, v_reg);

    DROP TABLE IF EXISTS pg_temp.tt_bill_rules;
    CREATE TEMPORARY TABLE tt_bill_rules ON COMMIT DROP AS
    SELECT r.*, coalesce(o.is_shipped_default, true) AS is_shipped_default
      FROM tracktik._overtime_rules_for(v_reg) AS r
      LEFT JOIN tracktik.overtime_rules AS o ON o.rule_id = r.rule_id;

    ANALYZE pg_temp.tt_bill_rates;
    ANALYZE pg_temp.tt_bill_holidays;
    ANALYZE pg_temp.tt_bill_rules;

    -- profiles (a rule as the engine applies it) and their tiers ---------------------------------
    DROP TABLE IF EXISTS pg_temp.tt_bill_profiles;
    CREATE TEMPORARY TABLE tt_bill_profiles (
        profile text PRIMARY KEY, period_length text NOT NULL, method text NOT NULL, ot_billable boolean NOT NULL
    ) ON COMMIT DROP;
    DROP TABLE IF EXISTS pg_temp.tt_bill_tiers;
    CREATE TEMPORARY TABLE tt_bill_tiers (
        profile text NOT NULL, kind text NOT NULL, lo numeric NOT NULL, hi numeric,
        rate_type text NOT NULL, mult numeric, amount numeric, lvl integer NOT NULL
    ) ON COMMIT DROP;
    -- local rules (shipped or a DBA's): DAILY daily_after / double_after, PERIOD weekly_after, WEEKLY, SEQUENTIAL
    INSERT INTO pg_temp.tt_bill_profiles
    SELECT DISTINCT 'L' || r.rule_id, 'WEEKLY', 'SEQUENTIAL', coalesce(r.overtime_billable, true)
      FROM pg_temp.tt_bill_rules AS r WHERE r.rule_id IS NOT NULL;
    INSERT INTO pg_temp.tt_bill_tiers
    SELECT DISTINCT 'L' || r.rule_id, t.kind, t.lo, t.hi, 'MULTIPLIER', NULL::numeric, NULL::numeric, t.lvl
      FROM pg_temp.tt_bill_rules AS r
     CROSS JOIN LATERAL (VALUES
            ('DAILY', r.daily_overtime_after, r.daily_double_time_after, 1, r.daily_overtime_enabled),
            ('DAILY', r.daily_double_time_after, NULL, 2, r.daily_overtime_enabled),
            ('PERIOD', r.weekly_overtime_after, NULL, 1, true)) AS t(kind, lo, hi, lvl, enabled)
     WHERE r.rule_id IS NOT NULL AND t.enabled;
    -- TrackTik's rules of the posts' settings, every version in play
    DROP TABLE IF EXISTS pg_temp.tt_bill_pb;
    CREATE TEMPORARY TABLE tt_bill_pb ON COMMIT DROP AS
    SELECT b.* FROM tracktik.api_position_billing AS b
     WHERE b.position_id IN (SELECT DISTINCT i.position_id FROM pg_temp.tt_bill_in AS i);
    DROP TABLE IF EXISTS pg_temp.tt_bill_tr;
    CREATE TEMPORARY TABLE tt_bill_tr ON COMMIT DROP AS
    SELECT r.*, 'T' || r.overtime_rule_id || '@' || r.valid_from::text AS profile
      FROM tracktik.api_overtime_rules AS r
     WHERE r.overtime_rule_id IN (SELECT DISTINCT b.overtime_rule_id FROM pg_temp.tt_bill_pb AS b);
    INSERT INTO pg_temp.tt_bill_profiles SELECT r.profile, r.period_length, r.method, true FROM pg_temp.tt_bill_tr AS r;
    INSERT INTO pg_temp.tt_bill_tiers
    SELECT t.profile, t.kind, t.lo,
           CASE WHEN t.kind <> 'DAY_SPECIFIC'
                THEN lead(t.lo) OVER (PARTITION BY t.profile, t.kind ORDER BY t.lo, t.item_id) END,
           t.rate_type, t.mult, t.amount,
           CASE WHEN t.kind IN ('DAY_SPECIFIC', 'HOLIDAY') THEN 1
                ELSE least(2, pg_catalog.row_number() OVER (PARTITION BY t.profile, t.kind ORDER BY t.lo, t.item_id))::integer END
      FROM (SELECT r.profile, e ->> 'rule_type' AS kind, (e ->> 'threshold')::numeric AS lo, (e ->> 'item_id')::bigint AS item_id,
                   e ->> 'rate_type' AS rate_type, (e ->> 'rate_multiplier')::numeric AS mult,
                   (e ->> 'rate_amount')::numeric AS amount
              FROM pg_temp.tt_bill_tr AS r CROSS JOIN LATERAL pg_catalog.jsonb_array_elements(r.items) AS e) AS t;
    v_consec := EXISTS (SELECT 1 FROM pg_temp.tt_bill_tiers AS t WHERE t.kind = 'CONSECUTIVE_DAYS');
    ANALYZE pg_temp.tt_bill_tiers;
    -- (the posts' settings, their rules and the profiles too: without statistics the planner
    -- takes them for crowded hash buckets and hashes the 100,000 shifts instead)
    ANALYZE pg_temp.tt_bill_pb;
    ANALYZE pg_temp.tt_bill_tr;
    ANALYZE pg_temp.tt_bill_profiles;

    -- 1. per shift: configuration, rate, holiday, profile, running day total ---------------------
    DROP TABLE IF EXISTS pg_temp.tt_bill_a;
    CREATE TEMPORARY TABLE tt_bill_a ON COMMIT DROP AS
    SELECT x.*,
           coalesce(sum(x.h) OVER (PARTITION BY x.grp, x.shift_date ORDER BY x.start_datetime, x.shift_id
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS day_before
      FROM (
        SELECT y.source, y.shift_id, y.billing_period_id, y.shift_date, y.week_start, y.start_datetime,
               y.grp, y.h0, y.position_id, y.client_id, y.region_id,
               CASE WHEN y.bill_breaks = 'ALL' AND y.h0 > 0 THEN y.h0 + y.brk ELSE y.h0 END AS h,
               CASE WHEN y.problem IS NULL THEN y.rate END AS rate,
               y.rate_source, y.rate_ref, y.problem, y.unknown_ref,
               y.ot_x, y.dt_x, y.otr, y.dtr, y.is_holiday, y.hol_prem_ph, y.discount_rate,
               y.profile, pr.method, pr.ot_billable,
               CASE WHEN pr.period_length = 'BI-WEEKLY' THEN y.period_start ELSE y.week_start END AS scope_start
          FROM (
            SELECT i.source, i.shift_id, i.billing_period_id, i.shift_date, i.week_start, i.start_datetime,
                   i.position_id, i.client_id, i.region_id, i.brk,
                   coalesce(i.employee_id, -i.shift_id) AS grp,   -- a vacant shift stands alone
                   i.h AS h0, bp.start_date AS period_start, pb.bill_breaks,
                   c.rate, c.rate_source, c.rate_ref, c.ot_x, c.dt_x, c.otr, c.dtr,
                   CASE WHEN pb.position_id IS NOT NULL AND pb.billing_type <> 'HOURLY'
                             AND c.rate_source IS DISTINCT FROM 'position_override' THEN 'unsupported_billing_type'
                        WHEN pb.bill_breaks IN ('REST_ONLY', 'MEAL_ONLY') AND i.brk > 0 AND i.h > 0 THEN 'unsupported_bill_breaks'
                        WHEN hol.is_holiday AND r.holiday_explicit IS NULL AND pb.holiday_treatment = 'RATE'
                             AND pb.holiday_rate IS NULL AND i.h > 0 THEN 'unsupported_holiday_rate' END AS problem,
                   CASE WHEN pb.overtime_rule_id IS NOT NULL AND tr.profile IS NULL
                             AND NOT EXISTS (SELECT 1 FROM pg_temp.tt_bill_tr AS t2 WHERE t2.overtime_rule_id = pb.overtime_rule_id)
                        THEN 'unknown_overtime_rule'
                        WHEN pb.holiday_group_id IS NOT NULL AND hg.holiday_group_id IS NULL
                             AND NOT EXISTS (SELECT 1 FROM tracktik.api_holiday_groups AS g2 WHERE g2.holiday_group_id = pb.holiday_group_id)
                        THEN 'unknown_holiday_group' END AS unknown_ref,
                   hol.is_holiday,
                   CASE WHEN r.holiday_explicit IS NOT NULL THEN c.rate * (r.holiday_explicit - 1)
                        WHEN pb.position_id IS NOT NULL AND pb.holiday_treatment = 'RATE' THEN pb.holiday_rate - c.rate
                        WHEN pb.position_id IS NOT NULL
                             THEN c.rate * (coalesce(pb.holiday_multiplier, v_settings.default_holiday_multiplier) - 1)
                        ELSE c.rate * (coalesce(r.holiday_multiplier, v_settings.default_holiday_multiplier) - 1) END AS hol_prem_ph,
                   coalesce(pb.discount_rate, 0) AS discount_rate,
                   CASE WHEN ru.rule_id IS NOT NULL AND NOT ru.is_shipped_default THEN 'L' || ru.rule_id
                        WHEN tr.profile IS NOT NULL THEN tr.profile
                        ELSE 'L' || ru.rule_id END AS profile
              FROM pg_temp.tt_bill_in AS i
              JOIN tracktik.billing_periods AS bp ON bp.period_id = i.billing_period_id
              LEFT JOIN pg_temp.tt_bill_rates AS r
                ON r.position_id = i.position_id
               AND coalesce(r.client_id, -1) = coalesce(i.client_id, -1)
               AND coalesce(r.region_id, -1) = coalesce(i.region_id, -1)
               AND r.rate_date = i.shift_date
              LEFT JOIN pg_temp.tt_bill_pb AS pb
                ON pb.position_id = i.position_id AND i.start_datetime >= pb.valid_from
               AND (pb.valid_to IS NULL OR i.start_datetime < pb.valid_to)
              LEFT JOIN pg_temp.tt_bill_pb AS pbc
                ON pbc.position_id = i.position_id AND pbc.valid_to IS NULL
              LEFT JOIN pg_temp.tt_bill_tr AS tr
                ON tr.overtime_rule_id = pb.overtime_rule_id AND tr.rule_type = 'BILLING'
               AND i.start_datetime >= tr.valid_from AND (tr.valid_to IS NULL OR i.start_datetime < tr.valid_to)
              LEFT JOIN tracktik.api_holiday_groups AS hg
                ON hg.holiday_group_id = pb.holiday_group_id
               AND i.start_datetime >= hg.valid_from AND (hg.valid_to IS NULL OR i.start_datetime < hg.valid_to)
              LEFT JOIN pg_temp.tt_bill_holidays AS hd
                ON hd.holiday_date = i.shift_date AND coalesce(hd.region_id, -1) = coalesce(i.region_id, -1)
              LEFT JOIN pg_temp.tt_bill_rules AS ru
                ON coalesce(ru.region_id, -1) = coalesce(i.region_id, -1)
             CROSS JOIN LATERAL (
                   -- the rate: a DBA override or TrackTik's bill setting history, else the
                   -- billing setting's own rate (HOURLY), else the local site/region/global rate.
                   -- The setting's own rate is TrackTik's mirror of its effective bill setting,
                   -- not a history: the current version's applies to every date (pbc), so a
                   -- warehouse that saw it change bills what a fresh load bills.
                   SELECT CASE WHEN r.rate_source IN ('position_override', 'position_bill_setting') OR pbc.rate IS NULL
                                 OR pbc.billing_type <> 'HOURLY' THEN r.bill_rate ELSE pbc.rate END AS rate,
                          CASE WHEN r.rate_source IN ('position_override', 'position_bill_setting') OR pbc.rate IS NULL
                                 OR pbc.billing_type <> 'HOURLY' THEN r.rate_source ELSE 'position_billing_setting' END AS rate_source,
                          CASE WHEN r.rate_source IN ('position_override', 'position_bill_setting') OR pbc.rate IS NULL
                                 OR pbc.billing_type <> 'HOURLY' THEN r.rate_ref ELSE pbc.billing_setting_id END AS rate_ref,
                          CASE WHEN r.rate_source IN ('position_override', 'position_bill_setting') OR pbc.rate IS NULL
                                 OR pbc.billing_type <> 'HOURLY' THEN r.overtime_explicit END AS ot_x,
                          CASE WHEN r.rate_source IN ('position_override', 'position_bill_setting') OR pbc.rate IS NULL
                                 OR pbc.billing_type <> 'HOURLY' THEN r.double_time_explicit END AS dt_x,
                          CASE WHEN r.rate_source = 'position_bill_setting' THEN r.overtime_rate END AS otr,
                          CASE WHEN r.rate_source = 'position_bill_setting' THEN r.double_time_rate END AS dtr
                 ) AS c
             CROSS JOIN LATERAL (
                   SELECT CASE WHEN hd.source IN ('dba_date', 'dba_rule') THEN hd.is_holiday
                               WHEN hg.holiday_group_id IS NOT NULL THEN i.shift_date = ANY (hg.dates)
                               ELSE coalesce(hd.is_holiday, false) END AS is_holiday
                 ) AS hol
          ) AS y
          LEFT JOIN pg_temp.tt_bill_profiles AS pr ON pr.profile = y.profile
        OFFSET 0
      ) AS x;
    ANALYZE pg_temp.tt_bill_a (source, shift_id, profile);

    -- 2. consecutive days worked in the period (only when a rule has CONSECUTIVE_DAYS items)
    DROP TABLE IF EXISTS pg_temp.tt_bill_consec;
    CREATE TEMPORARY TABLE tt_bill_consec (grp bigint, scope_start date, shift_date date, k integer) ON COMMIT DROP;
    IF v_consec THEN
        INSERT INTO pg_temp.tt_bill_consec
        SELECT d.grp, d.scope_start, d.shift_date,
               pg_catalog.row_number() OVER (PARTITION BY d.grp, d.scope_start, d.island ORDER BY d.shift_date)::integer
          FROM (SELECT w.grp, w.scope_start, w.shift_date,
                       w.shift_date - pg_catalog.row_number() OVER (PARTITION BY w.grp, w.scope_start ORDER BY w.shift_date)::integer AS island
                  FROM (SELECT DISTINCT a.grp, a.scope_start, a.shift_date FROM pg_temp.tt_bill_a AS a WHERE a.h > 0) AS w) AS d;
    END IF;

    -- 3. per shift: the kinds that do not depend on the period total ---------------------------
    DROP TABLE IF EXISTS pg_temp.tt_bill_b;
    CREATE TEMPORARY TABLE tt_bill_b ON COMMIT DROP AS
    SELECT q.source, q.shift_id,
           coalesce(sum(q.seg) FILTER (WHERE q.kind = 'DAILY' AND q.lvl = 1), 0) AS daily_h1,
           coalesce(sum(q.seg) FILTER (WHERE q.kind = 'DAILY' AND q.lvl = 2), 0) AS daily_h2,
           coalesce(sum(q.seg * q.prem) FILTER (WHERE q.kind = 'DAILY'), 0) AS daily_prem,
           coalesce(sum(q.seg) FILTER (WHERE q.kind = 'HOLIDAY'), 0) AS hol_h,
           coalesce(sum(q.seg * q.prem) FILTER (WHERE q.kind = 'HOLIDAY'), 0) AS hol_item_prem,
           coalesce(sum(q.seg) FILTER (WHERE q.kind = 'CONSECUTIVE_DAYS' AND q.lvl = 1), 0) AS consec_h1,
           coalesce(sum(q.seg) FILTER (WHERE q.kind = 'CONSECUTIVE_DAYS' AND q.lvl = 2), 0) AS consec_h2,
           coalesce(sum(q.seg * q.prem) FILTER (WHERE q.kind = 'CONSECUTIVE_DAYS'), 0) AS consec_prem,
           coalesce(max(q.seg) FILTER (WHERE q.kind = 'DAY_SPECIFIC'), 0) AS ds_h,
           coalesce(max(q.seg * q.prem) FILTER (WHERE q.kind = 'DAY_SPECIFIC'), 0) AS ds_prem
      FROM (
        SELECT a.source, a.shift_id, t.kind, t.lvl,
               CASE t.kind
                   WHEN 'DAILY' THEN greatest(0, least(a.day_before + a.h, coalesce(t.hi, 1e9)) - greatest(a.day_before, t.lo))
                   WHEN 'HOLIDAY' THEN CASE WHEN a.is_holiday
                        THEN greatest(0, least(a.day_before + a.h, coalesce(t.hi, 1e9)) - greatest(a.day_before, t.lo)) ELSE 0 END
                   WHEN 'CONSECUTIVE_DAYS' THEN CASE WHEN cd.k >= t.lo AND (t.hi IS NULL OR cd.k < t.hi) THEN a.h ELSE 0 END
                   WHEN 'DAY_SPECIFIC' THEN CASE WHEN extract(isodow FROM a.shift_date) = t.lo THEN a.h ELSE 0 END
               END AS seg,
               CASE WHEN t.kind = 'HOLIDAY' THEN
                        CASE WHEN t.rate_type = 'RATE' THEN t.amount - a.rate
                             ELSE a.rate * (coalesce(t.mult, v_settings.default_holiday_multiplier) - 1) END
                    WHEN t.lvl = 1 AND a.otr IS NOT NULL THEN a.otr - a.rate
                    WHEN t.lvl = 2 AND a.dtr IS NOT NULL THEN a.dtr - a.rate
                    WHEN t.lvl = 1 AND a.ot_x IS NOT NULL THEN a.rate * (a.ot_x - 1)
                    WHEN t.lvl = 2 AND a.dt_x IS NOT NULL THEN a.rate * (a.dt_x - 1)
                    WHEN t.rate_type = 'RATE' THEN t.amount - a.rate
                    ELSE a.rate * (coalesce(t.mult, CASE WHEN t.lvl = 2 THEN v_settings.default_double_time_multiplier
                                                         ELSE v_settings.default_overtime_multiplier END) - 1) END AS prem
          FROM pg_temp.tt_bill_a AS a
          JOIN pg_temp.tt_bill_tiers AS t ON t.profile = a.profile AND t.kind <> 'PERIOD'
          LEFT JOIN pg_temp.tt_bill_consec AS cd
            ON t.kind = 'CONSECUTIVE_DAYS' AND cd.grp = a.grp AND cd.scope_start = a.scope_start AND cd.shift_date = a.shift_date
         WHERE a.h > 0 AND a.rate IS NOT NULL
           AND (t.kind NOT IN ('DAILY', 'HOLIDAY') OR a.day_before + a.h > t.lo)
           AND (t.kind <> 'HOLIDAY' OR a.is_holiday)
      ) AS q
     GROUP BY q.source, q.shift_id;
    ANALYZE pg_temp.tt_bill_b;

    -- 4. per shift: what SEQUENTIAL lets count toward the period, and the running period totals
    DROP TABLE IF EXISTS pg_temp.tt_bill_c;
    CREATE TEMPORARY TABLE tt_bill_c ON COMMIT DROP AS
    SELECT z.*,
           coalesce(sum(z.countable) OVER w, 0) AS period_before_seq,
           coalesce(sum(z.h) OVER w, 0) AS period_before_all
      FROM (
        SELECT a.*,
               coalesce(b.daily_h1, 0) AS daily_h1, coalesce(b.daily_h2, 0) AS daily_h2, coalesce(b.daily_prem, 0) AS daily_prem,
               coalesce(b.hol_h, 0) AS hol_h, coalesce(b.hol_item_prem, 0) AS hol_item_prem,
               coalesce(b.consec_h1, 0) AS consec_h1, coalesce(b.consec_h2, 0) AS consec_h2,
               coalesce(b.consec_prem, 0) AS consec_prem, coalesce(b.ds_h, 0) AS ds_h, coalesce(b.ds_prem, 0) AS ds_prem,
               CASE WHEN a.is_holiday THEN 'HOLIDAY'
                    WHEN coalesce(b.consec_h1, 0) + coalesce(b.consec_h2, 0) > 0 THEN 'CONSECUTIVE_DAYS'
                    WHEN coalesce(b.ds_h, 0) > 0 THEN 'DAY_SPECIFIC' END AS whole_kind,
               a.h - CASE WHEN a.is_holiday THEN coalesce(b.hol_h, 0)
                          WHEN coalesce(b.consec_h1, 0) + coalesce(b.consec_h2, 0) > 0 OR coalesce(b.ds_h, 0) > 0 THEN a.h
                          ELSE coalesce(b.daily_h1, 0) + coalesce(b.daily_h2, 0) END AS countable
          FROM pg_temp.tt_bill_a AS a
          LEFT JOIN pg_temp.tt_bill_b AS b ON b.source = a.source AND b.shift_id = a.shift_id
        OFFSET 0
      ) AS z
    WINDOW w AS (PARTITION BY z.grp, z.scope_start ORDER BY z.start_datetime, z.shift_id
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING);

    -- 5. per shift: PERIOD tiers, on the SEQUENTIAL count and on all hours (BEST_OF) ------------
    DROP TABLE IF EXISTS pg_temp.tt_bill_d;
    CREATE TEMPORARY TABLE tt_bill_d ON COMMIT DROP AS
    SELECT q.source, q.shift_id,
           sum(q.seg_seq) FILTER (WHERE q.lvl = 1) AS p_seq_h1, sum(q.seg_seq) FILTER (WHERE q.lvl = 2) AS p_seq_h2,
           sum(q.seg_seq * q.prem) AS p_seq_prem,
           sum(q.seg_all) FILTER (WHERE q.lvl = 1) AS p_all_h1, sum(q.seg_all) FILTER (WHERE q.lvl = 2) AS p_all_h2,
           sum(q.seg_all * q.prem) AS p_all_prem
      FROM (
        SELECT c.source, c.shift_id, t.lvl,
               greatest(0, least(c.period_before_seq + c.countable, coalesce(t.hi, 1e9)) - greatest(c.period_before_seq, t.lo)) AS seg_seq,
               greatest(0, least(c.period_before_all + c.h, coalesce(t.hi, 1e9)) - greatest(c.period_before_all, t.lo)) AS seg_all,
               CASE WHEN t.lvl = 1 AND c.otr IS NOT NULL THEN c.otr - c.rate
                    WHEN t.lvl = 2 AND c.dtr IS NOT NULL THEN c.dtr - c.rate
                    WHEN t.lvl = 1 AND c.ot_x IS NOT NULL THEN c.rate * (c.ot_x - 1)
                    WHEN t.lvl = 2 AND c.dt_x IS NOT NULL THEN c.rate * (c.dt_x - 1)
                    WHEN t.rate_type = 'RATE' THEN t.amount - c.rate
                    ELSE c.rate * (coalesce(t.mult, CASE WHEN t.lvl = 2 THEN v_settings.default_double_time_multiplier
                                                         ELSE v_settings.default_overtime_multiplier END) - 1) END AS prem
          FROM pg_temp.tt_bill_c AS c
          JOIN pg_temp.tt_bill_tiers AS t ON t.profile = c.profile AND t.kind = 'PERIOD'
         WHERE c.h > 0 AND c.rate IS NOT NULL
           AND (c.period_before_all + c.h > t.lo)
      ) AS q
     GROUP BY q.source, q.shift_id;
    ANALYZE pg_temp.tt_bill_d;

    -- billing: the method's choice, then money
    DROP TABLE IF EXISTS pg_temp.tt_bill;
    CREATE TEMPORARY TABLE tt_bill (
        source                "char"   NOT NULL,
        shift_id              bigint   NOT NULL,
        billing_period_id     text     NOT NULL,
        billable_hours        numeric,
        overtime_hours        numeric,
        double_time_hours     numeric,
        rate_source           text,
        bill_rate_regular     numeric(10,2),
        bill_rate_effective   numeric(10,2),
        bill_overtime_hours   numeric(10,2),
        bill_overtime_impact  numeric(10,2),
        bill_holiday_hours    numeric(10,2),
        bill_holiday_impact   numeric(10,2),
        bill_total            numeric(10,2),
        out_of_range          boolean  NOT NULL DEFAULT false,
        raw_total             numeric,
        bill_hours            numeric,
        bill_discount         numeric,
        problem               text
    ) ON COMMIT DROP;

    INSERT INTO pg_temp.tt_bill
    SELECT r.source, r.shift_id, r.billing_period_id, r.h0, r.ot1, r.ot2, r.rate_source,
           CASE WHEN NOT r.oor THEN r.rate END,
           CASE WHEN NOT r.oor THEN r.effective END,
           CASE WHEN NOT r.oor THEN r.ot_hours END,
           CASE WHEN NOT r.oor THEN r.ot_impact END,
           CASE WHEN NOT r.oor THEN r.holiday_hours END,
           CASE WHEN NOT r.oor THEN r.holiday_impact END,
           CASE WHEN NOT r.oor THEN r.total END,
           r.oor, r.total, r.h, r.discount, r.problem
      FROM (
    SELECT v.*,
           coalesce(pg_catalog.abs(v.rate) >= 100000000 OR pg_catalog.abs(v.effective) >= 100000000
                    OR pg_catalog.abs(v.ot_impact) >= 100000000 OR pg_catalog.abs(v.holiday_impact) >= 100000000
                    OR pg_catalog.abs(v.total) >= 100000000, false) AS oor
      FROM (
    SELECT m.*,
           CASE WHEN m.rate IS NOT NULL AND m.h0 > 0 THEN pg_catalog.round(m.total / m.h0, 2) END AS effective
      FROM (
        SELECT k.*, k.gross - k.discount AS total
          FROM (
        SELECT k0.*,
               pg_catalog.round(k0.gross * k0.discount_rate / 100, 2) AS discount
          FROM (
        SELECT g.*,
               pg_catalog.round(g.h * g.rate, 2) + g.ot_impact + g.holiday_impact AS gross
          FROM (
            SELECT s.source, s.shift_id, s.billing_period_id, s.h0, s.h, s.rate, s.rate_source, s.problem,
                   s.discount_rate, s.ot1, s.ot2,
                   CASE WHEN s.rate IS NOT NULL THEN CASE WHEN s.ot_billable THEN s.ot1 + s.ot2 ELSE 0 END END AS ot_hours,
                   CASE WHEN s.rate IS NOT NULL THEN pg_catalog.round(CASE WHEN s.ot_billable THEN s.ot_prem ELSE 0 END, 2) END AS ot_impact,
                   CASE WHEN s.rate IS NOT NULL THEN s.hol_hours END AS holiday_hours,
                   CASE WHEN s.rate IS NOT NULL THEN pg_catalog.round(s.hol_prem, 2) END AS holiday_impact
              FROM (
                SELECT c.source, c.shift_id, c.billing_period_id, c.h0, c.h, c.rate, c.rate_source, c.problem,
                       c.discount_rate, coalesce(c.ot_billable, true) AS ot_billable,
                       CASE ch.kind WHEN 'CONSECUTIVE_DAYS' THEN c.consec_h1 WHEN 'DAY_SPECIFIC' THEN c.ds_h
                                    WHEN 'DAILY' THEN c.daily_h1 WHEN 'PERIOD' THEN coalesce(d.p_all_h1, 0)
                                    WHEN 'SEQ' THEN c.daily_h1 + coalesce(d.p_seq_h1, 0) ELSE 0 END AS ot1,
                       CASE ch.kind WHEN 'CONSECUTIVE_DAYS' THEN c.consec_h2
                                    WHEN 'DAILY' THEN c.daily_h2 WHEN 'PERIOD' THEN coalesce(d.p_all_h2, 0)
                                    WHEN 'SEQ' THEN c.daily_h2 + coalesce(d.p_seq_h2, 0) ELSE 0 END AS ot2,
                       CASE ch.kind WHEN 'CONSECUTIVE_DAYS' THEN c.consec_prem WHEN 'DAY_SPECIFIC' THEN c.ds_prem
                                    WHEN 'DAILY' THEN c.daily_prem WHEN 'PERIOD' THEN coalesce(d.p_all_prem, 0)
                                    WHEN 'SEQ' THEN c.daily_prem + coalesce(d.p_seq_prem, 0) ELSE 0 END AS ot_prem,
                       CASE WHEN ch.kind = 'HOLIDAY' THEN c.h ELSE 0 END AS hol_hours,
                       CASE WHEN ch.kind = 'HOLIDAY' THEN c.hol_item_prem + (c.h - c.hol_h) * c.hol_prem_ph ELSE 0 END AS hol_prem
                  FROM pg_temp.tt_bill_c AS c
                  LEFT JOIN pg_temp.tt_bill_d AS d ON d.source = c.source AND d.shift_id = c.shift_id
                 CROSS JOIN LATERAL (
                       SELECT CASE
                           WHEN c.method IS DISTINCT FROM 'BEST_OF' THEN coalesce(c.whole_kind, 'SEQ')
                           ELSE (SELECT o.kind
                                   FROM (VALUES (1, 'HOLIDAY', CASE WHEN c.is_holiday THEN c.hol_item_prem + (c.h - c.hol_h) * c.hol_prem_ph END),
                                                (2, 'CONSECUTIVE_DAYS', CASE WHEN c.consec_h1 + c.consec_h2 > 0 THEN c.consec_prem END),
                                                (3, 'DAY_SPECIFIC', CASE WHEN c.ds_h > 0 THEN c.ds_prem END),
                                                (4, 'DAILY', CASE WHEN c.daily_h1 + c.daily_h2 > 0 THEN c.daily_prem END),
                                                (5, 'PERIOD', CASE WHEN coalesce(d.p_all_h1, 0) + coalesce(d.p_all_h2, 0) > 0
                                                                   THEN d.p_all_prem END)) AS o(n, kind, prem)
                                  WHERE o.prem IS NOT NULL
                                  ORDER BY o.prem DESC, o.n
                                  LIMIT 1) END AS kind
                       OFFSET 0   -- once per shift: inlined, each use of ch.kind re-ran the choice
                     ) AS ch
              ) AS s
            OFFSET 0
          ) AS g
        OFFSET 0
          ) AS k0
        OFFSET 0
          ) AS k
        OFFSET 0
      ) AS m
    OFFSET 0
      ) AS v
    OFFSET 0
      ) AS r;
    ANALYZE pg_temp.tt_bill (source, shift_id, billing_period_id, billable_hours, bill_rate_regular, out_of_range, problem);

    -- stored rows whose billing changed
    UPDATE tracktik.fact_shifts AS f
       SET bill_rate_regular    = b.bill_rate_regular,
           bill_rate_effective  = b.bill_rate_effective,
           bill_overtime_hours  = b.bill_overtime_hours,
           bill_overtime_impact = b.bill_overtime_impact,
           bill_holiday_hours   = b.bill_holiday_hours,
           bill_holiday_impact  = b.bill_holiday_impact,
           bill_total           = b.bill_total,
           etl_batch_id         = coalesce(p_batch_id, f.etl_batch_id),
           updated_at           = pg_catalog.now()
      FROM pg_temp.tt_bill AS b
     WHERE b.source = 's'
       AND f.billing_period_id = b.billing_period_id AND f.shift_id = b.shift_id
       AND f.billing_period_id = ANY (v_periods)
       AND (f.bill_rate_regular, f.bill_rate_effective, f.bill_overtime_hours, f.bill_overtime_impact,
            f.bill_holiday_hours, f.bill_holiday_impact, f.bill_total)
           IS DISTINCT FROM
           (b.bill_rate_regular, b.bill_rate_effective, b.bill_overtime_hours, b.bill_overtime_impact,
            b.bill_holiday_hours, b.bill_holiday_impact, b.bill_total);
    GET DIAGNOSTICS v_updated = ROW_COUNT;

    -- issues: billable hours without a rate (not again while the same issue of the shift is
    -- open: re-billing a week or reprocessing a period adds no duplicate)
    INSERT INTO tracktik.data_quality_issues
           (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
    SELECT p_batch_id, 'fact_shifts', b.shift_id::text, 'missing_bill_rate', 'warning',
           pg_catalog.format('no bill rate for position %s (site %s, region %s) on %s: billing left empty',
                             i.position_id, i.client_id, i.region_id, i.shift_date),
           pg_catalog.jsonb_build_object('position_id', i.position_id, 'client_id', i.client_id,
                                         'region_id', i.region_id, 'shift_date', i.shift_date,
                                         'billing_period_id', i.billing_period_id)
      FROM pg_temp.tt_bill AS b
      JOIN pg_temp.tt_bill_in AS i ON i.shift_id = b.shift_id AND i.source = b.source
     WHERE b.bill_rate_regular IS NULL AND b.billable_hours > 0 AND NOT b.out_of_range AND b.problem IS NULL
       AND NOT EXISTS (SELECT 1 FROM tracktik.data_quality_issues AS q   -- hashed anti-join: only new ones
                        WHERE q.resolved_at IS NULL AND q.issue_type = 'missing_bill_rate'
                          AND q.table_name = 'fact_shifts' AND q.record_id = b.shift_id::text)
    ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;
    GET DIAGNOSTICS v_missing = ROW_COUNT;

    -- issues: an amount that would not fit NUMERIC(10,2): billing left empty, named
    INSERT INTO tracktik.data_quality_issues
           (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
    SELECT p_batch_id, 'fact_shifts', b.shift_id::text, 'billing_out_of_range', 'error',
           pg_catalog.format('shifts record %s: billing does not fit NUMERIC(10,2) (rate %s x %s billable hours, total %s; rate from %s); billing left empty',
                             b.shift_id, pg_catalog.left(r.bill_rate::text, 40), b.billable_hours,
                             pg_catalog.left(b.raw_total::text, 40), r.rate_source),
           pg_catalog.jsonb_build_object('bill_rate', r.bill_rate, 'billable_hours', b.billable_hours,
                                         'overtime_multiplier', r.overtime_multiplier,
                                         'double_time_multiplier', r.double_time_multiplier,
                                         'holiday_multiplier', r.holiday_multiplier,
                                         'total', b.raw_total, 'rate_source', r.rate_source, 'rate_ref', r.rate_ref)
      FROM pg_temp.tt_bill AS b
      JOIN pg_temp.tt_bill_in AS i ON i.shift_id = b.shift_id AND i.source = b.source
      LEFT JOIN pg_temp.tt_bill_rates AS r
        ON r.position_id = i.position_id
       AND coalesce(r.client_id, -1) = coalesce(i.client_id, -1)
       AND coalesce(r.region_id, -1) = coalesce(i.region_id, -1)
       AND r.rate_date = i.shift_date
     WHERE b.out_of_range
    ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;

    -- issues: configuration the engine cannot bill (bill columns NULL, never a wrong amount)
    INSERT INTO tracktik.data_quality_issues
           (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
    SELECT p_batch_id, 'fact_shifts', b.shift_id::text, b.problem, 'warning',
           pg_catalog.format('shifts record %s (position %s, %s): %s; billing left empty',
                             b.shift_id, a.position_id, a.shift_date,
                             CASE b.problem
                                 WHEN 'unsupported_billing_type' THEN 'the post''s TrackTik billing setting is not HOURLY'
                                 WHEN 'unsupported_bill_breaks' THEN 'the post bills only rest or meal breaks (billBreaks REST_ONLY / MEAL_ONLY) and the shift record does not say which kind its break is'
                                 ELSE 'a holiday billed at holidayRate (holiday RATE) without a holidayRate' END),
           pg_catalog.jsonb_build_object('position_id', a.position_id, 'shift_date', a.shift_date,
                                         'billing_period_id', a.billing_period_id, 'break_hours', a.h - a.h0)
      FROM pg_temp.tt_bill AS b
      JOIN pg_temp.tt_bill_a AS a ON a.shift_id = b.shift_id AND a.source = b.source
     WHERE b.problem IS NOT NULL
    ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;

    -- issues: a post's setting names a rule or holiday group TrackTik never returned (billed
    -- with the shipped defaults meanwhile; reconciliation shows the effect)
    INSERT INTO tracktik.data_quality_issues
           (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
    SELECT DISTINCT ON (a.position_id, a.unknown_ref)
           p_batch_id, 'api_position_billing', a.position_id::text, a.unknown_ref, 'warning',
           pg_catalog.format('the TrackTik billing setting of position %s names %s that was never loaded: its shifts bill with the shipped defaults',
                             a.position_id, CASE a.unknown_ref WHEN 'unknown_overtime_rule' THEN 'an overtime rule'
                                                 ELSE 'a holiday group' END),
           pg_catalog.jsonb_build_object('position_id', a.position_id)
      FROM pg_temp.tt_bill_a AS a
     WHERE a.unknown_ref IS NOT NULL
    ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;
    UPDATE tracktik.data_quality_issues AS q
       SET resolved_at = pg_catalog.now(),
           resolution_note = pg_catalog.format('resolved by %s: the rule or holiday group is known now',
                                               coalesce('batch ' || p_batch_id::text, 'calculate_billing'))
     WHERE q.resolved_at IS NULL AND q.table_name = 'api_position_billing'
       AND q.issue_type IN ('unknown_overtime_rule', 'unknown_holiday_group')
       AND q.record_id IN (SELECT DISTINCT a.position_id::text FROM pg_temp.tt_bill_a AS a)
       AND NOT EXISTS (SELECT 1 FROM pg_temp.tt_bill_a AS a
                        WHERE a.position_id::text = q.record_id AND a.unknown_ref = q.issue_type);

    -- resolved: shifts billed now with a rate in range, or without billable hours
    UPDATE tracktik.data_quality_issues AS q
       SET resolved_at = pg_catalog.now(),
           resolution_note = pg_catalog.format('resolved by %s: the shift was billed again %s',
                                               coalesce('batch ' || p_batch_id::text, 'calculate_billing'),
                                               CASE WHEN b.billable_hours > 0 THEN 'at a rate of ' || b.bill_rate_regular
                                                    ELSE 'without billable hours' END)
      FROM pg_temp.tt_bill AS b
     WHERE q.resolved_at IS NULL AND q.table_name = 'fact_shifts'
       AND q.issue_type IN ('missing_bill_rate', 'billing_out_of_range', 'unsupported_billing_type',
                            'unsupported_bill_breaks', 'unsupported_holiday_rate')
       AND q.record_id = b.shift_id::text
       AND NOT b.out_of_range AND b.problem IS NULL
       AND (b.bill_rate_regular IS NOT NULL OR NOT b.billable_hours > 0);

    SELECT count(*) FILTER (WHERE i.source = 's')::integer INTO v_stored FROM pg_temp.tt_bill_in AS i;
    RETURN pg_catalog.jsonb_build_object(
        'weeks', v_weeks,
        'period_weeks', (SELECT count(*) FROM pg_temp.tt_bill_weeks),
        'unbillable', (SELECT count(*) FROM pg_temp.tt_bill AS b WHERE b.problem IS NOT NULL),
        'rows_billed', v_rows,
        'stored_rows_billed', v_stored,
        'stored_rows_updated', v_updated,
        'missing_rate', v_missing);
END
$$;

COMMENT ON FUNCTION tracktik._bill_employee_weeks(uuid) IS
    'Internal billing engine (DESIGN.md section 5, docs/billing.md): bills whole employee-periods (the weeks of pg_temp.tt_bill_weeks and the other week of their periods) over pending rows (pg_temp.tt_pending) and stored facts, with TrackTik''s configuration (api_position_billing, api_overtime_rules, api_holiday_groups) under a DBA''s local rows and over the shipped defaults: rates, every overtime rule kind (SEQUENTIAL or BEST_OF), breaks, holidays, discount and money with window functions; configuration it cannot bill leaves billing empty with an unsupported_* issue; every amount range-checked before NUMERIC(10,2) (else billing left empty with a billing_out_of_range error); updates stored facts whose billing changed and leaves the pending rows'' billing in pg_temp.tt_bill; records missing_bill_rate issues once while open and resolves those (and billing_out_of_range) of shifts now billed with a rate.';
