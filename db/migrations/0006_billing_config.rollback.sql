DROP TABLE IF EXISTS tracktik.holiday_dates;
DROP TABLE IF EXISTS tracktik.holiday_rules;
DROP TABLE IF EXISTS tracktik.overtime_rules;
DROP TABLE IF EXISTS tracktik.bill_rate_overrides;
