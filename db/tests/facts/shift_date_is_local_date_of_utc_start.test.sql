-- The API returns startDateTime / endDateTime in UTC; shift_date is the local date of the start
-- in the shift's timeZone (else the site's, region's, default): 2026-10-14T02:00:00+00:00 in
-- America/Los_Angeles is 2026-10-13 19:00, so the shift belongs to the 13th, its workweek and
-- its billing period; the stored instants are the UTC ones.
BEGIN;
SELECT plan(6);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
-- post 2000 is at the Denver site: the shift's own time zone wins
SELECT tt_test.stage_shift(:'b', 1, 1, 2000, '2026-10-14T02:00:00+00:00', '2026-10-14T10:00:00+00:00',
                           '{"timeZone": "America/Los_Angeles"}');
-- no timeZone: the Oakland site's (America/Los_Angeles); 06:30 UTC is 23:30 the day before
SELECT tt_test.stage_shift(:'b', 2, 2, 1000, '2026-10-14T06:30:00+00:00', '2026-10-14T14:30:00+00:00');
-- 07:00 UTC is midnight in Los Angeles (PDT): the same UTC date
SELECT tt_test.stage_shift(:'b', 3, 3, 1000, '2026-10-14T07:00:00+00:00', '2026-10-14T15:00:00+00:00');
SELECT tt_test.load(:'b');

SELECT is((tt_test.fact(1)).shift_date, DATE '2026-10-13', 'UTC 2026-10-14 02:00 in Los Angeles is the 13th');
SELECT is((tt_test.fact(1)).start_datetime, '2026-10-14T02:00:00+00:00'::timestamptz, '... the instant is kept');
SELECT is((tt_test.fact(1)).billing_period_id, tracktik.get_billing_period('2026-10-13'),
          '... and the billing period is that of the local date');
SELECT is((tt_test.fact(2)).shift_date, DATE '2026-10-13', 'without timeZone the site''s zone dates it (23:30 local)');
SELECT is((tt_test.fact(3)).shift_date, DATE '2026-10-14', 'local midnight is the next day');
SELECT is((tt_test.fact(1)).scheduled_hours, 8.00, 'the hours are the span between the UTC instants');

SELECT * FROM finish();
ROLLBACK;
