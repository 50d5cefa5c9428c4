-- tracktik._overtime_rules_for(region ids) -> the overtime rule each region bills with.
--
-- For a region the rule is, in order (DESIGN.md section 5, tracktik.overtime_rules):
--   1. the rule naming the region's id;
--   2. a rule whose region_name_pattern matches the region's current name (ILIKE);
--   3. the same, inherited from the nearest ancestor that has one (parent, grandparent, ...);
--   4. the default rule (both selectors NULL).
-- At one level an id rule beats a pattern rule; between two matching patterns the lower
-- rule_id wins. A NULL region (a post without a known site) gets the default rule.
CREATE OR REPLACE FUNCTION tracktik._overtime_rules_for(p_region_ids bigint[])
RETURNS TABLE (
    region_id                bigint,
    rule_id                  integer,
    daily_overtime_enabled   boolean,
    daily_overtime_after     numeric,
    daily_double_time_after  numeric,
    weekly_overtime_after    numeric,
    overtime_billable        boolean
)
LANGUAGE sql
STABLE
PARALLEL SAFE
AS $$
    WITH ids AS (
        SELECT DISTINCT u.id FROM unnest(p_region_ids) AS u(id)
    ), candidates AS (
        SELECT i.id AS for_region_id, o.rule_id, o.daily_overtime_enabled, o.daily_overtime_after,
               o.daily_double_time_after, o.weekly_overtime_after, o.overtime_billable,
               l.depth, CASE WHEN o.region_id IS NOT NULL THEN 0 ELSE 1 END AS kind
          FROM ids AS i
          JOIN tracktik._region_lineage(p_region_ids) AS l ON l.region_id = i.id
          LEFT JOIN tracktik.dim_regions AS d ON d.region_id = l.ancestor_id AND d.is_current
          JOIN tracktik.overtime_rules AS o
            ON o.region_id = l.ancestor_id
            OR (o.region_name_pattern IS NOT NULL AND d.name ILIKE o.region_name_pattern)
        UNION ALL
        SELECT i.id, o.rule_id, o.daily_overtime_enabled, o.daily_overtime_after,
               o.daily_double_time_after, o.weekly_overtime_after, o.overtime_billable,
               2147483647, 2
          FROM ids AS i
         CROSS JOIN tracktik.overtime_rules AS o
         WHERE o.region_id IS NULL AND o.region_name_pattern IS NULL
    )
    SELECT DISTINCT ON (c.for_region_id)
           c.for_region_id, c.rule_id, c.daily_overtime_enabled, c.daily_overtime_after,
           c.daily_double_time_after, c.weekly_overtime_after, c.overtime_billable
      FROM candidates AS c
     ORDER BY c.for_region_id, c.depth, c.kind, c.rule_id
$$;

COMMENT ON FUNCTION tracktik._overtime_rules_for(bigint[]) IS
    'Overtime rule of each given region: its own id rule, else a name-pattern rule, else inherited from the nearest ancestor, else the default rule.';
