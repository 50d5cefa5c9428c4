-- A staged shift loads with its natural ids, the dimension versions valid at its start, the
-- site of its post as of that instant, its local date and billing period; relations may come as
-- ids or included objects; raw_data is the complete record.
BEGIN;
SELECT plan(16);

SELECT tt_test.build_world();
-- post 1000 moves from site 100 (Northern California) to site 120 (Los Angeles) on 2025-01-15
UPDATE tracktik.dim_positions SET valid_to = '2025-01-15T08:00:00Z', is_current = false WHERE position_id = 1000;
INSERT INTO tracktik.dim_positions (position_id, name, status, client_id, non_billable, valid_from, is_current, attributes_hash)
VALUES (1000, 'Main Entrance Officer', 'ACTIVE', 120, false, '2025-01-15T08:00:00Z', true, '\x01');

SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_shift(:'b', 1, 1, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T16:00:00-08:00');
SELECT tt_test.stage_shift(:'b', 2, 2, 1000, '2025-01-16T08:00:00-08:00', '2025-01-16T16:00:00-08:00',
                           '{"employee": {"id": 2, "firstName": "Ann"}, "position": {"id": 1000, "name": "Main"}}');
SELECT tt_test.load(:'b');

SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts), 2, 'both shifts are loaded');
SELECT is((tt_test.fact(1)).client_id, 100::bigint, 'before the move the post''s site is 100');
SELECT is((tt_test.fact(1)).region_id, 10::bigint, '... and the region is that site''s region');
SELECT is((tt_test.fact(2)).client_id, 120::bigint, 'after the move the post''s site is 120');
SELECT is((tt_test.fact(2)).region_id, 12::bigint, '... in region 12');
SELECT is((tt_test.fact(1)).position_key, tracktik.position_key_at(1000, '2025-01-13T08:00:00-08:00'),
          'position_key is the version valid at shift start (the old one)');
SELECT is((tt_test.fact(2)).position_key, (SELECT surrogate_key FROM tracktik.dim_positions WHERE position_id = 1000 AND is_current),
          'a later shift points at the current version');
SELECT is((tt_test.fact(2)).employee_key, tracktik.employee_key_at(2, '2025-01-16T08:00:00-08:00'),
          'employee_key is the version valid at shift start');
SELECT is((tt_test.fact(2)).client_key, tracktik.client_key_at(120, '2025-01-16T08:00:00-08:00'),
          'client_key is the site version valid at shift start');
SELECT is((tt_test.fact(2)).employee_id, 2::bigint, 'a relation given as an included object is read by its id');
SELECT is((tt_test.fact(1)).shift_date, DATE '2025-01-13', 'shift_date is the local start date');
SELECT is((tt_test.fact(1)).billing_period_id, '2025_02', 'the period is that of the local start date');
SELECT is((tt_test.fact(1)).time_zone, 'America/Los_Angeles', 'no timeZone on the shift: the site''s');
SELECT is((tt_test.fact(2)).raw_data,
          (SELECT record FROM staging.api_records WHERE batch_id = :'b' AND record ->> 'id' = '2'),
          'raw_data is the complete record as staged');
SELECT is((tt_test.fact(1)).etl_batch_id, :'b'::uuid, 'etl_batch_id is the loading batch');
SELECT has_table('tracktik', 'fact_shifts_2025_02', 'the period''s partition was ensured');

SELECT * FROM finish();
ROLLBACK;
