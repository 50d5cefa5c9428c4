-- The time zone of a shift is its own timeZone, else its site's, else its region's, else
-- tracktik.settings.default_time_zone; an unknown name is reported and skipped.
BEGIN;
SELECT plan(9);

SELECT tt_test.build_world();
UPDATE tracktik.settings SET default_time_zone = 'America/Chicago';
SELECT tt_test.add_region(30, 'Hawaii', 1, 'Pacific/Honolulu');
SELECT tt_test.add_site(300, 'Honolulu Clinic', 30, NULL);       -- no zone: the region's
SELECT tt_test.add_post(3000, 'Lobby Officer', 300);
SELECT tt_test.add_region(40, 'Nowhere', 1, NULL);
SELECT tt_test.add_site(400, 'Zoneless Site', 40, NULL);         -- neither: the default
SELECT tt_test.add_post(4000, 'Lobby Officer', 400);

SELECT tt_test.new_batch() AS b \gset
-- 2025-01-13 07:00 UTC is still the 12th in Honolulu (UTC-10) and Chicago (UTC-6)
SELECT tt_test.stage_shift(:'b', 1, 1, 2000, '2025-01-13T07:00:00Z', '2025-01-13T15:00:00Z', '{"timeZone": "America/New_York"}');
SELECT tt_test.stage_shift(:'b', 2, 2, 2000, '2025-01-13T07:00:00Z', '2025-01-13T15:00:00Z');
SELECT tt_test.stage_shift(:'b', 3, 3, 3000, '2025-01-13T07:00:00Z', '2025-01-13T15:00:00Z');
SELECT tt_test.stage_shift(:'b', 4, 4, 4000, '2025-01-13T07:00:00Z', '2025-01-13T15:00:00Z');
SELECT tt_test.stage_shift(:'b', 5, 5, 2000, '2025-01-13T07:00:00Z', '2025-01-13T15:00:00Z', '{"timeZone": "Mars/Olympus"}');
SELECT tt_test.load(:'b');

SELECT is((tt_test.fact(1)).time_zone, 'America/New_York', 'the shift''s own time zone comes first');
SELECT is((tt_test.fact(1)).shift_date, DATE '2025-01-13', '... and dates the shift (02:00 in New York)');
SELECT is((tt_test.fact(2)).time_zone, 'America/Denver', 'else the site''s');
SELECT is((tt_test.fact(2)).shift_date, DATE '2025-01-13', '... (00:00 in Denver)');
SELECT is((tt_test.fact(3)).time_zone, 'Pacific/Honolulu', 'else the region''s');
SELECT is((tt_test.fact(3)).shift_date, DATE '2025-01-12', '... (21:00 the day before in Honolulu)');
SELECT is((tt_test.fact(4)).time_zone, 'America/Chicago', 'else the configured default');
SELECT is((tt_test.fact(5)).time_zone, 'America/Denver', 'an unknown time zone name falls back to the site''s');
SELECT is(tt_test.issues(:'b', 'invalid_time_zone'), 1::bigint, '... and is reported');

SELECT * FROM finish();
ROLLBACK;
