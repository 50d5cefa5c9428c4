-- tracktik.overtime_rule_for(region id) -> the overtime rule a region bills with (for DBAs:
-- "which rule does region 42 use?"). Same logic as the loads (tracktik._overtime_rules_for).
CREATE OR REPLACE FUNCTION tracktik.overtime_rule_for(p_region_id bigint)
RETURNS TABLE (
    rule_id                  integer,
    daily_overtime_enabled   boolean,
    daily_overtime_after     numeric,
    daily_double_time_after  numeric,
    weekly_overtime_after    numeric,
    overtime_billable        boolean
)
LANGUAGE sql
STABLE
AS $$
    SELECT r.rule_id, r.daily_overtime_enabled, r.daily_overtime_after, r.daily_double_time_after,
           r.weekly_overtime_after, r.overtime_billable
      FROM tracktik._overtime_rules_for(ARRAY[p_region_id]) AS r
$$;

COMMENT ON FUNCTION tracktik.overtime_rule_for(bigint) IS
    'The overtime rule (tracktik.overtime_rules) that a region bills with: its own, a name-pattern match, inherited from its parent, or the default.';
