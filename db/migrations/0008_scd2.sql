-- depends: 0007_privileges
-- SCD Type 2 merge: the per-dimension declaration that drives tracktik.merge_dimensions(),
-- and the indexes the merge and the point-in-time lookups (tracktik.*_key_at) need.
--
-- A dimension is declared by one row of tracktik.scd2_dimensions (table, natural id, staged
-- resource, merge order) and one row of tracktik.scd2_attributes per column it fills: either
-- from the API record (source_path, tracked or not, possibly a relation to another
-- dimension) or denormalised from a referenced dimension's current version (lookup_*).
-- See docs/scd2.md for the semantics and how to add a fifth dimension.

CREATE TABLE tracktik.scd2_dimensions (
    dimension         text     PRIMARY KEY CHECK (dimension ~ '^[a-z][a-z0-9_]*$'),
    table_name        text     NOT NULL UNIQUE,
    id_column         text     NOT NULL,
    resource          text     NOT NULL UNIQUE,
    merge_order       integer  NOT NULL UNIQUE,
    id_path           text[]   NOT NULL DEFAULT '{id}',
    updated_on_path   text[]   NOT NULL DEFAULT '{updatedOn}'
);

COMMENT ON TABLE tracktik.scd2_dimensions IS
    'SCD Type 2 dimensions merged by tracktik.merge_dimensions(), one row each, merged in merge_order (referenced dimensions first). Their columns are declared in tracktik.scd2_attributes.';
COMMENT ON COLUMN tracktik.scd2_dimensions.dimension IS 'Dimension name used by the routines (regions, clients, positions, employees); also the key of its counts in etl_batches.metadata->''merge''.';
COMMENT ON COLUMN tracktik.scd2_dimensions.table_name IS 'Dimension table in schema tracktik (dim_...). It must have the standard SCD2 columns (surrogate_key, valid_from, valid_to, is_current, is_inferred, attributes_hash, source_updated_on, etl_batch_id, updated_at).';
COMMENT ON COLUMN tracktik.scd2_dimensions.id_column IS 'Natural id column (bigint) of the table, e.g. employee_id.';
COMMENT ON COLUMN tracktik.scd2_dimensions.resource IS 'staging.api_records.resource whose records feed the dimension.';
COMMENT ON COLUMN tracktik.scd2_dimensions.merge_order IS 'Order of the merge within a batch, and of its advisory lock: a dimension is merged after those it references.';
COMMENT ON COLUMN tracktik.scd2_dimensions.id_path IS 'JSON path of the natural id in the API record.';
COMMENT ON COLUMN tracktik.scd2_dimensions.updated_on_path IS 'JSON path of the ISO 8601 last-change instant in the API record; it becomes valid_from of a new version (the batch start when absent).';

CREATE TABLE tracktik.scd2_attributes (
    dimension             text     NOT NULL REFERENCES tracktik.scd2_dimensions (dimension) ON DELETE CASCADE,
    column_name           text     NOT NULL,
    ordinal               integer  NOT NULL,
    source_path           text[],
    is_tracked            boolean  NOT NULL DEFAULT true,
    references_dimension  text     REFERENCES tracktik.scd2_dimensions (dimension),
    lookup_via            text,
    lookup_column         text,
    PRIMARY KEY (dimension, column_name),
    UNIQUE (dimension, ordinal),
    FOREIGN KEY (dimension, lookup_via) REFERENCES tracktik.scd2_attributes (dimension, column_name),
    CONSTRAINT scd2_attributes_source_or_lookup CHECK (
        (source_path IS NOT NULL AND lookup_via IS NULL AND lookup_column IS NULL)
        OR (source_path IS NULL AND lookup_via IS NOT NULL AND lookup_column IS NOT NULL
            AND references_dimension IS NULL AND NOT is_tracked)
    ),
    CONSTRAINT scd2_attributes_path_not_empty CHECK (source_path IS NULL OR cardinality(source_path) > 0)
);

COMMENT ON TABLE tracktik.scd2_attributes IS
    'Columns of each SCD2 dimension and where they come from. A source attribute is read from the API record at source_path; a lookup attribute is a denormalised copy of a column of the referenced dimension''s current version. Only tracked attributes enter attributes_hash: after changing is_tracked, run tracktik.rehash_dimension().';
COMMENT ON COLUMN tracktik.scd2_attributes.dimension IS 'Dimension the column belongs to.';
COMMENT ON COLUMN tracktik.scd2_attributes.column_name IS 'Column of the dimension table.';
COMMENT ON COLUMN tracktik.scd2_attributes.ordinal IS 'Position of the column in attributes_hash and in generated SQL.';
COMMENT ON COLUMN tracktik.scd2_attributes.source_path IS 'JSON path of the value in the API record (camelCase keys), e.g. {primaryPhone}; NULL for a lookup attribute. The value is cast to the column''s type (bigint, integer, numeric, boolean and jsonb are validated; an invalid value skips the record).';
COMMENT ON COLUMN tracktik.scd2_attributes.is_tracked IS 'True: a change of the value makes a new version. False: the value is refreshed in place on the current version (type 1). Lookup attributes are never tracked.';
COMMENT ON COLUMN tracktik.scd2_attributes.references_dimension IS 'For a relation: the dimension whose natural id the value is. The API sends it as an integer id or as an included object {"id": ...}; an id unknown to that dimension becomes an inferred member.';
COMMENT ON COLUMN tracktik.scd2_attributes.lookup_via IS 'For a lookup attribute: the relation column of this dimension that names the referenced member.';
COMMENT ON COLUMN tracktik.scd2_attributes.lookup_column IS 'For a lookup attribute: the column of the referenced dimension copied here. Not tracked: written with each version and refreshed in place on current versions when the referenced member changes, so a rename never creates versions here.';

INSERT INTO tracktik.scd2_dimensions (dimension, table_name, id_column, resource, merge_order) VALUES
    ('regions',   'dim_regions',   'region_id',   'regions',   1),
    ('clients',   'dim_clients',   'client_id',   'clients',   2),
    ('positions', 'dim_positions', 'position_id', 'positions', 3),
    ('employees', 'dim_employees', 'employee_id', 'employees', 4);

INSERT INTO tracktik.scd2_attributes
    (dimension, column_name, ordinal, source_path, references_dimension, lookup_via, lookup_column, is_tracked)
VALUES
    ('regions',   'custom_id',          1, '{customId}',     NULL,        NULL,               NULL,   true),
    ('regions',   'name',               2, '{name}',         NULL,        NULL,               NULL,   true),
    ('regions',   'parent_region_id',   3, '{parentRegion}', 'regions',   NULL,               NULL,   true),
    ('regions',   'status',             4, '{status}',       NULL,        NULL,               NULL,   true),
    ('regions',   'time_zone',          5, '{timeZone}',     NULL,        NULL,               NULL,   true),
    ('regions',   'parent_region_name', 6, NULL,             NULL,        'parent_region_id', 'name', false),

    ('clients',   'custom_id',          1, '{customId}',     NULL,        NULL,               NULL,   true),
    ('clients',   'name',               2, '{name}',         NULL,        NULL,               NULL,   true),
    ('clients',   'client_type',        3, '{type}',         NULL,        NULL,               NULL,   true),
    ('clients',   'status',             4, '{status}',       NULL,        NULL,               NULL,   true),
    ('clients',   'region_id',          5, '{region}',       'regions',   NULL,               NULL,   true),
    ('clients',   'parent_client_id',   6, '{parentClient}', 'clients',   NULL,               NULL,   true),
    ('clients',   'time_zone',          7, '{timeZone}',     NULL,        NULL,               NULL,   true),
    ('clients',   'address',            8, '{address}',      NULL,        NULL,               NULL,   true),
    ('clients',   'region_name',        9, NULL,             NULL,        'region_id',        'name', false),

    ('positions', 'custom_id',          1, '{customId}',     NULL,        NULL,               NULL,   true),
    ('positions', 'name',               2, '{name}',         NULL,        NULL,               NULL,   true),
    ('positions', 'status',             3, '{status}',       NULL,        NULL,               NULL,   true),
    ('positions', 'client_id',          4, '{account}',      'clients',   NULL,               NULL,   true),
    ('positions', 'non_billable',       5, '{nonBillable}',  NULL,        NULL,               NULL,   true),
    ('positions', 'client_name',        6, NULL,             NULL,        'client_id',        'name', false),

    ('employees', 'custom_id',          1, '{customId}',     NULL,        NULL,               NULL,   true),
    ('employees', 'first_name',         2, '{firstName}',    NULL,        NULL,               NULL,   true),
    ('employees', 'last_name',          3, '{lastName}',     NULL,        NULL,               NULL,   true),
    ('employees', 'email',              4, '{email}',        NULL,        NULL,               NULL,   true),
    ('employees', 'phone',              5, '{primaryPhone}', NULL,        NULL,               NULL,   true),
    ('employees', 'status',             6, '{status}',       NULL,        NULL,               NULL,   true),
    ('employees', 'region_id',          7, '{region}',       'regions',   NULL,               NULL,   true),
    ('employees', 'job_title',          8, '{jobTitle}',     NULL,        NULL,               NULL,   true),
    ('employees', 'region_name',        9, NULL,             NULL,        'region_id',        'name', false);

-- Point-in-time lookups (tracktik.*_key_at) and the merge's history probes: the versions of
-- one id in valid_from order, answered from the index alone.
CREATE INDEX dim_regions_id_valid_from   ON tracktik.dim_regions   (region_id, valid_from)   INCLUDE (surrogate_key);
CREATE INDEX dim_clients_id_valid_from   ON tracktik.dim_clients   (client_id, valid_from)   INCLUDE (surrogate_key);
CREATE INDEX dim_positions_id_valid_from ON tracktik.dim_positions (position_id, valid_from) INCLUDE (surrogate_key);
CREATE INDEX dim_employees_id_valid_from ON tracktik.dim_employees (employee_id, valid_from) INCLUDE (surrogate_key);

-- The merge's change detection: every staged record is compared with its id's current
-- version by attributes_hash, answered from this narrow index alone (index-only scan).
CREATE INDEX dim_regions_current_state   ON tracktik.dim_regions   (region_id)   INCLUDE (surrogate_key, attributes_hash, is_inferred) WHERE is_current;
CREATE INDEX dim_clients_current_state   ON tracktik.dim_clients   (client_id)   INCLUDE (surrogate_key, attributes_hash, is_inferred) WHERE is_current;
CREATE INDEX dim_positions_current_state ON tracktik.dim_positions (position_id) INCLUDE (surrogate_key, attributes_hash, is_inferred) WHERE is_current;
CREATE INDEX dim_employees_current_state ON tracktik.dim_employees (employee_id) INCLUDE (surrogate_key, attributes_hash, is_inferred) WHERE is_current;

-- What the merge does with the denormalised names and the hash, on the columns themselves.
COMMENT ON COLUMN tracktik.dim_regions.parent_region_name IS
    'Name of the parent region, from its current version (denormalised, not tracked): set when this version is written, and refreshed in place on the current version whenever the parent gets a new current version (a rename never creates a version here).';
COMMENT ON COLUMN tracktik.dim_clients.region_name IS
    'Name of that region, from its current version (denormalised, not tracked): set when this version is written, and refreshed in place on the current version whenever the region gets a new current version (a rename never creates a version here).';
COMMENT ON COLUMN tracktik.dim_positions.client_name IS
    'Name of that site, from its current version (denormalised, not tracked): set when this version is written, and refreshed in place on the current version whenever the site gets a new current version (a rename never creates a version here).';
COMMENT ON COLUMN tracktik.dim_employees.region_name IS
    'Name of that region, from its current version (denormalised, not tracked): set when this version is written, and refreshed in place on the current version whenever the region gets a new current version (a rename never creates a version here).';
COMMENT ON COLUMN tracktik.dim_regions.attributes_hash IS
    'Hash of the tracked attributes (tracktik.scd2_attributes; 8 bytes, see tracktik._scd2_hash_sql); a new version is made only when it changes. Empty for an inferred member.';
COMMENT ON COLUMN tracktik.dim_clients.attributes_hash IS
    'Hash of the tracked attributes (tracktik.scd2_attributes; 8 bytes, see tracktik._scd2_hash_sql); a new version is made only when it changes. Empty for an inferred member.';
COMMENT ON COLUMN tracktik.dim_positions.attributes_hash IS
    'Hash of the tracked attributes (tracktik.scd2_attributes; 8 bytes, see tracktik._scd2_hash_sql); a new version is made only when it changes. Empty for an inferred member.';
COMMENT ON COLUMN tracktik.dim_employees.attributes_hash IS
    'Hash of the tracked attributes (tracktik.scd2_attributes; 8 bytes, see tracktik._scd2_hash_sql); a new version is made only when it changes. Empty for an inferred member.';

REVOKE ALL ON tracktik.scd2_dimensions, tracktik.scd2_attributes FROM PUBLIC, tracktik_loader;
GRANT SELECT ON tracktik.scd2_dimensions, tracktik.scd2_attributes TO tracktik_reader;
