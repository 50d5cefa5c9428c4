-- SCD2 merge (issue 3). The loader calls the SECURITY DEFINER entry points (from
-- run_kaiser_batch, which runs with the loader's rights); internal helpers (_*) and
-- rehash_dimension (a DBA routine) are granted to nobody.
GRANT EXECUTE ON FUNCTION
    tracktik.merge_dimensions(uuid),
    tracktik.ensure_inferred_members(text, bigint[], uuid)
TO tracktik_loader;

-- Point-in-time lookups run with the caller's rights over the dimensions: for readers.
GRANT EXECUTE ON FUNCTION
    tracktik.region_key_at(bigint, timestamptz),
    tracktik.client_key_at(bigint, timestamptz),
    tracktik.position_key_at(bigint, timestamptz),
    tracktik.employee_key_at(bigint, timestamptz)
TO tracktik_reader;
