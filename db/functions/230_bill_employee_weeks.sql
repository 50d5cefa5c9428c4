-- tracktik._bill_employee_weeks(batch) -> counts. The billing engine (DESIGN.md section 5), set-
-- based with window functions, over WHOLE employee-workweeks:
--
--   rows   the pending rows of the current load (pg_temp.tt_pending, not yet written) plus
--          every stored fact of the weeks in pg_temp.tt_bill_weeks that is not superseded by
--          a pending row;
--   result pg_temp.tt_bill (one row per shift with its billing); stored facts whose billing
--          changed are updated here (etl_batch_id = the batch, updated_at = now()); the
--          caller writes the pending rows with their billing.
--
-- Per shift, with h = billable_hours:
--   rate         tracktik._bill_rates_for on shift_date (position override, TrackTik bill
--                setting, site, region up the tree, global); none: every bill column NULL and a
--                missing_bill_rate warning (when h > 0)
--   rule         tracktik._overtime_rules_for(region) ; holiday: tracktik._holidays_for
--   order        per employee, by start_datetime then shift_id (a vacant shift stands alone)
--   daily        where the rule enables it: of the employee's hours that day (shift_date) up
--                to and including this shift, those beyond 8 are overtime, beyond 12 double
--                time (the part falling in this shift)
--   weekly       hours that are not daily overtime/double time accumulate over the workweek;
--                the part of this shift beyond 40 is overtime
--   holiday      all h are holiday hours: they count toward the daily and weekly totals but
--                are never overtime themselves (no pyramiding)
--   not billable overtime (rule.overtime_billable false): bills at the regular rate,
--                bill_overtime_hours 0
--   money        bill_overtime_hours = ot + dt
--                bill_overtime_impact = round(rate x (ot x (ot_mult - 1) + dt x (dt_mult - 1)), 2)
--                bill_holiday_impact  = round(rate x holiday x (hol_mult - 1), 2)
--                bill_total           = round(h x rate, 2) + both impacts
--                bill_rate_effective  = round(bill_total / h, 2), NULL when h = 0
--   range        every amount is computed unbounded and checked before it is stored: a shift
--                whose rate, total, impacts or effective rate would not fit NUMERIC(10,2)
--                (a rate of 99,999,999 x 8 hours; a multiplier of 999) gets every bill column
--                NULL and an error billing_out_of_range issue naming it (the rest of the
--                batch bills; never 22003)
--   issues       once while open (ON CONFLICT DO NOTHING); a shift billed here with a rate in
--                range, or without billable hours, resolves its open missing_bill_rate /
--                billing_out_of_range (resolution_note names the batch)
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
    v_stored      integer;
    v_updated     integer;
    v_missing     integer;
BEGIN
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
        h                  numeric      NOT NULL
    ) ON COMMIT DROP;

    INSERT INTO pg_temp.tt_bill_in
    SELECT 'p', p.shift_id, p.billing_period_id, p.employee_id, p.position_id, p.client_id, p.region_id,
           p.shift_date, p.week_start, p.start_datetime, coalesce(p.billable_hours, 0)
      FROM pg_temp.tt_pending AS p
    UNION ALL
    SELECT 's', f.shift_id, f.billing_period_id, f.employee_id, f.position_id, f.client_id, f.region_id,
           f.shift_date, w.week_start, f.start_datetime, coalesce(f.billable_hours, 0)
      FROM pg_temp.tt_bill_weeks AS w
      JOIN tracktik.fact_shifts AS f
        ON f.billing_period_id = w.billing_period_id AND f.employee_id = w.employee_id
       AND f.shift_date >= w.week_start AND f.shift_date < w.week_start + 7
     WHERE w.employee_id IS NOT NULL
       AND f.billing_period_id = ANY (v_periods)
       AND NOT EXISTS (SELECT 1 FROM pg_temp.tt_pending AS p WHERE p.shift_id = f.shift_id)
    UNION ALL
    SELECT 's', f.shift_id, f.billing_period_id, f.employee_id, f.position_id, f.client_id, f.region_id,
           f.shift_date, w.week_start, f.start_datetime, coalesce(f.billable_hours, 0)
      FROM pg_temp.tt_bill_weeks AS w
      JOIN tracktik.fact_shifts AS f
        ON f.billing_period_id = w.billing_period_id AND f.employee_id IS NULL
       AND f.shift_date >= w.week_start AND f.shift_date < w.week_start + 7
     WHERE w.employee_id IS NULL
       AND f.billing_period_id = ANY (v_periods)
       AND NOT EXISTS (SELECT 1 FROM pg_temp.tt_pending AS p WHERE p.shift_id = f.shift_id);
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    ANALYZE pg_temp.tt_bill_in (shift_id, position_id, client_id, region_id, shift_date);

    -- lookups, once per distinct combination: rate, holiday, overtime rule
    SELECT pg_catalog.array_agg(c.position_id), pg_catalog.array_agg(c.client_id),
           pg_catalog.array_agg(c.region_id), pg_catalog.array_agg(c.shift_date)
      INTO v_pos, v_cli, v_reg, v_dates
      FROM (SELECT DISTINCT i.position_id, i.client_id, i.region_id, i.shift_date FROM pg_temp.tt_bill_in AS i) AS c;

    DROP TABLE IF EXISTS pg_temp.tt_bill_rates;
    CREATE TEMPORARY TABLE tt_bill_rates (
        position_id bigint, client_id bigint, region_id bigint, rate_date date, bill_rate numeric,
        overtime_multiplier numeric, double_time_multiplier numeric, holiday_multiplier numeric,
        rate_source text, rate_ref bigint
    ) ON COMMIT DROP;
    INSERT INTO pg_temp.tt_bill_rates SELECT * FROM tracktik._bill_rates_for(v_pos, v_cli, v_reg, v_dates);

    DROP TABLE IF EXISTS pg_temp.tt_bill_holidays;
    CREATE TEMPORARY TABLE tt_bill_holidays (
        holiday_date date, region_id bigint, is_holiday boolean, holiday_name text
    ) ON COMMIT DROP;
    INSERT INTO pg_temp.tt_bill_holidays SELECT * FROM tracktik._holidays_for(v_dates, v_reg);

    DROP TABLE IF EXISTS pg_temp.tt_bill_rules;
    CREATE TEMPORARY TABLE tt_bill_rules (
        region_id bigint, rule_id integer, daily_overtime_enabled boolean, daily_overtime_after numeric,
        daily_double_time_after numeric, weekly_overtime_after numeric, overtime_billable boolean
    ) ON COMMIT DROP;
    INSERT INTO pg_temp.tt_bill_rules SELECT * FROM tracktik._overtime_rules_for(v_reg);

    -- billing, whole weeks at once
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
        raw_total             numeric
    ) ON COMMIT DROP;

    ANALYZE pg_temp.tt_bill_rates;
    ANALYZE pg_temp.tt_bill_holidays;
    ANALYZE pg_temp.tt_bill_rules;

    -- hours: daily then weekly overtime, by windows over each employee-week in start order
    -- (the daily window partitions by week too, so the weekly one only re-sorts within weeks);
    -- then money. Every level ends in OFFSET 0: the planner would otherwise flatten the
    -- levels into one target list and evaluate each derived column once per reference (the
    -- total five levels down was computed a dozen times per row).
    INSERT INTO pg_temp.tt_bill
    SELECT r.source, r.shift_id, r.billing_period_id, r.h, r.ot, r.dt, r.rate_source,
           CASE WHEN NOT r.oor THEN r.rate END,
           CASE WHEN NOT r.oor THEN r.effective END,
           CASE WHEN NOT r.oor THEN r.ot_hours END,
           CASE WHEN NOT r.oor THEN r.ot_impact END,
           CASE WHEN NOT r.oor THEN r.holiday_hours END,
           CASE WHEN NOT r.oor THEN r.holiday_impact END,
           CASE WHEN NOT r.oor THEN r.total END,
           r.oor, r.total
      FROM (
    -- range check before the NUMERIC(10,2) columns: every amount below 100,000,000 (rounded)
    SELECT v.*,
           coalesce(pg_catalog.abs(v.rate) >= 100000000 OR pg_catalog.abs(v.effective) >= 100000000
                    OR pg_catalog.abs(v.ot_impact) >= 100000000 OR pg_catalog.abs(v.holiday_impact) >= 100000000
                    OR pg_catalog.abs(v.total) >= 100000000, false) AS oor
      FROM (
    SELECT m.source, m.shift_id, m.billing_period_id, m.h, m.ot, m.dt, m.rate_source,
           m.rate,
           CASE WHEN m.rate IS NOT NULL AND m.h > 0 THEN pg_catalog.round(m.total / m.h, 2) END AS effective,
           CASE WHEN m.rate IS NOT NULL THEN m.ot_billed + m.dt_billed END AS ot_hours,
           m.ot_impact,
           CASE WHEN m.rate IS NOT NULL THEN m.holiday END AS holiday_hours,
           m.holiday_impact,
           m.total
      FROM (
        SELECT k.*, pg_catalog.round(k.h * k.rate, 2) + k.ot_impact + k.holiday_impact AS total
          FROM (
        SELECT k0.*,
               pg_catalog.round(k0.rate * (k0.ot_billed * (k0.ot_mult - 1) + k0.dt_billed * (k0.dt_mult - 1)), 2) AS ot_impact,
               pg_catalog.round(k0.rate * k0.holiday * (k0.hol_mult - 1), 2) AS holiday_impact
          FROM (
            SELECT g.source, g.shift_id, g.billing_period_id, g.h, g.dt,
                   g.ot_daily + g.ot_weekly AS ot,
                   CASE WHEN g.ot_billable THEN g.ot_daily + g.ot_weekly ELSE 0 END AS ot_billed,
                   CASE WHEN g.ot_billable THEN g.dt ELSE 0 END AS dt_billed,
                   CASE WHEN g.is_holiday THEN g.h ELSE 0 END AS holiday,
                   g.rate, g.ot_mult, g.dt_mult, g.hol_mult, g.rate_source
              FROM (
                -- weekly: the part of this shift's non-daily-overtime hours beyond the threshold
                SELECT w.*,
                       CASE WHEN w.is_holiday THEN 0
                            ELSE greatest(0, least(w.h - w.ot_daily - w.dt,
                                                   w.week_before + (w.h - w.ot_daily - w.dt) - w.weekly_after)) END AS ot_weekly
                  FROM (
                    SELECT d.*,
                           coalesce(sum(d.h - d.ot_daily - d.dt) OVER (
                               PARTITION BY d.grp, d.week_start
                               ORDER BY d.start_datetime, d.shift_id
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS week_before
                      FROM (
                        -- daily: the part of this shift beyond 8 / 12 hours of the day
                        SELECT b.*,
                               CASE WHEN b.is_holiday OR NOT b.daily_enabled THEN 0
                                    ELSE greatest(0, least(b.h, b.day_before + b.h - b.double_after)) END AS dt,
                               CASE WHEN b.is_holiday OR NOT b.daily_enabled THEN 0
                                    ELSE greatest(0, least(b.h, b.day_before + b.h - b.daily_after))
                                         - greatest(0, least(b.h, b.day_before + b.h - b.double_after)) END AS ot_daily
                          FROM (
                            SELECT i.source, i.shift_id, i.billing_period_id,
                                   i.week_start, i.start_datetime, i.h,
                                   coalesce(i.employee_id, -i.shift_id) AS grp,   -- a vacant shift stands alone
                                   r.bill_rate AS rate, r.overtime_multiplier AS ot_mult,
                                   r.double_time_multiplier AS dt_mult, r.holiday_multiplier AS hol_mult,
                                   r.rate_source,
                                   coalesce(hd.is_holiday, false) AS is_holiday,
                                   coalesce(ru.daily_overtime_enabled, false) AS daily_enabled,
                                   coalesce(ru.daily_overtime_after, 8) AS daily_after,
                                   coalesce(ru.daily_double_time_after, 12) AS double_after,
                                   coalesce(ru.weekly_overtime_after, 40) AS weekly_after,
                                   coalesce(ru.overtime_billable, true) AS ot_billable,
                                   coalesce(sum(i.h) OVER (
                                       PARTITION BY coalesce(i.employee_id, -i.shift_id), i.week_start, i.shift_date
                                       ORDER BY i.start_datetime, i.shift_id
                                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS day_before
                              FROM pg_temp.tt_bill_in AS i
                              LEFT JOIN pg_temp.tt_bill_rates AS r
                                ON r.position_id = i.position_id
                               AND coalesce(r.client_id, -1) = coalesce(i.client_id, -1)
                               AND coalesce(r.region_id, -1) = coalesce(i.region_id, -1)
                               AND r.rate_date = i.shift_date
                              LEFT JOIN pg_temp.tt_bill_holidays AS hd
                                ON hd.holiday_date = i.shift_date AND coalesce(hd.region_id, -1) = coalesce(i.region_id, -1)
                              LEFT JOIN pg_temp.tt_bill_rules AS ru
                                ON coalesce(ru.region_id, -1) = coalesce(i.region_id, -1)
                          ) AS b
                        OFFSET 0
                      ) AS d
                  ) AS w
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
    ANALYZE pg_temp.tt_bill (source, shift_id, billing_period_id);

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
     WHERE b.bill_rate_regular IS NULL AND b.billable_hours > 0 AND NOT b.out_of_range
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

    -- resolved: shifts billed now with a rate in range, or without billable hours
    UPDATE tracktik.data_quality_issues AS q
       SET resolved_at = pg_catalog.now(),
           resolution_note = pg_catalog.format('resolved by %s: the shift was billed again %s',
                                               coalesce('batch ' || p_batch_id::text, 'calculate_billing'),
                                               CASE WHEN b.billable_hours > 0 THEN 'at a rate of ' || b.bill_rate_regular
                                                    ELSE 'without billable hours' END)
      FROM pg_temp.tt_bill AS b
     WHERE q.resolved_at IS NULL AND q.table_name = 'fact_shifts'
       AND q.issue_type IN ('missing_bill_rate', 'billing_out_of_range')
       AND q.record_id = b.shift_id::text
       AND NOT b.out_of_range
       AND (b.bill_rate_regular IS NOT NULL OR NOT b.billable_hours > 0);

    SELECT count(*) FILTER (WHERE i.source = 's')::integer INTO v_stored FROM pg_temp.tt_bill_in AS i;
    RETURN pg_catalog.jsonb_build_object(
        'weeks', (SELECT count(*) FROM pg_temp.tt_bill_weeks),
        'rows_billed', v_rows,
        'stored_rows_billed', v_stored,
        'stored_rows_updated', v_updated,
        'missing_rate', v_missing);
END
$$;

COMMENT ON FUNCTION tracktik._bill_employee_weeks(uuid) IS
    'Internal billing engine (DESIGN.md section 5): bills whole employee-weeks (pg_temp.tt_bill_weeks) over pending rows (pg_temp.tt_pending) and stored facts; rates, overtime (daily/weekly), holidays and money with window functions, every amount range-checked before NUMERIC(10,2) (else billing left empty with a billing_out_of_range error); updates stored facts whose billing changed and leaves the pending rows'' billing in pg_temp.tt_bill; records missing_bill_rate issues once while open and resolves those (and billing_out_of_range) of shifts now billed with a rate.';
