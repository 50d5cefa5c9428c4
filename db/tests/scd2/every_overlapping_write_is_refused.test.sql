-- No write can leave two versions of one id with overlapping [valid_from, valid_to) ranges:
-- the no-overlap triggers (tracktik._scd2_refuse_overlaps) refuse, with 23P01 naming
-- dim_*_no_overlap, every overlap a DBA could write by hand, one row or many, INSERT or
-- UPDATE, in every dimension; what is not an overlap is accepted.
BEGIN;
SELECT plan(25);

-- id 1 of every dimension: [2025-01-01, 2025-02-01) closed, [2025-02-01, open) current
CREATE TEMP TABLE dims (tbl text, nid text) ON COMMIT DROP;
INSERT INTO dims VALUES ('dim_regions','region_id'), ('dim_clients','client_id'),
                        ('dim_positions','position_id'), ('dim_employees','employee_id');
DO $$
DECLARE d record;
BEGIN
  FOR d IN SELECT * FROM dims LOOP
    EXECUTE format('INSERT INTO tracktik.%I (%I, valid_from, valid_to, is_current, attributes_hash)
                    VALUES (1, %L, %L, false, %L), (1, %L, NULL, true, %L)',
                   d.tbl, d.nid, '2025-01-01', '2025-02-01', '\x01', '2025-02-01', '\x02');
  END LOOP;
END $$;

-- every dimension: a version inside a closed one, named after its constraint
SELECT throws_ok(
    format('INSERT INTO tracktik.%I (%I, valid_from, valid_to, is_current, attributes_hash) VALUES (1, %L, %L, false, %L)',
           tbl, nid, '2025-01-10', '2025-01-20', '\x03'),
    '23P01', format('conflicting key value violates exclusion constraint "%s_no_overlap"', tbl),
    tbl || ': a version inside a closed version is refused')
  FROM dims ORDER BY tbl;

-- every dimension: a closed version reaching into the current one
SELECT throws_ok(
    format('INSERT INTO tracktik.%I (%I, valid_from, valid_to, is_current, attributes_hash) VALUES (1, %L, %L, false, %L)',
           tbl, nid, '2025-03-01', '2025-04-01', '\x03'),
    '23P01', NULL, tbl || ': a closed version after the current version''s start is refused')
  FROM dims ORDER BY tbl;

-- the other ways, on employees
SELECT throws_ok($$INSERT INTO tracktik.dim_employees (employee_id, valid_from, valid_to, is_current, attributes_hash)
                   VALUES (1, '2024-12-01', '2025-01-02', false, '\x03')$$,
    '23P01', NULL, 'a version ending inside the first one is refused');
SELECT throws_ok($$INSERT INTO tracktik.dim_employees (employee_id, valid_from, valid_to, is_current, attributes_hash)
                   VALUES (1, '2025-01-01', '2025-01-02', false, '\x03')$$,
    '23P01', NULL, 'a version starting at the same instant as another is refused');
SELECT throws_ok($$INSERT INTO tracktik.dim_employees (employee_id, valid_from, valid_to, is_current, attributes_hash)
                   VALUES (1, '-infinity', '2025-06-01', false, '\x03')$$,
    '23P01', NULL, 'a version covering all others is refused');
SELECT throws_ok($$UPDATE tracktik.dim_employees SET valid_to = '2025-02-02'
                    WHERE employee_id = 1 AND NOT is_current$$,
    '23P01', NULL, 'an UPDATE stretching a closed version into the next one is refused');
SELECT throws_ok($$UPDATE tracktik.dim_employees SET valid_from = '2025-01-31'
                    WHERE employee_id = 1 AND is_current$$,
    '23P01', NULL, 'an UPDATE moving the current version''s start back into the previous one is refused');
INSERT INTO tracktik.dim_employees (employee_id, valid_from, valid_to, is_current, attributes_hash)
VALUES (2, '2025-01-15', '2025-01-25', false, '\x04');
SELECT throws_ok($$UPDATE tracktik.dim_employees SET employee_id = 1 WHERE employee_id = 2$$,
    '23P01', NULL, 'an UPDATE moving a version to another id where it overlaps is refused');

-- multi-row statements: rows overlapping each other, or one row of many
SELECT throws_ok($$INSERT INTO tracktik.dim_employees (employee_id, valid_from, valid_to, is_current, attributes_hash)
                   VALUES (3, '2025-01-01', '2025-03-01', false, '\x05'), (3, '2025-02-01', NULL, true, '\x06')$$,
    '23P01', NULL, 'a multi-row INSERT whose rows overlap each other is refused');
SELECT throws_ok($$INSERT INTO tracktik.dim_employees (employee_id, valid_from, valid_to, is_current, attributes_hash)
                   SELECT i, timestamptz '2025-01-01', NULL::timestamptz, true, bytea '\x07'
                     FROM generate_series(100, 1099) AS i
                   UNION ALL SELECT 1, '2024-01-01', '2025-01-05', false, '\x07'$$,
    '23P01', NULL, 'an INSERT ... SELECT of a thousand good rows and one overlapping row is refused');
SELECT throws_ok($$UPDATE tracktik.dim_employees
                      SET valid_from = valid_from - interval '2 days'
                    WHERE employee_id = 1$$,
    '23P01', NULL, 'a multi-row UPDATE that shifts only the starts is refused');
SELECT throws_ok($$WITH moved AS (UPDATE tracktik.dim_employees SET valid_to = '2025-03-01'
                                    WHERE employee_id = 1 AND NOT is_current RETURNING 1)
                   SELECT count(*) FROM moved$$,
    '23P01', NULL, 'an UPDATE inside a data-modifying WITH is refused');
SELECT throws_ok($$INSERT INTO tracktik.dim_employees (employee_id, valid_from, valid_to, is_current, attributes_hash)
                   VALUES (1, '2025-01-10', '2025-01-20', false, '\x08')
                   ON CONFLICT DO NOTHING$$,
    '23P01', NULL, 'ON CONFLICT DO NOTHING does not let an overlap through');

-- not overlaps: accepted
SELECT lives_ok($$INSERT INTO tracktik.dim_employees (employee_id, valid_from, valid_to, is_current, attributes_hash)
                  VALUES (1, '2024-12-01', '2025-01-01', false, '\x09')$$,
    'an adjacent earlier version is accepted');
SELECT lives_ok($$INSERT INTO tracktik.dim_employees (employee_id, valid_from, valid_to, is_current, attributes_hash)
                  VALUES (4, '2025-01-01', '2025-02-01', false, '\x0a'), (4, '2025-02-01', NULL, true, '\x0b')$$,
    'a multi-row INSERT of a contiguous history is accepted');
SELECT lives_ok($$UPDATE tracktik.dim_employees
                     SET valid_from = valid_from + interval '1 day',
                         valid_to = valid_to + interval '1 day'
                   WHERE employee_id = 4$$,
    'a multi-row UPDATE that moves a whole history, checked at the end of the statement, is accepted');
SELECT lives_ok($$UPDATE tracktik.dim_employees SET valid_to = '2025-01-20' WHERE employee_id = 1
                                                  AND valid_from = '2025-01-01'$$,
    'shrinking a version (leaving a gap) is accepted');
SELECT lives_ok($$INSERT INTO tracktik.dim_employees (employee_id, valid_from, valid_to, is_current, attributes_hash)
                  VALUES (1, '2025-01-20', '2025-02-01', false, '\x0c')$$,
    'a version filling that gap exactly is accepted');

SELECT is((SELECT count(*)::integer FROM tracktik.dim_employees AS a JOIN tracktik.dim_employees AS b
             ON a.employee_id = b.employee_id AND a.surrogate_key < b.surrogate_key
            AND tstzrange(a.valid_from, a.valid_to) && tstzrange(b.valid_from, b.valid_to)), 0,
          'no two versions overlap after all that');

SELECT * FROM finish();
ROLLBACK;
