-- depends: 0001_foundation
-- Warehouse settings (one row) and the billing calendar.

CREATE TABLE tracktik.settings (
    singleton                   boolean       PRIMARY KEY DEFAULT true CHECK (singleton),
    calendar_anchor_date        date          NOT NULL DEFAULT DATE '2024-12-27',
    period_length_days          integer       NOT NULL DEFAULT 14
                                              CHECK (period_length_days > 0 AND period_length_days % 7 = 0),
    default_time_zone           text          NOT NULL DEFAULT 'America/Los_Angeles',
    full_sync_max_close_share   numeric(5,4)  NOT NULL DEFAULT 0.20
                                              CHECK (full_sync_max_close_share BETWEEN 0 AND 1),
    default_overtime_multiplier numeric(6,3)  NOT NULL DEFAULT 1.5 CHECK (default_overtime_multiplier >= 1),
    default_double_time_multiplier numeric(6,3) NOT NULL DEFAULT 2.0 CHECK (default_double_time_multiplier >= 1),
    default_holiday_multiplier  numeric(6,3)  NOT NULL DEFAULT 1.5 CHECK (default_holiday_multiplier >= 1),
    staging_retention_days      integer       NOT NULL DEFAULT 30 CHECK (staging_retention_days >= 0),
    updated_at                  timestamptz   NOT NULL DEFAULT now()
);
INSERT INTO tracktik.settings DEFAULT VALUES;

COMMENT ON TABLE tracktik.settings IS
    'Warehouse-wide settings, exactly one row. DBAs change values with UPDATE; the calendar anchor must not change once billing periods exist (the exclusion constraint on billing_periods would reject the new periods).';
COMMENT ON COLUMN tracktik.settings.singleton IS 'Always true: guarantees a single settings row.';
COMMENT ON COLUMN tracktik.settings.calendar_anchor_date IS 'First day of billing period 2025_01; periods run continuously from it in both directions.';
COMMENT ON COLUMN tracktik.settings.period_length_days IS 'Length of a billing period in days (two 7-day workweeks).';
COMMENT ON COLUMN tracktik.settings.default_time_zone IS 'IANA time zone used for a shift when neither the shift, its site nor its region names one.';
COMMENT ON COLUMN tracktik.settings.full_sync_max_close_share IS 'Circuit breaker: a full sync that would close more than this share of current dimension rows closes none and records an error issue.';
COMMENT ON COLUMN tracktik.settings.default_overtime_multiplier IS 'Overtime bill multiplier used when the rate in force names none.';
COMMENT ON COLUMN tracktik.settings.default_double_time_multiplier IS 'Double-time bill multiplier used when the rate in force names none.';
COMMENT ON COLUMN tracktik.settings.default_holiday_multiplier IS 'Holiday bill multiplier used when the rate in force names none.';
COMMENT ON COLUMN tracktik.settings.staging_retention_days IS 'Staging partitions of finished batches older than this are dropped by the pruning routine.';
COMMENT ON COLUMN tracktik.settings.updated_at IS 'When the settings row was last changed.';

CREATE TABLE tracktik.billing_periods (
    period_id      text     PRIMARY KEY CHECK (period_id ~ '^[0-9]{4}_[0-9]{2}$'),
    start_date     date     NOT NULL UNIQUE,
    end_date       date     NOT NULL,
    fiscal_year    integer  NOT NULL,
    period_number  integer  NOT NULL CHECK (period_number BETWEEN 1 AND 27),
    CONSTRAINT billing_periods_end_after_start CHECK (end_date >= start_date),
    CONSTRAINT billing_periods_fiscal_year_is_end_year CHECK (fiscal_year = extract(year FROM end_date)::integer),
    CONSTRAINT billing_periods_id_matches CHECK (period_id = fiscal_year::text || '_' || lpad(period_number::text, 2, '0')),
    CONSTRAINT billing_periods_no_overlap EXCLUDE USING gist (daterange(start_date, end_date, '[]') WITH &&)
);

COMMENT ON TABLE tracktik.billing_periods IS
    'Kaiser billing calendar: continuous 14-day periods (two workweeks each). Rows are created on demand by tracktik.ensure_billing_period(); tracktik.get_billing_period(date) computes the id of any date.';
COMMENT ON COLUMN tracktik.billing_periods.period_id IS 'Period id ''YYYY_PP'': fiscal year (year of the end date) and ordinal of the period within that year.';
COMMENT ON COLUMN tracktik.billing_periods.start_date IS 'First day of the period (inclusive); also the first day of its first workweek.';
COMMENT ON COLUMN tracktik.billing_periods.end_date IS 'Last day of the period (inclusive).';
COMMENT ON COLUMN tracktik.billing_periods.fiscal_year IS 'Fiscal year: the calendar year of end_date.';
COMMENT ON COLUMN tracktik.billing_periods.period_number IS 'Ordinal of the period within its fiscal year, from 1.';
