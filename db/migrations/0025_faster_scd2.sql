-- depends: 0022_rejected_records_guard
-- Faster SCD2 writes, the same guarantees.
--
--   * No overlapping validity ranges per natural id: the GiST exclusion constraints
--     dim_*_no_overlap (about 11-25 us per written version) give way to two statement-level
--     triggers per dimension, dim_*_no_overlap_insert / _update, with transition tables:
--     tracktik._scd2_refuse_overlaps (db/functions/160) checks, set-based, each written row
--     against the other versions of its id (one hash join, or btree probes of
--     dim_*_id_valid_from for a few rows) and raises 23P01 (exclusion_violation) naming
--     dim_*_no_overlap, as the constraint did. Every INSERT and UPDATE is checked, a DBA's
--     too, multi-row statements included; DELETE and TRUNCATE cannot create an overlap.
--     Concurrent writers of one dimension are serialised by the row of
--     tracktik.scd2_write_serial that the trigger updates before it checks: under READ
--     COMMITTED the second writer waits, then checks against what the first committed; under
--     REPEATABLE READ or SERIALIZABLE it fails with 40001 (serialization_failure) instead.
--     The function created here only lets the triggers exist before that file runs, and
--     refuses every write until it does.
--   * At most one current row per id: still the partial unique index dim_*_one_current, now
--     also carrying (surrogate_key, attributes_hash, is_inferred) so that it replaces the
--     merge's change-detection index dim_*_current_state (one index fewer to maintain).

CREATE TABLE tracktik.scd2_write_serial (
    table_name  text    PRIMARY KEY,
    writes      bigint  NOT NULL DEFAULT 0
);
COMMENT ON TABLE tracktik.scd2_write_serial IS
    'One row per SCD2 dimension table, updated by the no-overlap triggers (tracktik._scd2_refuse_overlaps) before they check a statement: it serialises concurrent writers of one dimension, so that no two transactions can each add a version that overlaps the other''s.';
COMMENT ON COLUMN tracktik.scd2_write_serial.table_name IS 'Dimension table (tracktik.dim_...).';
COMMENT ON COLUMN tracktik.scd2_write_serial.writes IS 'Statements that wrote versions of the table and were checked (a counter; its update is the lock).';
REVOKE ALL ON tracktik.scd2_write_serial FROM PUBLIC;
GRANT SELECT ON tracktik.scd2_write_serial TO tracktik_reader;

CREATE OR REPLACE FUNCTION tracktik._scd2_refuse_overlaps()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = 'TT004',
        MESSAGE = pg_catalog.format('tracktik.%I: the warehouse routines are not applied yet', TG_TABLE_NAME),
        HINT    = 'Run tracktik-etl migrate.';
END
$$;

ALTER TABLE tracktik.dim_regions   DROP CONSTRAINT dim_regions_no_overlap;
ALTER TABLE tracktik.dim_clients   DROP CONSTRAINT dim_clients_no_overlap;
ALTER TABLE tracktik.dim_positions DROP CONSTRAINT dim_positions_no_overlap;
ALTER TABLE tracktik.dim_employees DROP CONSTRAINT dim_employees_no_overlap;

CREATE TRIGGER dim_regions_no_overlap_insert AFTER INSERT ON tracktik.dim_regions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tracktik._scd2_refuse_overlaps('region_id');
CREATE TRIGGER dim_regions_no_overlap_update AFTER UPDATE ON tracktik.dim_regions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tracktik._scd2_refuse_overlaps('region_id');
CREATE TRIGGER dim_clients_no_overlap_insert AFTER INSERT ON tracktik.dim_clients
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tracktik._scd2_refuse_overlaps('client_id');
CREATE TRIGGER dim_clients_no_overlap_update AFTER UPDATE ON tracktik.dim_clients
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tracktik._scd2_refuse_overlaps('client_id');
CREATE TRIGGER dim_positions_no_overlap_insert AFTER INSERT ON tracktik.dim_positions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tracktik._scd2_refuse_overlaps('position_id');
CREATE TRIGGER dim_positions_no_overlap_update AFTER UPDATE ON tracktik.dim_positions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tracktik._scd2_refuse_overlaps('position_id');
CREATE TRIGGER dim_employees_no_overlap_insert AFTER INSERT ON tracktik.dim_employees
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tracktik._scd2_refuse_overlaps('employee_id');
CREATE TRIGGER dim_employees_no_overlap_update AFTER UPDATE ON tracktik.dim_employees
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tracktik._scd2_refuse_overlaps('employee_id');

COMMENT ON TRIGGER dim_regions_no_overlap_insert ON tracktik.dim_regions IS
    'No two versions of one region_id have overlapping [valid_from, valid_to) ranges: 23P01 naming dim_regions_no_overlap (tracktik._scd2_refuse_overlaps).';
COMMENT ON TRIGGER dim_regions_no_overlap_update ON tracktik.dim_regions IS
    'No two versions of one region_id have overlapping [valid_from, valid_to) ranges: 23P01 naming dim_regions_no_overlap (tracktik._scd2_refuse_overlaps).';
COMMENT ON TRIGGER dim_clients_no_overlap_insert ON tracktik.dim_clients IS
    'No two versions of one client_id have overlapping [valid_from, valid_to) ranges: 23P01 naming dim_clients_no_overlap (tracktik._scd2_refuse_overlaps).';
COMMENT ON TRIGGER dim_clients_no_overlap_update ON tracktik.dim_clients IS
    'No two versions of one client_id have overlapping [valid_from, valid_to) ranges: 23P01 naming dim_clients_no_overlap (tracktik._scd2_refuse_overlaps).';
COMMENT ON TRIGGER dim_positions_no_overlap_insert ON tracktik.dim_positions IS
    'No two versions of one position_id have overlapping [valid_from, valid_to) ranges: 23P01 naming dim_positions_no_overlap (tracktik._scd2_refuse_overlaps).';
COMMENT ON TRIGGER dim_positions_no_overlap_update ON tracktik.dim_positions IS
    'No two versions of one position_id have overlapping [valid_from, valid_to) ranges: 23P01 naming dim_positions_no_overlap (tracktik._scd2_refuse_overlaps).';
COMMENT ON TRIGGER dim_employees_no_overlap_insert ON tracktik.dim_employees IS
    'No two versions of one employee_id have overlapping [valid_from, valid_to) ranges: 23P01 naming dim_employees_no_overlap (tracktik._scd2_refuse_overlaps).';
COMMENT ON TRIGGER dim_employees_no_overlap_update ON tracktik.dim_employees IS
    'No two versions of one employee_id have overlapping [valid_from, valid_to) ranges: 23P01 naming dim_employees_no_overlap (tracktik._scd2_refuse_overlaps).';

-- one current row per id, and the merge's change detection, in one index
DROP INDEX tracktik.dim_regions_current_state;
DROP INDEX tracktik.dim_clients_current_state;
DROP INDEX tracktik.dim_positions_current_state;
DROP INDEX tracktik.dim_employees_current_state;
DROP INDEX tracktik.dim_regions_one_current;
DROP INDEX tracktik.dim_clients_one_current;
DROP INDEX tracktik.dim_positions_one_current;
DROP INDEX tracktik.dim_employees_one_current;
CREATE UNIQUE INDEX dim_regions_one_current   ON tracktik.dim_regions   (region_id)   INCLUDE (surrogate_key, attributes_hash, is_inferred) WHERE is_current;
CREATE UNIQUE INDEX dim_clients_one_current   ON tracktik.dim_clients   (client_id)   INCLUDE (surrogate_key, attributes_hash, is_inferred) WHERE is_current;
CREATE UNIQUE INDEX dim_positions_one_current ON tracktik.dim_positions (position_id) INCLUDE (surrogate_key, attributes_hash, is_inferred) WHERE is_current;
CREATE UNIQUE INDEX dim_employees_one_current ON tracktik.dim_employees (employee_id) INCLUDE (surrogate_key, attributes_hash, is_inferred) WHERE is_current;
COMMENT ON INDEX tracktik.dim_regions_one_current IS 'At most one current version per region_id; carries what the merge compares a staged record with (index-only scan).';
COMMENT ON INDEX tracktik.dim_clients_one_current IS 'At most one current version per client_id; carries what the merge compares a staged record with (index-only scan).';
COMMENT ON INDEX tracktik.dim_positions_one_current IS 'At most one current version per position_id; carries what the merge compares a staged record with (index-only scan).';
COMMENT ON INDEX tracktik.dim_employees_one_current IS 'At most one current version per employee_id; carries what the merge compares a staged record with (index-only scan).';
