-- depends: 0002_calendar
-- SCD Type 2 dimensions. The database itself enforces the SCD2 invariants on every one:
--   * at most one current row per natural id (partial unique index);
--   * no overlapping validity ranges per natural id (exclusion constraint, btree_gist);
--   * is_current is true exactly when valid_to is NULL, and valid_to > valid_from.
-- The exclusion constraint is DEFERRABLE so that a merge may close and open versions in
-- any order within one transaction (SET CONSTRAINTS ... DEFERRED).

CREATE TABLE tracktik.dim_regions (
    surrogate_key    bigserial    PRIMARY KEY,
    region_id        bigint       NOT NULL,
    custom_id        text,
    name             text,
    parent_region_id bigint,
    parent_region_name text,
    status           text,
    time_zone        text,
    valid_from       timestamptz  NOT NULL,
    valid_to         timestamptz,
    is_current       boolean      NOT NULL,
    is_inferred      boolean      NOT NULL DEFAULT false,
    attributes_hash  bytea        NOT NULL,
    source_updated_on timestamptz,
    etl_batch_id     uuid,
    created_at       timestamptz  NOT NULL DEFAULT now(),
    updated_at       timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT dim_regions_current_iff_open CHECK (is_current = (valid_to IS NULL)),
    CONSTRAINT dim_regions_range_positive CHECK (valid_to IS NULL OR valid_to > valid_from),
    CONSTRAINT dim_regions_no_overlap EXCLUDE USING gist (
        region_id WITH =, tstzrange(valid_from, valid_to, '[)') WITH &&
    ) DEFERRABLE INITIALLY IMMEDIATE
);
CREATE UNIQUE INDEX dim_regions_one_current ON tracktik.dim_regions (region_id) WHERE is_current;
CREATE INDEX dim_regions_batch ON tracktik.dim_regions (etl_batch_id);

COMMENT ON TABLE tracktik.dim_regions IS
    'SCD Type 2 dimension. A TrackTik region. The Kaiser root region''s sub-regions are the markets. One row per version; the current version has is_current and valid_to NULL.';
COMMENT ON COLUMN tracktik.dim_regions.surrogate_key IS 'Warehouse key of this version; facts point at it.';
COMMENT ON COLUMN tracktik.dim_regions.region_id IS 'TrackTik id (natural key); several versions share it.';
COMMENT ON COLUMN tracktik.dim_regions.custom_id IS 'Customer-facing region code (TrackTik customId).';
COMMENT ON COLUMN tracktik.dim_regions.name IS 'Region name.';
COMMENT ON COLUMN tracktik.dim_regions.parent_region_id IS 'TrackTik id of the parent region (NULL for a root).';
COMMENT ON COLUMN tracktik.dim_regions.parent_region_name IS 'Name of the parent region, from its current version when this version was written (denormalised, not tracked).';
COMMENT ON COLUMN tracktik.dim_regions.status IS 'TrackTik status (ACTIVE, INACTIVE, ...).';
COMMENT ON COLUMN tracktik.dim_regions.time_zone IS 'IANA time zone of the region.';
COMMENT ON COLUMN tracktik.dim_regions.valid_from IS 'Start of this version''s validity (inclusive): the source''s updatedOn when given, else the batch start time; -infinity for an inferred member.';
COMMENT ON COLUMN tracktik.dim_regions.valid_to IS 'End of validity (exclusive) = valid_from of the next version; NULL while current.';
COMMENT ON COLUMN tracktik.dim_regions.is_current IS 'True for the current version (valid_to IS NULL).';
COMMENT ON COLUMN tracktik.dim_regions.is_inferred IS 'True for a placeholder created because a fact referenced an id not yet loaded; filled in place when the real record arrives.';
COMMENT ON COLUMN tracktik.dim_regions.attributes_hash IS 'Hash of the tracked attributes; a new version is made only when it changes.';
COMMENT ON COLUMN tracktik.dim_regions.source_updated_on IS 'The source record''s updatedOn, when the API gave it.';
COMMENT ON COLUMN tracktik.dim_regions.etl_batch_id IS 'Batch that wrote this version (tracktik.etl_batches).';
COMMENT ON COLUMN tracktik.dim_regions.created_at IS 'When this row was inserted.';
COMMENT ON COLUMN tracktik.dim_regions.updated_at IS 'When this row was last changed (closing a version, refreshing a denormalised name, filling an inferred member).';

CREATE TABLE tracktik.dim_clients (
    surrogate_key    bigserial    PRIMARY KEY,
    client_id        bigint       NOT NULL,
    custom_id        text,
    name             text,
    client_type      text,
    status           text,
    region_id        bigint,
    region_name      text,
    parent_client_id bigint,
    time_zone        text,
    address          jsonb,
    valid_from       timestamptz  NOT NULL,
    valid_to         timestamptz,
    is_current       boolean      NOT NULL,
    is_inferred      boolean      NOT NULL DEFAULT false,
    attributes_hash  bytea        NOT NULL,
    source_updated_on timestamptz,
    etl_batch_id     uuid,
    created_at       timestamptz  NOT NULL DEFAULT now(),
    updated_at       timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT dim_clients_current_iff_open CHECK (is_current = (valid_to IS NULL)),
    CONSTRAINT dim_clients_range_positive CHECK (valid_to IS NULL OR valid_to > valid_from),
    CONSTRAINT dim_clients_no_overlap EXCLUDE USING gist (
        client_id WITH =, tstzrange(valid_from, valid_to, '[)') WITH &&
    ) DEFERRABLE INITIALLY IMMEDIATE
);
CREATE UNIQUE INDEX dim_clients_one_current ON tracktik.dim_clients (client_id) WHERE is_current;
CREATE INDEX dim_clients_batch ON tracktik.dim_clients (etl_batch_id);

COMMENT ON TABLE tracktik.dim_clients IS
    'SCD Type 2 dimension. A TrackTik client (site / service location). One row per version; the current version has is_current and valid_to NULL.';
COMMENT ON COLUMN tracktik.dim_clients.surrogate_key IS 'Warehouse key of this version; facts point at it.';
COMMENT ON COLUMN tracktik.dim_clients.client_id IS 'TrackTik id (natural key); several versions share it.';
COMMENT ON COLUMN tracktik.dim_clients.custom_id IS 'Customer-facing site code (TrackTik customId).';
COMMENT ON COLUMN tracktik.dim_clients.name IS 'Site name.';
COMMENT ON COLUMN tracktik.dim_clients.client_type IS 'TrackTik type: CLIENT, SERVICE_LOCATION or MULTI_LOCATION_CLIENT.';
COMMENT ON COLUMN tracktik.dim_clients.status IS 'TrackTik status (ACTIVE, INACTIVE, ...).';
COMMENT ON COLUMN tracktik.dim_clients.region_id IS 'TrackTik id of the region the site belongs to.';
COMMENT ON COLUMN tracktik.dim_clients.region_name IS 'Name of that region, from its current version (denormalised, not tracked).';
COMMENT ON COLUMN tracktik.dim_clients.parent_client_id IS 'TrackTik id of the parent client (multi-location clients).';
COMMENT ON COLUMN tracktik.dim_clients.time_zone IS 'IANA time zone of the site.';
COMMENT ON COLUMN tracktik.dim_clients.address IS 'Postal address object as TrackTik returned it.';
COMMENT ON COLUMN tracktik.dim_clients.valid_from IS 'Start of this version''s validity (inclusive): the source''s updatedOn when given, else the batch start time; -infinity for an inferred member.';
COMMENT ON COLUMN tracktik.dim_clients.valid_to IS 'End of validity (exclusive) = valid_from of the next version; NULL while current.';
COMMENT ON COLUMN tracktik.dim_clients.is_current IS 'True for the current version (valid_to IS NULL).';
COMMENT ON COLUMN tracktik.dim_clients.is_inferred IS 'True for a placeholder created because a fact referenced an id not yet loaded; filled in place when the real record arrives.';
COMMENT ON COLUMN tracktik.dim_clients.attributes_hash IS 'Hash of the tracked attributes; a new version is made only when it changes.';
COMMENT ON COLUMN tracktik.dim_clients.source_updated_on IS 'The source record''s updatedOn, when the API gave it.';
COMMENT ON COLUMN tracktik.dim_clients.etl_batch_id IS 'Batch that wrote this version (tracktik.etl_batches).';
COMMENT ON COLUMN tracktik.dim_clients.created_at IS 'When this row was inserted.';
COMMENT ON COLUMN tracktik.dim_clients.updated_at IS 'When this row was last changed (closing a version, refreshing a denormalised name, filling an inferred member).';

CREATE TABLE tracktik.dim_positions (
    surrogate_key    bigserial    PRIMARY KEY,
    position_id      bigint       NOT NULL,
    custom_id        text,
    name             text,
    status           text,
    client_id        bigint,
    client_name      text,
    non_billable     boolean,
    valid_from       timestamptz  NOT NULL,
    valid_to         timestamptz,
    is_current       boolean      NOT NULL,
    is_inferred      boolean      NOT NULL DEFAULT false,
    attributes_hash  bytea        NOT NULL,
    source_updated_on timestamptz,
    etl_batch_id     uuid,
    created_at       timestamptz  NOT NULL DEFAULT now(),
    updated_at       timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT dim_positions_current_iff_open CHECK (is_current = (valid_to IS NULL)),
    CONSTRAINT dim_positions_range_positive CHECK (valid_to IS NULL OR valid_to > valid_from),
    CONSTRAINT dim_positions_no_overlap EXCLUDE USING gist (
        position_id WITH =, tstzrange(valid_from, valid_to, '[)') WITH &&
    ) DEFERRABLE INITIALLY IMMEDIATE
);
CREATE UNIQUE INDEX dim_positions_one_current ON tracktik.dim_positions (position_id) WHERE is_current;
CREATE INDEX dim_positions_batch ON tracktik.dim_positions (etl_batch_id);

COMMENT ON TABLE tracktik.dim_positions IS
    'SCD Type 2 dimension. A TrackTik position (post) at a site. One row per version; the current version has is_current and valid_to NULL.';
COMMENT ON COLUMN tracktik.dim_positions.surrogate_key IS 'Warehouse key of this version; facts point at it.';
COMMENT ON COLUMN tracktik.dim_positions.position_id IS 'TrackTik id (natural key); several versions share it.';
COMMENT ON COLUMN tracktik.dim_positions.custom_id IS 'Customer-facing post code (TrackTik customId).';
COMMENT ON COLUMN tracktik.dim_positions.name IS 'Post name.';
COMMENT ON COLUMN tracktik.dim_positions.status IS 'TrackTik status (ACTIVE, INACTIVE, ...).';
COMMENT ON COLUMN tracktik.dim_positions.client_id IS 'TrackTik id of the site (the API''s account).';
COMMENT ON COLUMN tracktik.dim_positions.client_name IS 'Name of that site, from its current version (denormalised, not tracked).';
COMMENT ON COLUMN tracktik.dim_positions.non_billable IS 'True when hours worked on this post are never billed to the client.';
COMMENT ON COLUMN tracktik.dim_positions.valid_from IS 'Start of this version''s validity (inclusive): the source''s updatedOn when given, else the batch start time; -infinity for an inferred member.';
COMMENT ON COLUMN tracktik.dim_positions.valid_to IS 'End of validity (exclusive) = valid_from of the next version; NULL while current.';
COMMENT ON COLUMN tracktik.dim_positions.is_current IS 'True for the current version (valid_to IS NULL).';
COMMENT ON COLUMN tracktik.dim_positions.is_inferred IS 'True for a placeholder created because a fact referenced an id not yet loaded; filled in place when the real record arrives.';
COMMENT ON COLUMN tracktik.dim_positions.attributes_hash IS 'Hash of the tracked attributes; a new version is made only when it changes.';
COMMENT ON COLUMN tracktik.dim_positions.source_updated_on IS 'The source record''s updatedOn, when the API gave it.';
COMMENT ON COLUMN tracktik.dim_positions.etl_batch_id IS 'Batch that wrote this version (tracktik.etl_batches).';
COMMENT ON COLUMN tracktik.dim_positions.created_at IS 'When this row was inserted.';
COMMENT ON COLUMN tracktik.dim_positions.updated_at IS 'When this row was last changed (closing a version, refreshing a denormalised name, filling an inferred member).';

CREATE TABLE tracktik.dim_employees (
    surrogate_key    bigserial    PRIMARY KEY,
    employee_id      bigint       NOT NULL,
    custom_id        text,
    first_name       text,
    last_name        text,
    email            text,
    phone            text,
    status           text,
    region_id        bigint,
    region_name      text,
    job_title        text,
    valid_from       timestamptz  NOT NULL,
    valid_to         timestamptz,
    is_current       boolean      NOT NULL,
    is_inferred      boolean      NOT NULL DEFAULT false,
    attributes_hash  bytea        NOT NULL,
    source_updated_on timestamptz,
    etl_batch_id     uuid,
    created_at       timestamptz  NOT NULL DEFAULT now(),
    updated_at       timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT dim_employees_current_iff_open CHECK (is_current = (valid_to IS NULL)),
    CONSTRAINT dim_employees_range_positive CHECK (valid_to IS NULL OR valid_to > valid_from),
    CONSTRAINT dim_employees_no_overlap EXCLUDE USING gist (
        employee_id WITH =, tstzrange(valid_from, valid_to, '[)') WITH &&
    ) DEFERRABLE INITIALLY IMMEDIATE
);
CREATE UNIQUE INDEX dim_employees_one_current ON tracktik.dim_employees (employee_id) WHERE is_current;
CREATE INDEX dim_employees_batch ON tracktik.dim_employees (etl_batch_id);

COMMENT ON TABLE tracktik.dim_employees IS
    'SCD Type 2 dimension. A TrackTik employee (guard). One row per version; the current version has is_current and valid_to NULL.';
COMMENT ON COLUMN tracktik.dim_employees.surrogate_key IS 'Warehouse key of this version; facts point at it.';
COMMENT ON COLUMN tracktik.dim_employees.employee_id IS 'TrackTik id (natural key); several versions share it.';
COMMENT ON COLUMN tracktik.dim_employees.custom_id IS 'Customer-facing employee number (TrackTik customId).';
COMMENT ON COLUMN tracktik.dim_employees.first_name IS 'First name.';
COMMENT ON COLUMN tracktik.dim_employees.last_name IS 'Last name.';
COMMENT ON COLUMN tracktik.dim_employees.email IS 'E-mail address.';
COMMENT ON COLUMN tracktik.dim_employees.phone IS 'Primary phone number (TrackTik primaryPhone).';
COMMENT ON COLUMN tracktik.dim_employees.status IS 'TrackTik status: ACTIVE, INACTIVE, TERMINATED or BANNED.';
COMMENT ON COLUMN tracktik.dim_employees.region_id IS 'TrackTik id of the employee''s region.';
COMMENT ON COLUMN tracktik.dim_employees.region_name IS 'Name of that region, from its current version (denormalised, not tracked).';
COMMENT ON COLUMN tracktik.dim_employees.job_title IS 'Job title.';
COMMENT ON COLUMN tracktik.dim_employees.valid_from IS 'Start of this version''s validity (inclusive): the source''s updatedOn when given, else the batch start time; -infinity for an inferred member.';
COMMENT ON COLUMN tracktik.dim_employees.valid_to IS 'End of validity (exclusive) = valid_from of the next version; NULL while current.';
COMMENT ON COLUMN tracktik.dim_employees.is_current IS 'True for the current version (valid_to IS NULL).';
COMMENT ON COLUMN tracktik.dim_employees.is_inferred IS 'True for a placeholder created because a fact referenced an id not yet loaded; filled in place when the real record arrives.';
COMMENT ON COLUMN tracktik.dim_employees.attributes_hash IS 'Hash of the tracked attributes; a new version is made only when it changes.';
COMMENT ON COLUMN tracktik.dim_employees.source_updated_on IS 'The source record''s updatedOn, when the API gave it.';
COMMENT ON COLUMN tracktik.dim_employees.etl_batch_id IS 'Batch that wrote this version (tracktik.etl_batches).';
COMMENT ON COLUMN tracktik.dim_employees.created_at IS 'When this row was inserted.';
COMMENT ON COLUMN tracktik.dim_employees.updated_at IS 'When this row was last changed (closing a version, refreshing a denormalised name, filling an inferred member).';
