DROP INDEX IF EXISTS tracktik.dim_employees_current_state;
DROP INDEX IF EXISTS tracktik.dim_positions_current_state;
DROP INDEX IF EXISTS tracktik.dim_clients_current_state;
DROP INDEX IF EXISTS tracktik.dim_regions_current_state;
DROP INDEX IF EXISTS tracktik.dim_employees_id_valid_from;
DROP INDEX IF EXISTS tracktik.dim_positions_id_valid_from;
DROP INDEX IF EXISTS tracktik.dim_clients_id_valid_from;
DROP INDEX IF EXISTS tracktik.dim_regions_id_valid_from;
DROP TABLE IF EXISTS tracktik.scd2_attributes;
DROP TABLE IF EXISTS tracktik.scd2_dimensions;

-- the column comments of 0003_dimensions
COMMENT ON COLUMN tracktik.dim_regions.parent_region_name IS 'Name of the parent region, from its current version when this version was written (denormalised, not tracked).';
COMMENT ON COLUMN tracktik.dim_clients.region_name IS 'Name of that region, from its current version (denormalised, not tracked).';
COMMENT ON COLUMN tracktik.dim_positions.client_name IS 'Name of that site, from its current version (denormalised, not tracked).';
COMMENT ON COLUMN tracktik.dim_employees.region_name IS 'Name of that region, from its current version (denormalised, not tracked).';
COMMENT ON COLUMN tracktik.dim_regions.attributes_hash IS 'Hash of the tracked attributes; a new version is made only when it changes.';
COMMENT ON COLUMN tracktik.dim_clients.attributes_hash IS 'Hash of the tracked attributes; a new version is made only when it changes.';
COMMENT ON COLUMN tracktik.dim_positions.attributes_hash IS 'Hash of the tracked attributes; a new version is made only when it changes.';
COMMENT ON COLUMN tracktik.dim_employees.attributes_hash IS 'Hash of the tracked attributes; a new version is made only when it changes.';
