-- The shipped holidays on their calendar dates (no weekend shifting), for every year and
-- region; dates a DBA adds or removes, per region (inherited by sub-regions) or for all.
BEGIN;
SELECT plan(12);

SELECT tt_test.build_world();
SELECT ok(tracktik.is_holiday('2025-01-01', 10), 'New Year''s Day');
SELECT ok(tracktik.is_holiday('2025-05-26', 10), 'Memorial Day 2025: last Monday of May');
SELECT ok(NOT tracktik.is_holiday('2025-05-19', 10), '... not the Monday before');
SELECT ok(tracktik.is_holiday('2026-07-04', 10), 'Independence Day on a Saturday stays on the 4th');
SELECT ok(tracktik.is_holiday('2025-09-01', 10), 'Labor Day 2025: first Monday of September');
SELECT ok(tracktik.is_holiday('2025-11-27', 10), 'Thanksgiving 2025: fourth Thursday of November');
SELECT ok(tracktik.is_holiday('2030-12-25', NULL), 'Christmas Day, any year, all regions');
SELECT ok(NOT tracktik.is_holiday('2025-11-28', 10), 'the day after Thanksgiving is not a holiday');

INSERT INTO tracktik.holiday_dates (holiday_date, region_id, name, is_holiday)
VALUES ('2025-11-28', 11, 'Day after Thanksgiving (Southern California)', true),
       ('2025-07-04', 20, 'Colorado site open on July 4 by contract', false);
SELECT ok(tracktik.is_holiday('2025-11-28', 12), 'a holiday added for a region applies to its sub-regions');
SELECT ok(NOT tracktik.is_holiday('2025-11-28', 10), '... not to other regions');
SELECT ok(NOT tracktik.is_holiday('2025-07-04', 20), 'a holiday removed for a region');
SELECT ok(tracktik.is_holiday('2025-07-04', 10), '... stays a holiday elsewhere');

SELECT * FROM finish();
ROLLBACK;
