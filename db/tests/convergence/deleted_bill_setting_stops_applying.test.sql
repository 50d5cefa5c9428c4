-- In a batch that fully syncs position-bill-settings, a stored bill setting that its post no
-- longer lists (billingSetting.billSettings) is deleted (kept in
-- tracktik.deleted_position_bill_settings) and the post's shifts from its effective date are
-- re-billed at the setting in force without it. Without the full sync nothing is deleted.
BEGIN;
SELECT plan(8);

SELECT tt_test.build_world();
DELETE FROM tracktik.bill_rate_overrides WHERE scope_id = 2000;   -- post 2000 bills by TrackTik's settings
SELECT tt_test.new_batch() AS b1 \gset
SELECT tt_test.stage_post_settings(:'b1', 2000, jsonb_build_array(
           tt_test.bill_setting(1, 2000, 40.00, '2024-07-01'),
           tt_test.bill_setting(2, 2000, 50.00, '2025-01-20')));
SELECT tt_test.stage_days(:'b1', 101, 1, 2000, '2025-01-17', 6);    -- 17..19 at 40.00, 20..22 at 50.00; 48 h
SELECT tt_test.load(:'b1');
-- 3 x 320 + 2 x 400 + the sixth: 8 h overtime at 50.00 = 400 + 200
SELECT is((SELECT sum(bill_total) FROM tracktik.fact_shifts), 2360.00, 'before: the later setting applies from the 20th');

-- an incremental batch (no full sync) that lists only setting 1 deletes nothing
SELECT tt_test.new_batch() AS b2 \gset
SELECT tt_test.stage_post_settings(:'b2', 2000, jsonb_build_array(tt_test.bill_setting(1, 2000, 40.00, '2024-07-01')));
SELECT tt_test.load(:'b2');
SELECT is((SELECT count(*)::int FROM tracktik.position_bill_settings), 2, 'not a full sync: the setting is kept');

-- TrackTik deleted setting 2: a full sync of the settings lists only setting 1
SELECT tt_test.full_sync_batch('{positions,position-bill-settings}') AS b3 \gset
SELECT tt_test.stage_post_settings(:'b3', 2000, jsonb_build_array(tt_test.bill_setting(1, 2000, 40.00, '2024-07-01')));
SELECT tt_test.load(:'b3') AS counts \gset

SELECT is(ARRAY(SELECT setting_id FROM tracktik.position_bill_settings), ARRAY[1]::bigint[], 'setting 2 is deleted');
SELECT is((SELECT (position_id, bill_rate, effective_date, batch_id)::text FROM tracktik.deleted_position_bill_settings
            WHERE setting_id = 2), (2000::bigint, 50.00, DATE '2025-01-20', :'b3'::uuid)::text, '... and logged');
SELECT is((tt_test.fact(104)).bill_rate_regular, 40.00, 'the shifts from its effective date bill at the earlier setting');
SELECT is((tt_test.fact(106)).bill_total, 480.00, '... overtime included: 8 x 40.00 + 8 x 20.00');
SELECT is((SELECT sum(bill_total) FROM tracktik.fact_shifts), 5 * 320.00 + 480.00, 'the week bills 2080.00');
SELECT is((:'counts'::jsonb -> 'bill_settings' ->> 'deleted')::int, 1, 'counted');

SELECT * FROM finish();
ROLLBACK;
