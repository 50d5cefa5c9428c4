DROP TABLE IF EXISTS tracktik.billing_periods;
DROP TABLE IF EXISTS tracktik.settings;
