-- The money arithmetic to the cent, against hand-computed values (numeric rounding half away
-- from zero; impacts rounded to cents, total = round(billable x rate, 2) + impacts).
BEGIN;
SELECT plan(15);

SELECT tt_test.build_world();
UPDATE tracktik.bill_rate_overrides SET bill_rate = 41.37 WHERE scope = 'position' AND scope_id = 1000;
UPDATE tracktik.bill_rate_overrides SET bill_rate = 37.83, holiday_multiplier = 1.75 WHERE scope = 'position' AND scope_id = 1001;
UPDATE tracktik.bill_rate_overrides SET bill_rate = 38.85, overtime_multiplier = 1.6 WHERE scope = 'position' AND scope_id = 2000;
SELECT tt_test.new_batch() AS b \gset

-- A. California, 06:00-19:45 (13.75 h) with a 30-minute break: scheduled 13.25; clocked 13.30,
--    no approval -> billable = least(13.30, 13.25) = 13.25 h at 41.37
--    daily: 8 regular, 4 overtime (8..12), 1.25 double time (12..13.25)
--    overtime premium = 41.37 x (4 x 0.5 + 1.25 x 1.0) = 41.37 x 3.25 = 134.4525 -> 134.45
--    regular amount   = 13.25 x 41.37 = 548.1525 -> 548.15
--    total            = 548.15 + 134.45 = 682.60;  effective = 682.60 / 13.25 = 51.5169.. -> 51.52
SELECT tt_test.stage_shift(:'b', 1, 1, 1000, '2025-01-13T06:00:00-08:00', '2025-01-13T19:45:00-08:00',
                           '{"breakInMinutes": 30, "clockedHours": 13.30}');
-- B. Christmas Day 2025 (Thursday), California, 7.5 h at 37.83 with holiday multiplier 1.75
--    holiday premium = 37.83 x 7.5 x 0.75 = 212.79375 -> 212.79
--    regular amount  = 7.5 x 37.83 = 283.725 -> 283.73
--    total           = 283.73 + 212.79 = 496.52;  effective = 496.52 / 7.5 = 66.2026.. -> 66.20
SELECT tt_test.stage_shift(:'b', 2, 2, 1001, '2025-12-25T08:00:00-08:00', '2025-12-25T15:30:00-08:00');
-- C. Colorado, five 8.5-hour shifts Fri 17 .. Tue 21 January at 38.85, overtime multiplier 1.6
--    the fifth: 34 h before it, 42.5 after -> 2.5 weekly overtime hours
--    overtime premium = 38.85 x 2.5 x 0.6 = 58.275 -> 58.28
--    regular amount   = 8.5 x 38.85 = 330.225 -> 330.23
--    total            = 330.23 + 58.28 = 388.51;  effective = 388.51 / 8.5 = 45.7070.. -> 45.71
SELECT tt_test.stage_shift(:'b', 30 + i, 3, 2000,
           to_char(timestamptz '2025-01-17 08:00-07' + make_interval(days => i), 'YYYY-MM-DD"T"HH24:MI:SSOF'),
           to_char(timestamptz '2025-01-17 16:30-07' + make_interval(days => i), 'YYYY-MM-DD"T"HH24:MI:SSOF'))
  FROM generate_series(0, 4) AS i;
SELECT tt_test.load(:'b');

SELECT is((tt_test.fact(1)).billable_hours, 13.25, 'A: billable = least(clocked 13.30, scheduled 13.25)');
SELECT is((tt_test.fact(1)).bill_overtime_hours, 5.25, 'A: 4 overtime + 1.25 double-time hours');
SELECT is((tt_test.fact(1)).bill_overtime_impact, 134.45, 'A: premium 41.37 x 3.25 = 134.4525 -> 134.45');
SELECT is((tt_test.fact(1)).bill_total, 682.60, 'A: total 548.15 + 134.45 = 682.60');
SELECT is((tt_test.fact(1)).bill_rate_effective, 51.52, 'A: effective 682.60 / 13.25 -> 51.52');
SELECT is((tt_test.fact(2)).bill_holiday_hours, 7.50, 'B: 7.5 holiday hours');
SELECT is((tt_test.fact(2)).bill_holiday_impact, 212.79, 'B: premium 37.83 x 7.5 x 0.75 = 212.79375 -> 212.79');
SELECT is((tt_test.fact(2)).bill_total, 496.52, 'B: total 283.73 + 212.79 = 496.52');
SELECT is((tt_test.fact(2)).bill_rate_effective, 66.20, 'B: effective 496.52 / 7.5 -> 66.20');
SELECT is((tt_test.fact(34)).bill_overtime_hours, 2.50, 'C: the fifth shift has 2.5 weekly overtime hours');
SELECT is((tt_test.fact(34)).bill_overtime_impact, 58.28, 'C: premium 38.85 x 2.5 x 0.6 = 58.275 -> 58.28');
SELECT is((tt_test.fact(34)).bill_total, 388.51, 'C: total 330.23 + 58.28 = 388.51');
SELECT is((tt_test.fact(34)).bill_rate_effective, 45.71, 'C: effective 388.51 / 8.5 -> 45.71');
SELECT is((tt_test.fact(33)).bill_total, 330.23, 'C: a regular 8.5-hour shift: 330.225 -> 330.23');
SELECT is((SELECT sum(bill_total) FROM tracktik.fact_shifts WHERE employee_id = 3), 1709.43,
          'C: the week: 4 x 330.23 + 388.51 = 1709.43');

SELECT * FROM finish();
ROLLBACK;
