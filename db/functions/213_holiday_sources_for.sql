-- tracktik._holiday_sources_for(dates, region ids) -> for each (date, region) pair of the two
-- parallel arrays: whether it is a holiday by the local tables, which, and where the answer
-- came from (source): dba_date (a tracktik.holiday_dates row), dba_rule (a holiday_rules row a DBA added,
-- is_shipped_default false), shipped_rule (a shipped holiday_rules row), NULL (no holiday by any
-- local row). The billing engine lets a post's TrackTik holiday group decide where the source is
-- shipped_rule or NULL (precedence: DBA > TrackTik > shipped; docs/billing.md).
--
-- A date is a holiday for a region when, in order of precedence:
--   1. tracktik.holiday_dates has a row for the date and the region or one of its ancestors
--      (the nearest wins) or all regions (region_id NULL): its is_holiday decides (a DBA adds
--      or removes dates this way);
--   2. else a tracktik.holiday_rules rule for all regions, the region or an ancestor matches
--      the date (fixed month/day, or the Nth / last ISO weekday of the month); a DBA's rule
--      before a shipped one, then the nearest region.
CREATE OR REPLACE FUNCTION tracktik._holiday_sources_for(p_dates date[], p_region_ids bigint[])
RETURNS TABLE (holiday_date date, region_id bigint, is_holiday boolean, holiday_name text, source text)
LANGUAGE sql
STABLE
PARALLEL SAFE
AS $$
    WITH pairs AS (
        SELECT DISTINCT u.d, u.r FROM unnest(p_dates, p_region_ids) AS u(d, r) WHERE u.d IS NOT NULL
    ), lineage AS (
        SELECT * FROM tracktik._region_lineage(p_region_ids)
    ), by_date AS (
        SELECT DISTINCT ON (p.d, p.r) p.d, p.r, h.is_holiday, h.name
          FROM pairs AS p
          JOIN tracktik.holiday_dates AS h ON h.holiday_date = p.d
          LEFT JOIN lineage AS l ON l.region_id = p.r AND l.ancestor_id = h.region_id
         WHERE h.region_id IS NULL OR l.ancestor_id IS NOT NULL
         ORDER BY p.d, p.r, coalesce(l.depth, 2147483647)
    ), by_rule AS (
        SELECT DISTINCT ON (p.d, p.r) p.d, p.r, hr.name, hr.is_shipped_default
          FROM pairs AS p
          JOIN tracktik.holiday_rules AS hr
            ON hr.month = extract(month FROM p.d)
           AND (hr.day_of_month = extract(day FROM p.d)
                OR (hr.iso_weekday = extract(isodow FROM p.d)
                    AND (hr.week_of_month = (extract(day FROM p.d)::integer - 1) / 7 + 1
                         OR (hr.week_of_month = -1 AND extract(month FROM p.d + 7) <> extract(month FROM p.d)))))
          LEFT JOIN lineage AS l ON l.region_id = p.r AND l.ancestor_id = hr.region_id
         WHERE hr.region_id IS NULL OR l.ancestor_id IS NOT NULL
         ORDER BY p.d, p.r, hr.is_shipped_default, coalesce(l.depth, 2147483647), hr.holiday_rule_id
    )
    SELECT p.d, p.r,
           coalesce(bd.is_holiday, br.name IS NOT NULL),
           CASE WHEN bd.is_holiday THEN bd.name
                WHEN bd.is_holiday IS NULL THEN br.name END,
           CASE WHEN bd.is_holiday IS NOT NULL THEN 'dba_date'
                WHEN br.name IS NOT NULL AND NOT br.is_shipped_default THEN 'dba_rule'
                WHEN br.name IS NOT NULL THEN 'shipped_rule' END
      FROM pairs AS p
      LEFT JOIN by_date AS bd ON bd.d = p.d AND bd.r IS NOT DISTINCT FROM p.r
      LEFT JOIN by_rule AS br ON br.d = p.d AND br.r IS NOT DISTINCT FROM p.r
$$;

COMMENT ON FUNCTION tracktik._holiday_sources_for(date[], bigint[]) IS
    'For each (date, region) pair of two parallel arrays: is it a holiday by the local tables (holiday_dates of the nearest region, else all regions; else holiday_rules, a DBA''s before the shipped ones), its name and the source (dba_date, dba_rule, shipped_rule or NULL).';
