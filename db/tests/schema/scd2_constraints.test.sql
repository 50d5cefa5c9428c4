-- The database itself rejects broken SCD2 histories, on every dimension.
BEGIN;
SELECT plan(16);

CREATE TEMP TABLE dims (tbl text, nid text) ON COMMIT DROP;
INSERT INTO dims VALUES ('dim_regions','region_id'), ('dim_clients','client_id'),
                        ('dim_positions','position_id'), ('dim_employees','employee_id');

-- one valid closed version and one current version of id 1 in each dimension
DO $$
DECLARE d record;
BEGIN
  FOR d IN SELECT * FROM dims LOOP
    EXECUTE format('INSERT INTO tracktik.%I (%I, valid_from, valid_to, is_current, attributes_hash)
                    VALUES (1, %L, %L, false, %L), (1, %L, NULL, true, %L)',
                   d.tbl, d.nid, '2025-01-01', '2025-02-01', '\x01', '2025-02-01', '\x02');
  END LOOP;
END $$;

SELECT throws_ok(
    format('INSERT INTO tracktik.%I (%I, valid_from, valid_to, is_current, attributes_hash) VALUES (1, %L, NULL, true, %L)',
           tbl, nid, '2025-03-01', '\x03'),
    '23505', NULL, tbl || ': a second current row for an id is rejected')
  FROM dims ORDER BY tbl;

SELECT throws_ok(
    format('INSERT INTO tracktik.%I (%I, valid_from, valid_to, is_current, attributes_hash) VALUES (1, %L, %L, false, %L)',
           tbl, nid, '2025-01-15', '2025-01-20', '\x04'),
    '23P01', NULL, tbl || ': a range overlapping an existing version is rejected')
  FROM dims ORDER BY tbl;

SELECT throws_ok(
    format('INSERT INTO tracktik.%I (%I, valid_from, valid_to, is_current, attributes_hash) VALUES (2, %L, %L, true, %L)',
           tbl, nid, '2025-01-01', '2025-02-01', '\x05'),
    '23514', NULL, tbl || ': is_current with a valid_to is rejected')
  FROM dims ORDER BY tbl;

SELECT lives_ok(
    format('INSERT INTO tracktik.%I (%I, valid_from, valid_to, is_current, attributes_hash) VALUES (1, %L, %L, false, %L)',
           tbl, nid, '2024-12-01', '2025-01-01', '\x06'),
    tbl || ': an adjacent, non-overlapping earlier version is accepted')
  FROM dims ORDER BY tbl;

SELECT * FROM finish();
ROLLBACK;
