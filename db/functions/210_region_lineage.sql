-- tracktik._region_lineage(region ids) -> every (region, ancestor, depth) of the given regions:
-- the region itself at depth 0 (even when unknown), its parent at 1, and so on up to the root,
-- following parent_region_id of the CURRENT dim_regions versions. A cycle in the parent chain
-- (bad source data) stops the walk instead of looping.
--
-- Rates, overtime rules and holidays are inherited down the region tree through this.
CREATE OR REPLACE FUNCTION tracktik._region_lineage(p_region_ids bigint[])
RETURNS TABLE (region_id bigint, ancestor_id bigint, depth integer)
LANGUAGE sql
STABLE
PARALLEL SAFE
AS $$
    WITH RECURSIVE lineage (region_id, ancestor_id, depth, path) AS (
        SELECT DISTINCT u.id, u.id, 0, ARRAY[u.id]
          FROM unnest(p_region_ids) AS u(id)
         WHERE u.id IS NOT NULL
        UNION ALL
        SELECT l.region_id, d.parent_region_id, l.depth + 1, l.path || d.parent_region_id
          FROM lineage AS l
          JOIN tracktik.dim_regions AS d ON d.region_id = l.ancestor_id AND d.is_current
         WHERE d.parent_region_id IS NOT NULL
           AND NOT d.parent_region_id = ANY (l.path)
           AND l.depth < 64
    )
    SELECT l.region_id, l.ancestor_id, l.depth FROM lineage AS l
$$;

COMMENT ON FUNCTION tracktik._region_lineage(bigint[]) IS
    'The region itself (depth 0) and its ancestors (depth 1, 2, ...) by the current dim_regions parent chain, for each given region id; cycles are cut.';
