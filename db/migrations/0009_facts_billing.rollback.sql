DROP TABLE IF EXISTS tracktik.fact_shift_moves;
DROP TABLE IF EXISTS tracktik.position_bill_settings;
