-- What the SCD2 no-overlap exclusion constraint (btree_gist) costs per written version.
-- A dimension-shaped table of 100,000 ids x 3 versions, with and without the constraint;
-- close 10,000 current versions and insert 10,000 new ones, as a 10%-changed merge does.
--   psql -d <any scratch database> -f bench/gist_exclusion_cost.sql
-- Compare the "with gist exclusion" timings with the "btree only" ones: the difference is
-- the floor that the constraint puts under bench/bench_scd2.py's 10%-changed merge.
\timing on
CREATE EXTENSION IF NOT EXISTS btree_gist;
DROP TABLE IF EXISTS pg_temp.g1, pg_temp.g2;
CREATE TEMP TABLE g1 (id bigint, vf timestamptz, vt timestamptz, pad text);
INSERT INTO g1
SELECT i, '2020-01-01'::timestamptz + make_interval(days => v),
       CASE WHEN v < 2 THEN '2020-01-01'::timestamptz + make_interval(days => v + 1) END, md5(i::text)
  FROM generate_series(1, 100000) AS i, generate_series(0, 2) AS v;
CREATE TEMP TABLE g2 AS SELECT * FROM g1;
ALTER TABLE g2 ADD CONSTRAINT g2_no_overlap EXCLUDE USING gist (id WITH =, tstzrange(vf, vt, '[)') WITH &&);
CREATE INDEX ON g1 (id);
CREATE INDEX ON g2 (id);
ANALYZE g1;
ANALYZE g2;
\echo close 10,000 versions: btree only
UPDATE g1 SET vt = '2021-01-01' WHERE id <= 10000 AND vt IS NULL;
\echo close 10,000 versions: with gist exclusion
UPDATE g2 SET vt = '2021-01-01' WHERE id <= 10000 AND vt IS NULL;
\echo insert 10,000 versions: btree only
INSERT INTO g1 SELECT i, '2021-01-01', NULL, 'x' FROM generate_series(1, 10000) AS i;
\echo insert 10,000 versions: with gist exclusion
INSERT INTO g2 SELECT i, '2021-01-01', NULL, 'x' FROM generate_series(1, 10000) AS i;
