-- tracktik.client_key_at(id, instant) -> surrogate key of the dim_clients version valid at that instant
-- (the latest version starting at or before it); the earliest version when the instant
-- precedes all of them (a fact older than every version); NULL for an unknown id or a NULL
-- argument (STRICT).
--
-- Two probes of the index dim_clients_id_valid_from (client_id, valid_from) INCLUDE (surrogate_key),
-- each answered from the index alone. The signature is used by the fact load; keep it.
-- Invoker's rights (the caller needs SELECT on tracktik.dim_clients); no SET clause, every name is
-- schema-qualified.
CREATE OR REPLACE FUNCTION tracktik.client_key_at(p_client_id bigint, p_at timestamptz)
RETURNS bigint
LANGUAGE sql
STABLE
STRICT
PARALLEL SAFE
AS $$
    SELECT coalesce(
        (SELECT d.surrogate_key                         -- the version valid at p_at
           FROM tracktik.dim_clients AS d
          WHERE d.client_id = p_client_id AND d.valid_from <= p_at
          ORDER BY d.valid_from DESC
          LIMIT 1),
        (SELECT d.surrogate_key                         -- else the earliest version
           FROM tracktik.dim_clients AS d
          WHERE d.client_id = p_client_id
          ORDER BY d.valid_from
          LIMIT 1))
$$;

COMMENT ON FUNCTION tracktik.client_key_at(bigint, timestamptz) IS
    'Point-in-time lookup: surrogate_key of the dim_clients version valid at an instant (the earliest version for an instant before all versions; NULL for an unknown id or NULL arguments).';
