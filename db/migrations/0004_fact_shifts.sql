-- depends: 0003_dimensions
-- The shift fact table, LIST-partitioned by billing period. Partitions are never made by
-- hand: tracktik.ensure_billing_period(date) creates the calendar row and the partition
-- on demand. There is deliberately no DEFAULT partition: a row for a period whose
-- partition was not ensured is an error, not a silent catch-all.

CREATE TABLE tracktik.fact_shifts (
    shift_id              bigint        NOT NULL,
    billing_period_id     text          NOT NULL,
    employee_id           bigint,
    position_id           bigint,
    client_id             bigint,
    region_id             bigint,
    employee_key          bigint,
    position_key          bigint,
    client_key            bigint,
    shift_date            date          NOT NULL,
    start_datetime        timestamptz   NOT NULL,
    end_datetime          timestamptz   NOT NULL,
    time_zone             text          NOT NULL,
    status                text          NOT NULL,
    scheduled_hours       numeric(10,2),
    clocked_hours         numeric(10,2),
    approved_hours        numeric(10,2),
    billable_hours        numeric(10,2),
    payable_hours         numeric(10,2),
    bill_rate_regular     numeric(10,2),
    bill_rate_effective   numeric(10,2),
    bill_overtime_hours   numeric(10,2),
    bill_overtime_impact  numeric(10,2),
    bill_holiday_hours    numeric(10,2),
    bill_holiday_impact   numeric(10,2),
    bill_total            numeric(10,2),
    raw_data              jsonb         NOT NULL,
    etl_batch_id          uuid,
    created_at            timestamptz   NOT NULL DEFAULT now(),
    updated_at            timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT fact_shifts_pkey PRIMARY KEY (billing_period_id, shift_id),
    CONSTRAINT fact_shifts_end_after_start CHECK (end_datetime > start_datetime)
) PARTITION BY LIST (billing_period_id);

CREATE INDEX fact_shifts_employee_date ON tracktik.fact_shifts (employee_id, shift_date);
CREATE INDEX fact_shifts_shift_id ON tracktik.fact_shifts (shift_id);
CREATE INDEX fact_shifts_batch ON tracktik.fact_shifts (etl_batch_id);

COMMENT ON TABLE tracktik.fact_shifts IS
    'One row per TrackTik shift, in the partition of the billing period of its local start date; hours and Kaiser billing computed in the database from raw_data. Partitions are created by tracktik.ensure_billing_period().';
COMMENT ON COLUMN tracktik.fact_shifts.shift_id IS 'TrackTik shift id. A shift is in exactly one billing period.';
COMMENT ON COLUMN tracktik.fact_shifts.billing_period_id IS 'Billing period (''YYYY_PP'', tracktik.billing_periods) of shift_date; the partition key.';
COMMENT ON COLUMN tracktik.fact_shifts.employee_id IS 'TrackTik id of the assigned employee (NULL for a vacant shift).';
COMMENT ON COLUMN tracktik.fact_shifts.position_id IS 'TrackTik id of the position (post).';
COMMENT ON COLUMN tracktik.fact_shifts.client_id IS 'TrackTik id of the site of the position, as of shift start.';
COMMENT ON COLUMN tracktik.fact_shifts.region_id IS 'TrackTik id of the site''s region, as of shift start (drives overtime rules and holidays).';
COMMENT ON COLUMN tracktik.fact_shifts.employee_key IS 'dim_employees.surrogate_key of the version valid at shift start (the earliest version if the shift precedes all).';
COMMENT ON COLUMN tracktik.fact_shifts.position_key IS 'dim_positions.surrogate_key of the version valid at shift start.';
COMMENT ON COLUMN tracktik.fact_shifts.client_key IS 'dim_clients.surrogate_key of the version valid at shift start.';
COMMENT ON COLUMN tracktik.fact_shifts.shift_date IS 'Local date of the shift start in its time zone; the whole shift belongs to this day, workweek and period.';
COMMENT ON COLUMN tracktik.fact_shifts.start_datetime IS 'Shift start (instant).';
COMMENT ON COLUMN tracktik.fact_shifts.end_datetime IS 'Shift end (instant).';
COMMENT ON COLUMN tracktik.fact_shifts.time_zone IS 'IANA time zone used to attribute the shift: the shift''s, else the site''s, else the region''s, else the configured default.';
COMMENT ON COLUMN tracktik.fact_shifts.status IS 'TrackTik status: ACTIVE or CANCELLED. Cancelled shifts are kept with zero billable and payable hours.';
COMMENT ON COLUMN tracktik.fact_shifts.scheduled_hours IS '(end - start) minus unpaid breakInMinutes, in hours.';
COMMENT ON COLUMN tracktik.fact_shifts.clocked_hours IS 'TrackTik clockedHours (NULL if absent).';
COMMENT ON COLUMN tracktik.fact_shifts.approved_hours IS 'TrackTik approvedHours (NULL if absent).';
COMMENT ON COLUMN tracktik.fact_shifts.billable_hours IS 'Hours billed to the client: 0 if cancelled, not billable or non-billable post; else approved, else least(clocked, scheduled), else scheduled.';
COMMENT ON COLUMN tracktik.fact_shifts.payable_hours IS 'Hours paid to the guard: 0 if cancelled or not payable; else approved, else clocked, else scheduled.';
COMMENT ON COLUMN tracktik.fact_shifts.bill_rate_regular IS 'Hourly bill rate in force on shift_date (position override, TrackTik bill setting, site, region, global). NULL when no rate exists.';
COMMENT ON COLUMN tracktik.fact_shifts.bill_rate_effective IS 'bill_total / billable_hours (NULL when billable_hours is 0).';
COMMENT ON COLUMN tracktik.fact_shifts.bill_overtime_hours IS 'Overtime plus double-time hours of this shift billed at a premium (0 when overtime is not billable).';
COMMENT ON COLUMN tracktik.fact_shifts.bill_overtime_impact IS 'Premium of overtime: rate x (ot x (ot multiplier - 1) + dt x (dt multiplier - 1)).';
COMMENT ON COLUMN tracktik.fact_shifts.bill_holiday_hours IS 'Billable hours worked on a holiday (billed at the holiday multiplier, never also as overtime).';
COMMENT ON COLUMN tracktik.fact_shifts.bill_holiday_impact IS 'Premium of holiday hours: rate x holiday hours x (holiday multiplier - 1).';
COMMENT ON COLUMN tracktik.fact_shifts.bill_total IS 'billable_hours x rate + overtime impact + holiday impact, rounded to cents.';
COMMENT ON COLUMN tracktik.fact_shifts.raw_data IS 'The complete shift record as the TrackTik API returned it.';
COMMENT ON COLUMN tracktik.fact_shifts.etl_batch_id IS 'Batch that last changed this row.';
COMMENT ON COLUMN tracktik.fact_shifts.created_at IS 'When the row was first loaded.';
COMMENT ON COLUMN tracktik.fact_shifts.updated_at IS 'When the row''s content last changed (not touched when a reload brings identical data).';
