-- After a hand-made sequence of TrackTik changes loaded incrementally (shift edited, added,
-- removed with a log entry, deleted without one; a rate added then deleted; a post moved to
-- another site and one made non-billable, both from before every loaded shift), a full sync
-- leaves the warehouse billing exactly what a fresh load of the same portal into an empty
-- warehouse bills: same shifts, periods, sites, regions, hours and money to the cent.
BEGIN;
SELECT plan(4);

SELECT tt_test.add_world_rates();
DELETE FROM tracktik.bill_rate_overrides WHERE scope_id = 2000;   -- post 2000 bills by TrackTik's settings
SELECT pg_advisory_xact_lock(hashtext('tracktik.run_kaiser_batch'));

-- the portal as it is at the end of the sequence
CREATE TEMP TABLE final_shifts (rec jsonb) ON COMMIT DROP;
CREATE FUNCTION pg_temp.stage_final(p_batch uuid) RETURNS void LANGUAGE sql AS $$
    SELECT tt_test.stage_world(p_batch);
    DELETE FROM staging.api_records
     WHERE batch_id = p_batch AND resource = 'positions' AND record ->> 'id' IN ('1000', '2000');
    SELECT tt_test.stage(p_batch, 'positions', jsonb_build_object(
               'id', 1000, 'customId', 'P1000', 'name', 'Main Entrance Officer', 'status', 'ACTIVE',
               'account', 100, 'nonBillable', true, 'updatedOn', '2025-01-02T00:00:00+00:00'));
    SELECT tt_test.stage(p_batch, 'positions', jsonb_build_object(
               'id', 2000, 'customId', 'P2000', 'name', 'Lobby Officer', 'status', 'ACTIVE', 'account', 100,
               'nonBillable', false, 'updatedOn', '2025-01-01T00:00:00+00:00',
               'billingSetting', jsonb_build_object('id', tt_test.billing_setting_id(2000), 'type', 'HOURLY',
                   'billSettings', jsonb_build_array(tt_test.bill_setting(1, 2000, 40.00, '2024-07-01')))));
    SELECT tt_test.stage(p_batch, 'shifts', s.rec) FROM pg_temp.final_shifts AS s;
$$;

-- 1. first load: 2000 at Denver with settings 40.00 and 44.00 (from the 20th); 6 x 8 h of
--    employee 1 on 2000, 2 shifts of employee 2 on 1000
SELECT tt_test.new_batch() AS b1 \gset
SELECT tt_test.stage_world(:'b1');
DELETE FROM staging.api_records WHERE batch_id = :'b1' AND resource = 'positions' AND record ->> 'id' = '2000';
SELECT tt_test.stage(:'b1', 'positions', jsonb_build_object(
           'id', 2000, 'customId', 'P2000', 'name', 'Lobby Officer', 'status', 'ACTIVE', 'account', 200,
           'nonBillable', false, 'updatedOn', '2024-06-01T00:00:00+00:00',
           'billingSetting', jsonb_build_object('id', tt_test.billing_setting_id(2000), 'type', 'HOURLY',
               'billSettings', jsonb_build_array(tt_test.bill_setting(1, 2000, 40.00, '2024-07-01'),
                                                 tt_test.bill_setting(2, 2000, 44.00, '2025-01-20')))));
SELECT tt_test.stage_days(:'b1', 101, 1, 2000, '2025-01-17', 6);
SELECT tt_test.stage_days(:'b1', 201, 2, 1000, '2025-01-17', 2);
SELECT tracktik.mark_batch_staged(:'b1', '{}');
SELECT tracktik._process_batch(:'b1') IS NOT NULL AS processed;

-- 2. incremental: 102 clocked 6 h, a new shift 107, 104 removed (log entry)
SELECT tt_test.new_batch() AS b2 \gset
SELECT tt_test.stage(:'b2', 'shifts', raw_data || '{"clockedHours": 6, "modifiedOn": "2025-06-02T00:00:00+00:00"}')
  FROM tracktik.fact_shifts WHERE shift_id = 102;
SELECT tt_test.stage_days(:'b2', 107, 1, 2000, '2025-01-23', 1);
SELECT tt_test.stage(:'b2', 'shift-logs', tt_test.shift_log(1, 'REMOVED', 104, '2025-06-02T00:00:00+00:00'));
SELECT tracktik.mark_batch_staged(:'b2', '{}');
SELECT tracktik._process_batch(:'b2') IS NOT NULL AS processed;

-- 3. incremental: post 2000 moved to Oakland from 2025-01-01; post 1000 non-billable from 2025-01-02
SELECT tt_test.new_batch() AS b3 \gset
SELECT tt_test.stage(:'b3', 'positions', jsonb_build_object(
           'id', 2000, 'customId', 'P2000', 'name', 'Lobby Officer', 'status', 'ACTIVE', 'account', 100,
           'nonBillable', false, 'updatedOn', '2025-01-01T00:00:00+00:00'));
SELECT tt_test.stage(:'b3', 'positions', jsonb_build_object(
           'id', 1000, 'customId', 'P1000', 'name', 'Main Entrance Officer', 'status', 'ACTIVE', 'account', 100,
           'nonBillable', true, 'updatedOn', '2025-01-02T00:00:00+00:00'));
SELECT tracktik.mark_batch_staged(:'b3', '{}');
SELECT tracktik._process_batch(:'b3') IS NOT NULL AS processed;

-- what TrackTik returns now: 202 was deleted without a log entry, setting 2 was deleted
INSERT INTO final_shifts SELECT raw_data FROM tracktik.fact_shifts WHERE shift_id IN (101, 102, 103, 105, 106, 107, 201);

-- 4. full sync of everything, window 2025-01-17..2025-01-23
SELECT tt_test.new_batch('full') AS b4 \gset
SELECT pg_temp.stage_final(:'b4');
SELECT tracktik.mark_batch_staged(:'b4', '{regions,clients,positions,employees,shifts,position-bill-settings}',
                                  '{"shift_window": {"from": "2025-01-17", "to": "2025-01-23"}}');
SELECT tracktik._process_batch(:'b4') IS NOT NULL AS processed;

CREATE TEMP TABLE incremental ON COMMIT DROP AS
SELECT shift_id, billing_period_id, employee_id, position_id, client_id, region_id, shift_date, time_zone, status,
       scheduled_hours, clocked_hours, billable_hours, payable_hours, bill_rate_regular, bill_rate_effective,
       bill_overtime_hours, bill_overtime_impact, bill_holiday_hours, bill_holiday_impact, bill_total
  FROM tracktik.fact_shifts;
CREATE TEMP TABLE incremental_rates ON COMMIT DROP AS
SELECT setting_id, position_id, bill_rate, effective_date FROM tracktik.position_bill_settings;

-- a fresh load of the same portal into an empty warehouse
TRUNCATE tracktik.fact_shifts, tracktik.position_bill_settings, tracktik.dim_regions, tracktik.dim_clients,
         tracktik.dim_positions, tracktik.dim_employees;
SELECT tt_test.new_batch('full') AS b5 \gset
SELECT pg_temp.stage_final(:'b5');
SELECT tracktik.mark_batch_staged(:'b5', '{regions,clients,positions,employees,shifts,position-bill-settings}');
SELECT tracktik._process_batch(:'b5') IS NOT NULL AS processed;

SELECT set_eq('SELECT * FROM incremental',
              'SELECT shift_id, billing_period_id, employee_id, position_id, client_id, region_id, shift_date, time_zone,
                      status, scheduled_hours, clocked_hours, billable_hours, payable_hours, bill_rate_regular,
                      bill_rate_effective, bill_overtime_hours, bill_overtime_impact, bill_holiday_hours,
                      bill_holiday_impact, bill_total
                 FROM tracktik.fact_shifts',
              'every shift, its site, region, hours and billing as a fresh load has them');
SELECT is((SELECT sum(bill_total) FROM incremental), (SELECT sum(bill_total) FROM tracktik.fact_shifts),
          'the same total to the cent');
-- 101 Fri, 102 (6 h), 103, 105, 106, 107 (Thu) on 2000 in Oakland at 40.00: 46 h, 6 h beyond 40
SELECT is((SELECT sum(bill_total) FROM incremental), 5 * 320.00 + 240.00 + 6 * 20.00,
          'which is 46 h at 40.00 with 6 h overtime; the non-billable post bills nothing');
SELECT set_eq('SELECT * FROM incremental_rates',
              'SELECT setting_id, position_id, bill_rate, effective_date FROM tracktik.position_bill_settings',
              'the same bill settings');

SELECT * FROM finish();
ROLLBACK;
