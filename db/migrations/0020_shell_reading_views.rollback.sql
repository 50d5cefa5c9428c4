-- Undoes 0020_shell_reading_views.
DROP VIEW IF EXISTS tracktik.v_billing_periods;
DROP VIEW IF EXISTS tracktik.v_shift_watermark;
