-- Time zones are checked against pg_timezone_names: "UTC+5", a POSIX string that PostgreSQL
-- itself would accept with the opposite sign (5 hours WEST of UTC), is an invalid_time_zone
-- warning and never applied: the shift falls back to its site's zone.
BEGIN;
SELECT plan(5);

SELECT tt_test.build_world();
SELECT tt_test.add_site(300, 'Karachi Office', 1, 'Asia/Karachi');
SELECT tt_test.add_post(3000, 'Karachi Post', 300);
SELECT tt_test.add_position_rate(3000, 40);
SELECT tt_test.new_batch() AS b \gset
-- 02:00 at +05:00 on the 14th is 21:00 UTC on the 13th: "UTC+5" applied would date it the 13th
SELECT tt_test.stage_shift(:'b', 1, 1, 3000, '2026-10-14T02:00:00+05:00', '2026-10-14T10:00:00+05:00',
                           '{"timeZone": "UTC+5"}');
SELECT tt_test.stage_shift(:'b', 2, 2, 3000, '2026-10-14T02:00:00+05:00', '2026-10-14T10:00:00+05:00',
                           '{"timeZone": "EST5EDT"}');   -- an IANA (backward) name: used
SELECT tt_test.load(:'b');

SELECT is((tt_test.fact(1)).time_zone, 'Asia/Karachi', 'the POSIX string is not applied: the site''s zone is');
SELECT is((tt_test.fact(1)).shift_date, '2026-10-14'::date, 'so the shift is dated the 14th, as in Karachi');
SELECT is((SELECT issue_type || ':' || severity FROM tracktik.data_quality_issues WHERE batch_id = :'b' AND record_id = '1'),
          'invalid_time_zone:warning', 'an invalid_time_zone warning');
SELECT matches((SELECT issue_description FROM tracktik.data_quality_issues WHERE batch_id = :'b' AND record_id = '1'),
               'timeZone ''UTC\+5'' is not a time zone of pg_timezone_names', 'naming the value');
SELECT is((tt_test.fact(2)).time_zone, 'EST5EDT', 'a name of pg_timezone_names is used');

SELECT * FROM finish();
ROLLBACK;
