-- A bill setting staged on its own (resource position-bill-settings) has no position field: its
-- post is positionBilling.position when positionBilling is an object, else the post whose
-- billing setting that id is (a positions record of the batch, or a setting loaded before). A
-- setting whose post cannot be determined is a reported data-quality issue, never a silent drop.
BEGIN;
SELECT plan(7);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
-- positionBilling as an object naming its post
SELECT tt_test.stage(:'b', 'position-bill-settings', tt_test.bill_setting(11, 1000, 50.00, '2024-07-01',
           jsonb_build_object('positionBilling', jsonb_build_object('id', tt_test.billing_setting_id(1000),
                                                                    'position', 1000, 'type', 'HOURLY'))));
-- positionBilling as an id, whose post is a positions record of the batch
SELECT tt_test.stage_post_settings(:'b', 1200, '[]');
SELECT tt_test.stage(:'b', 'position-bill-settings', tt_test.bill_setting(12, 1200, 51.00, '2024-07-01'));
-- positionBilling as an id nobody knows; a position field (the API has none) does not count
SELECT tt_test.stage(:'b', 'position-bill-settings',
                     tt_test.bill_setting(13, 4242, 52.00, '2024-07-01', '{"position": 1001}'));
SELECT tt_test.load(:'b') AS r \gset

SELECT is((SELECT position_id FROM tracktik.position_bill_settings WHERE setting_id = 11), 1000::bigint,
          'positionBilling.position of an included positionBilling object is the post');
SELECT is((SELECT position_id FROM tracktik.position_bill_settings WHERE setting_id = 12), 1200::bigint,
          'a positionBilling id is the post whose billingSetting it is in the batch');
SELECT is((SELECT count(*)::int FROM tracktik.position_bill_settings WHERE setting_id = 13), 0,
          'a setting whose post cannot be determined is not loaded');
SELECT is((SELECT issue_type || '/' || severity FROM tracktik.data_quality_issues
            WHERE batch_id = :'b' AND table_name = 'position_bill_settings' AND record_id = '13'),
          'missing_required_field/error', '... but reported');
SELECT matches((SELECT issue_description FROM tracktik.data_quality_issues
                 WHERE batch_id = :'b' AND table_name = 'position_bill_settings' AND record_id = '13'),
               'positionBilling', '... saying the post is what is missing');
SELECT is((:'r'::jsonb -> 'bill_settings' ->> 'failed')::int, 1, '... and counted as failed');

-- a later batch: the same positionBilling id, post learned from the setting loaded before
SELECT tt_test.new_batch() AS b2 \gset
SELECT tt_test.stage(:'b2', 'position-bill-settings', tt_test.bill_setting(14, 1200, 53.00, '2025-01-01'));
SELECT tt_test.load(:'b2');
SELECT is((SELECT position_id FROM tracktik.position_bill_settings WHERE setting_id = 14), 1200::bigint,
          'a positionBilling id known from a stored setting names the post too');

SELECT * FROM finish();
ROLLBACK;
