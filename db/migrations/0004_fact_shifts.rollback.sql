DROP TABLE IF EXISTS tracktik.fact_shifts;
