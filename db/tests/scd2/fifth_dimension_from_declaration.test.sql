-- A fifth dimension needs a table and its declaration, no new routine: rows in
-- tracktik.scd2_dimensions and tracktik.scd2_attributes (here with a relation to regions, a
-- denormalised name, a boolean and a nested JSON path), and merge_dimensions merges it too.
-- A declaration that does not fit its table is refused with TT010.
BEGIN;
SELECT plan(8);

CREATE TABLE tracktik.dim_vehicles (
    surrogate_key     bigserial    PRIMARY KEY,
    vehicle_id        bigint       NOT NULL,
    plate             text,
    is_armored        boolean,
    make              text,
    region_id         bigint,
    region_name       text,
    valid_from        timestamptz  NOT NULL,
    valid_to          timestamptz,
    is_current        boolean      NOT NULL,
    is_inferred       boolean      NOT NULL DEFAULT false,
    attributes_hash   bytea        NOT NULL,
    source_updated_on timestamptz,
    etl_batch_id      uuid,
    created_at        timestamptz  NOT NULL DEFAULT now(),
    updated_at        timestamptz  NOT NULL DEFAULT now(),
    EXCLUDE USING gist (vehicle_id WITH =, tstzrange(valid_from, valid_to, '[)') WITH &&)
);
CREATE UNIQUE INDEX ON tracktik.dim_vehicles (vehicle_id) WHERE is_current;

INSERT INTO tracktik.scd2_dimensions (dimension, table_name, id_column, resource, merge_order)
VALUES ('vehicles', 'dim_vehicles', 'vehicle_id', 'vehicles', 5);
INSERT INTO tracktik.scd2_attributes (dimension, column_name, ordinal, source_path, references_dimension, lookup_via, lookup_column, is_tracked)
VALUES ('vehicles', 'plate',       1, '{plate}',        NULL,      NULL,        NULL,   true),
       ('vehicles', 'is_armored',  2, '{armored}',      NULL,      NULL,        NULL,   true),
       ('vehicles', 'make',        3, '{model,make}',   NULL,      NULL,        NULL,   true),
       ('vehicles', 'region_id',   4, '{region}',       'regions', NULL,        NULL,   true),
       ('vehicles', 'region_name', 5, NULL,             NULL,      'region_id', 'name', false);

SELECT tt_test.scd2_batch() AS b \gset
SELECT tt_test.scd2_stage(:'b', 'regions', jsonb_build_array(tt_test.api_region(1)));
SELECT tt_test.scd2_stage(:'b', 'vehicles', '[{"id": 1, "plate": "7ABC123", "armored": true, "model": {"make": "Ford"}, "region": 1, "updatedOn": "2025-01-01T00:00:00Z"},
                                         {"id": 2, "plate": "8XYZ999", "armored": "maybe", "region": 1, "updatedOn": "2025-01-01T00:00:00Z"}]');
SELECT tracktik.merge_dimensions(:'b') AS counts \gset

SELECT is((:'counts'::jsonb -> 'vehicles' ->> 'inserted')::int, 1, 'the fifth dimension is merged with the others');
SELECT is((SELECT row(plate, is_armored, make, region_id, region_name)::text FROM tracktik.dim_vehicles WHERE vehicle_id = 1),
          row('7ABC123', true, 'Ford', 1::bigint, 'Region 1')::text, 'its columns come from the declared paths');
SELECT is((SELECT issue_data ->> 'field' FROM tt_test.scd2_issues(:'b', 'invalid_field_value') WHERE record_id = '2'), 'armored',
          'a value that is not a boolean skips its record');

SELECT tt_test.scd2_load('vehicles', '[{"id": 1, "plate": "7ABC123", "armored": true, "model": {"make": "Ford", "year": 2020},
                                   "region": {"id": 1}, "updatedOn": "2025-02-01T00:00:00Z"}]') IS NOT NULL;
SELECT is((SELECT count(*)::int FROM tracktik.dim_vehicles WHERE vehicle_id = 1), 1, 'an unchanged vehicle makes no version');
SELECT tt_test.scd2_load('vehicles', '[{"id": 1, "plate": "7ABC123", "armored": false, "model": {"make": "Ford"},
                                   "region": 1, "updatedOn": "2025-03-01T00:00:00Z"}]') IS NOT NULL;
SELECT is((SELECT count(*)::int FROM tracktik.dim_vehicles WHERE vehicle_id = 1), 2, 'a changed one does');
SELECT is(tracktik.ensure_inferred_members('vehicles', ARRAY[3]::bigint[], NULL), 1, 'members can be inferred');

-- a declaration that does not fit the table
INSERT INTO tracktik.scd2_attributes (dimension, column_name, ordinal, source_path) VALUES ('vehicles', 'colour', 6, '{colour}');
SELECT throws_ok(format('SELECT tracktik.merge_dimensions(%L)', tt_test.scd2_batch()), 'TT010', NULL,
                 'a declared column missing from the table is TT010');
DELETE FROM tracktik.scd2_attributes WHERE column_name = 'colour';
UPDATE tracktik.scd2_attributes SET lookup_via = 'plate' WHERE dimension = 'vehicles' AND column_name = 'region_name';
SELECT throws_ok(format('SELECT tracktik.merge_dimensions(%L)', tt_test.scd2_batch()), 'TT010', NULL,
                 'a lookup through a column that is no relation is TT010');

SELECT * FROM finish();
ROLLBACK;
