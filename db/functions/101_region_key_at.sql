-- tracktik.region_key_at(id, instant) -> surrogate key of the dim_regions version valid at that
-- instant; the earliest version when the instant precedes all of them; NULL for an unknown id.
-- LANGUAGE sql without SET so that the planner can inline it into set-based fact loads.
CREATE OR REPLACE FUNCTION tracktik.region_key_at(p_region_id bigint, p_at timestamptz)
RETURNS bigint
LANGUAGE sql
STABLE
PARALLEL SAFE
AS $$
    SELECT d.surrogate_key
      FROM tracktik.dim_regions AS d
     WHERE d.region_id = p_region_id
     ORDER BY (d.valid_from <= p_at) DESC,                      -- versions started by then first,
              CASE WHEN d.valid_from <= p_at THEN d.valid_from END DESC,  -- the latest of those,
              d.valid_from                                       -- else the earliest version
     LIMIT 1
$$;

COMMENT ON FUNCTION tracktik.region_key_at(bigint, timestamptz) IS
    'Point-in-time lookup: surrogate_key of the dim_regions version valid at an instant (the earliest version for an instant before all versions; NULL for an unknown id).';
