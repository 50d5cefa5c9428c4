-- tracktik._write_fact_changes(batch) -> counts. Step 5 of the shift load: write the pending rows
-- (pg_temp.tt_pending; raw_data read from tracktik._shift_records(batch, period) by src_tid)
-- with the billing the engine computed for them (pg_temp.tt_bill).
--
--   changed       UPDATE of the stored row in the same period, guarded by WHERE ... IS
--                 DISTINCT FROM: a row whose content did not change is not rewritten (no new
--                 tuple, updated_at and etl_batch_id unchanged);
--   new, moved    plain INSERT: step 3 found no row of that shift in its period, under the
--                 fact-table advisory lock every writer takes, so there is nothing to conflict
--                 with (an INSERT ... ON CONFLICT pays a speculative insertion per row: +40%
--                 on a 100,000-row load); a row written behind the lock's back fails the batch
--                 with a unique violation instead of being merged silently;
--   moved shifts  then the row in the old period is deleted (and the move recorded in
--                 tracktik.fact_shift_moves): a shift id is never in two partitions once
--                 the function returns;
--   statistics    partitions that received 1,000 rows or more are analyzed (join columns),
--                 from a small sample (statistics target 10: the next load needs sizes and
--                 distinct counts, not histograms; the default target reads every page of
--                 a 40 MB partition).
CREATE OR REPLACE FUNCTION tracktik._write_fact_changes(p_batch_id uuid, p_period_id text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
SET work_mem = '64MB'
SET enable_mergejoin = off           -- the record join by tid: hash, not two sorts of 100,000 wide rows
SET default_statistics_target = 10  -- the ANALYZE of freshly loaded partitions (see above)
SET jit = off                       -- compiling these one-shot bulk statements costs more than it saves
AS $$
DECLARE
    v_moved     integer;
    v_written   integer;
    v_count     integer;
    v_partition text;
BEGIN
    -- changed rows: update in place, with their billing; a row whose content did not change
    -- is not rewritten
    UPDATE tracktik.fact_shifts AS f
       SET employee_id          = x.employee_id,
           position_id          = x.position_id,
           client_id            = x.client_id,
           region_id            = x.region_id,
           employee_key         = x.employee_key,
           position_key         = x.position_key,
           client_key           = x.client_key,
           shift_date           = x.shift_date,
           start_datetime       = x.start_datetime,
           end_datetime         = x.end_datetime,
           time_zone            = x.time_zone,
           status               = x.status,
           scheduled_hours      = x.scheduled_hours,
           clocked_hours        = x.clocked_hours,
           approved_hours       = x.approved_hours,
           billable_hours       = x.billable_hours,
           payable_hours        = x.payable_hours,
           bill_rate_regular    = x.bill_rate_regular,
           bill_rate_effective  = x.bill_rate_effective,
           bill_overtime_hours  = x.bill_overtime_hours,
           bill_overtime_impact = x.bill_overtime_impact,
           bill_holiday_hours   = x.bill_holiday_hours,
           bill_holiday_impact  = x.bill_holiday_impact,
           bill_total           = x.bill_total,
           raw_data             = x.raw_data,
           etl_batch_id         = p_batch_id,
           updated_at           = pg_catalog.now()
      FROM (
        SELECT p.shift_id, p.billing_period_id, p.employee_id, p.position_id, p.client_id, p.region_id,
               p.employee_key, p.position_key, p.client_key, p.shift_date, p.start_datetime,
               p.end_datetime, p.time_zone, p.status, p.scheduled_hours::numeric(10,2) AS scheduled_hours,
               p.clocked_hours, p.approved_hours, p.billable_hours, p.payable_hours,
               b.bill_rate_regular, b.bill_rate_effective, b.bill_overtime_hours, b.bill_overtime_impact,
               b.bill_holiday_hours, b.bill_holiday_impact, b.bill_total, r.rec AS raw_data
          FROM pg_temp.tt_pending AS p
          JOIN tracktik._shift_records(p_batch_id, p_period_id) AS r ON r.src_tid = p.src_tid
          LEFT JOIN pg_temp.tt_bill AS b ON b.source = 'p' AND b.shift_id = p.shift_id
         WHERE p.change = 'changed'
      ) AS x
     WHERE f.billing_period_id = x.billing_period_id AND f.shift_id = x.shift_id
       AND (f.employee_id, f.position_id, f.client_id, f.region_id, f.employee_key, f.position_key,
            f.client_key, f.shift_date, f.start_datetime, f.end_datetime, f.time_zone, f.status,
            f.scheduled_hours, f.clocked_hours, f.approved_hours, f.billable_hours, f.payable_hours,
            f.bill_rate_regular, f.bill_rate_effective, f.bill_overtime_hours, f.bill_overtime_impact,
            f.bill_holiday_hours, f.bill_holiday_impact, f.bill_total, f.raw_data)
           IS DISTINCT FROM
           (x.employee_id, x.position_id, x.client_id, x.region_id, x.employee_key, x.position_key,
            x.client_key, x.shift_date, x.start_datetime, x.end_datetime, x.time_zone, x.status,
            x.scheduled_hours, x.clocked_hours, x.approved_hours, x.billable_hours, x.payable_hours,
            x.bill_rate_regular, x.bill_rate_effective, x.bill_overtime_hours, x.bill_overtime_impact,
            x.bill_holiday_hours, x.bill_holiday_impact, x.bill_total, x.raw_data);
    GET DIAGNOSTICS v_written = ROW_COUNT;

    -- new and moved rows: stored nowhere in their period (step 3 checked it under the fact
    -- table lock), so a plain INSERT: no speculative insertion, no conflict arbitration
    INSERT INTO tracktik.fact_shifts (
        shift_id, billing_period_id, employee_id, position_id, client_id, region_id,
        employee_key, position_key, client_key, shift_date, start_datetime, end_datetime, time_zone,
        status, scheduled_hours, clocked_hours, approved_hours, billable_hours, payable_hours,
        bill_rate_regular, bill_rate_effective, bill_overtime_hours, bill_overtime_impact,
        bill_holiday_hours, bill_holiday_impact, bill_total, raw_data, etl_batch_id)
    SELECT p.shift_id, p.billing_period_id, p.employee_id, p.position_id, p.client_id, p.region_id,
           p.employee_key, p.position_key, p.client_key, p.shift_date, p.start_datetime, p.end_datetime,
           p.time_zone, p.status, p.scheduled_hours, p.clocked_hours, p.approved_hours,
           p.billable_hours, p.payable_hours,
           b.bill_rate_regular, b.bill_rate_effective, b.bill_overtime_hours, b.bill_overtime_impact,
           b.bill_holiday_hours, b.bill_holiday_impact, b.bill_total, r.rec, p_batch_id
      FROM pg_temp.tt_pending AS p
      JOIN tracktik._shift_records(p_batch_id, p_period_id) AS r ON r.src_tid = p.src_tid
      LEFT JOIN pg_temp.tt_bill AS b ON b.source = 'p' AND b.shift_id = p.shift_id
     WHERE p.change <> 'changed';
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_written := v_written + v_count;

    -- moves: out of the old partition (after the upsert, which may read the old row's raw_data
    -- when reprocessing)
    WITH gone AS (
        DELETE FROM tracktik.fact_shifts AS f
         USING pg_temp.tt_pending AS p
         WHERE p.change = 'moved'
           AND f.billing_period_id = p.old_period_id AND f.shift_id = p.shift_id
        RETURNING f.shift_id, f.billing_period_id
    )
    INSERT INTO tracktik.fact_shift_moves
           (shift_id, from_period_id, to_period_id, from_shift_date, to_shift_date, from_employee_id, batch_id)
    SELECT p.shift_id, p.old_period_id, p.billing_period_id, p.old_shift_date, p.shift_date, p.old_employee_id,
           p_batch_id
      FROM gone AS g
      JOIN pg_temp.tt_pending AS p ON p.shift_id = g.shift_id AND p.old_period_id = g.billing_period_id;
    GET DIAGNOSTICS v_moved = ROW_COUNT;

    -- statistics: a partition that just received a bulk of rows is analyzed (the columns the
    -- loads join on), so the next load plans with its real size instead of waiting for
    -- autovacuum (one statement per partition)
    FOR v_partition IN
        SELECT 'fact_shifts_' || p.billing_period_id
          FROM pg_temp.tt_pending AS p
         GROUP BY p.billing_period_id
        HAVING count(*) >= 1000
    LOOP
        EXECUTE pg_catalog.format(
            'ANALYZE tracktik.%I (shift_id, billing_period_id, employee_id, position_id, shift_date, etl_batch_id)',
            v_partition);
    END LOOP;

    RETURN pg_catalog.jsonb_build_object('written', v_written, 'moved', v_moved);
END
$$;

COMMENT ON FUNCTION tracktik._write_fact_changes(uuid, text) IS
    'Internal step 5 of the shift load: deletes moved shifts from their old partition (recorded in fact_shift_moves) and upserts the pending rows with their billing; rows whose content did not change are never rewritten.';
