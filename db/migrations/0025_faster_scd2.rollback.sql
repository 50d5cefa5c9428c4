-- Back to 0022: the GiST exclusion constraints, the separate change-detection indexes.
DROP TRIGGER IF EXISTS dim_regions_no_overlap_insert ON tracktik.dim_regions;
DROP TRIGGER IF EXISTS dim_regions_no_overlap_update ON tracktik.dim_regions;
DROP TRIGGER IF EXISTS dim_clients_no_overlap_insert ON tracktik.dim_clients;
DROP TRIGGER IF EXISTS dim_clients_no_overlap_update ON tracktik.dim_clients;
DROP TRIGGER IF EXISTS dim_positions_no_overlap_insert ON tracktik.dim_positions;
DROP TRIGGER IF EXISTS dim_positions_no_overlap_update ON tracktik.dim_positions;
DROP TRIGGER IF EXISTS dim_employees_no_overlap_insert ON tracktik.dim_employees;
DROP TRIGGER IF EXISTS dim_employees_no_overlap_update ON tracktik.dim_employees;
DROP FUNCTION IF EXISTS tracktik._scd2_refuse_overlaps();
DROP TABLE IF EXISTS tracktik.scd2_write_serial;

ALTER TABLE tracktik.dim_regions ADD CONSTRAINT dim_regions_no_overlap EXCLUDE USING gist (
    region_id WITH =, tstzrange(valid_from, valid_to, '[)') WITH &&) DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE tracktik.dim_clients ADD CONSTRAINT dim_clients_no_overlap EXCLUDE USING gist (
    client_id WITH =, tstzrange(valid_from, valid_to, '[)') WITH &&) DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE tracktik.dim_positions ADD CONSTRAINT dim_positions_no_overlap EXCLUDE USING gist (
    position_id WITH =, tstzrange(valid_from, valid_to, '[)') WITH &&) DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE tracktik.dim_employees ADD CONSTRAINT dim_employees_no_overlap EXCLUDE USING gist (
    employee_id WITH =, tstzrange(valid_from, valid_to, '[)') WITH &&) DEFERRABLE INITIALLY IMMEDIATE;

DROP INDEX IF EXISTS tracktik.dim_regions_one_current;
DROP INDEX IF EXISTS tracktik.dim_clients_one_current;
DROP INDEX IF EXISTS tracktik.dim_positions_one_current;
DROP INDEX IF EXISTS tracktik.dim_employees_one_current;
CREATE UNIQUE INDEX dim_regions_one_current ON tracktik.dim_regions (region_id) WHERE is_current;
CREATE UNIQUE INDEX dim_clients_one_current ON tracktik.dim_clients (client_id) WHERE is_current;
CREATE UNIQUE INDEX dim_positions_one_current ON tracktik.dim_positions (position_id) WHERE is_current;
CREATE UNIQUE INDEX dim_employees_one_current ON tracktik.dim_employees (employee_id) WHERE is_current;
CREATE INDEX dim_regions_current_state   ON tracktik.dim_regions   (region_id)   INCLUDE (surrogate_key, attributes_hash, is_inferred) WHERE is_current;
CREATE INDEX dim_clients_current_state   ON tracktik.dim_clients   (client_id)   INCLUDE (surrogate_key, attributes_hash, is_inferred) WHERE is_current;
CREATE INDEX dim_positions_current_state ON tracktik.dim_positions (position_id) INCLUDE (surrogate_key, attributes_hash, is_inferred) WHERE is_current;
CREATE INDEX dim_employees_current_state ON tracktik.dim_employees (employee_id) INCLUDE (surrogate_key, attributes_hash, is_inferred) WHERE is_current;
