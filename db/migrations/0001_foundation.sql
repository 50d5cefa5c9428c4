-- Schemas, extensions and the two application roles.
--
-- tracktik  : the warehouse (dimensions, facts, calendar, configuration, ETL bookkeeping)
-- staging   : raw API records exactly as TrackTik returned them, one partition per batch
--
-- Roles are cluster-wide objects: they are created only if missing, and the rollback
-- leaves them in place (other databases of the cluster may use them) after dropping
-- every privilege they hold in this database.

CREATE SCHEMA IF NOT EXISTS tracktik;
CREATE SCHEMA IF NOT EXISTS staging;

COMMENT ON SCHEMA tracktik IS
    'TrackTik billing warehouse: SCD2 dimensions (dim_*), the shift fact table, the billing calendar, billing configuration and ETL bookkeeping.';
COMMENT ON SCHEMA staging IS
    'Raw TrackTik API records as fetched, one LIST partition of staging.api_records per ETL batch.';

-- btree_gist: exclusion constraints that mix "=" on ids with "&&" on ranges.
CREATE EXTENSION IF NOT EXISTS btree_gist;

DO $roles$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'tracktik_loader') THEN
        CREATE ROLE tracktik_loader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'tracktik_reader') THEN
        CREATE ROLE tracktik_reader NOLOGIN;
    END IF;
END
$roles$;

COMMENT ON ROLE tracktik_loader IS
    'Group role of the ETL shell: may insert into staging.api_records and call the public tracktik routines, nothing else.';
COMMENT ON ROLE tracktik_reader IS
    'Group role of finance and BI readers: SELECT on warehouse tables and reporting views, no writes.';

-- Nobody but the owner may create objects in, or execute routines of, these schemas
-- unless granted explicitly.
REVOKE ALL ON SCHEMA tracktik FROM PUBLIC;
REVOKE ALL ON SCHEMA staging FROM PUBLIC;
GRANT USAGE ON SCHEMA tracktik TO tracktik_loader, tracktik_reader;
GRANT USAGE ON SCHEMA staging TO tracktik_loader;

ALTER DEFAULT PRIVILEGES IN SCHEMA tracktik REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA staging REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA tracktik GRANT SELECT ON TABLES TO tracktik_reader;
