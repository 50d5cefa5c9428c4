DROP TABLE IF EXISTS tracktik.dim_employees;
DROP TABLE IF EXISTS tracktik.dim_positions;
DROP TABLE IF EXISTS tracktik.dim_clients;
DROP TABLE IF EXISTS tracktik.dim_regions;
