-- A shift's attendanceStatus (SCHEDULED, LATE, IN_PROGRESS, ... PTO) has no column of its own:
-- the record is kept whole in raw_data, and any value loads (status is what is validated).
BEGIN;
SELECT plan(3);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_shift(:'b', 1, 1, 1000, '2025-01-13T16:00:00+00:00', '2025-01-14T00:00:00+00:00',
                           '{"attendanceStatus": "OVER_CLOCK", "plannedPayableHours": 8, "timeZone": "America/Los_Angeles"}');
SELECT tt_test.stage_shift(:'b', 2, 2, 1000, '2025-01-14T16:00:00+00:00', '2025-01-15T00:00:00+00:00',
                           '{"attendanceStatus": "PTO"}');
SELECT tt_test.load(:'b');

SELECT is((tt_test.fact(1)).raw_data ->> 'attendanceStatus', 'OVER_CLOCK', 'attendanceStatus is kept in raw_data');
SELECT is((tt_test.fact(2)).raw_data ->> 'attendanceStatus', 'PTO', '... whatever its value');
SELECT is((tt_test.fact(1)).raw_data,
          tt_test.shift(1, 1, 1000, '2025-01-13T16:00:00+00:00', '2025-01-14T00:00:00+00:00',
                        '{"attendanceStatus": "OVER_CLOCK", "plannedPayableHours": 8, "timeZone": "America/Los_Angeles"}'),
          'raw_data is the record exactly as staged');

SELECT * FROM finish();
ROLLBACK;
