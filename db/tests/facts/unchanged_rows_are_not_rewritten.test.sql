-- Loading the same content again (the same batch, or another batch with the same records)
-- rewrites nothing: no new tuple (same ctid; every byte equal), updated_at and etl_batch_id
-- unchanged.
-- A changed record rewrites only its own row (and the billing of its week).
BEGIN;
SELECT plan(7);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b1 \gset
SELECT tt_test.stage_days(:'b1', 100, 1, 1000, '2025-01-10', 5);
SELECT tt_test.stage_days(:'b1', 200, 2, 2000, '2025-01-10', 5);
SELECT tt_test.load(:'b1');
CREATE TEMP TABLE before ON COMMIT DROP AS
SELECT f.ctid AS tid, f.xmin::text AS x, f.* FROM tracktik.fact_shifts AS f;

SELECT is((tt_test.load(:'b1')) ->> 'written', '0', 'the same batch again writes nothing');
SELECT tt_test.new_batch() AS b2 \gset
INSERT INTO staging.api_records (batch_id, resource, record)
SELECT :'b2', resource, record FROM staging.api_records WHERE batch_id = :'b1';
SELECT is((tt_test.load(:'b2')) ->> 'unchanged', '10', 'a second batch with the same records: all unchanged');
SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts AS f JOIN before AS b ON b.shift_id = f.shift_id
            WHERE f.ctid = b.tid AND f.xmin::text = b.x AND f::text = (b.shift_id, b.billing_period_id, b.employee_id,
                  b.position_id, b.client_id, b.region_id, b.employee_key, b.position_key, b.client_key, b.shift_date,
                  b.start_datetime, b.end_datetime, b.time_zone, b.status, b.scheduled_hours, b.clocked_hours,
                  b.approved_hours, b.billable_hours, b.payable_hours, b.bill_rate_regular, b.bill_rate_effective,
                  b.bill_overtime_hours, b.bill_overtime_impact, b.bill_holiday_hours, b.bill_holiday_impact,
                  b.bill_total, b.raw_data, b.etl_batch_id, b.created_at, b.updated_at)::text), 10,
          'every row is the same tuple, byte for byte');

-- one record changes
SELECT tt_test.new_batch() AS b3 \gset
SELECT tt_test.stage_shift(:'b3', 102, 1, 1000,
       (SELECT raw_data ->> 'startDateTime' FROM tracktik.fact_shifts WHERE shift_id = 102),
       (SELECT raw_data ->> 'endDateTime' FROM tracktik.fact_shifts WHERE shift_id = 102), '{"clockedHours": 7.5}');
SELECT tt_test.load(:'b3');
SELECT is((tt_test.fact(102)).etl_batch_id, :'b3'::uuid, 'the changed shift is rewritten by the new batch');
SELECT isnt((SELECT ctid FROM tracktik.fact_shifts WHERE shift_id = 102), (SELECT tid FROM before WHERE shift_id = 102),
            '... as a new tuple');
SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts AS f JOIN before AS b ON b.shift_id = f.shift_id
            WHERE f.ctid <> b.tid), 1, 'no other row is touched (its week''s billing is unchanged)');
SELECT is((SELECT etl_batch_id FROM tracktik.fact_shifts WHERE shift_id = 200), :'b1'::uuid,
          'other rows keep the batch that last changed them');

SELECT * FROM finish();
ROLLBACK;
