-- depends: 0007_privileges
-- Shift facts and Kaiser billing (DESIGN.md section 5): the TrackTik bill settings that rates
-- come from, and the audit of shifts that moved between billing periods.
--
-- The routines that fill these tables live in db/functions/2xx_*.sql and 3xx_*.sql.

-- TrackTik position-bill-settings, as loaded from the staged resource of that name. The rate
-- of a position on a shift date is the setting with the latest effective_date on or before
-- that date (after a local position override in tracktik.bill_rate_overrides).
CREATE TABLE tracktik.position_bill_settings (
    setting_id              bigint        PRIMARY KEY,
    position_id             bigint        NOT NULL,
    bill_rate               numeric(10,2) NOT NULL CHECK (bill_rate >= 0),
    effective_date          date          NOT NULL,
    overtime_multiplier     numeric(6,3)  CHECK (overtime_multiplier >= 1),
    double_time_multiplier  numeric(6,3)  CHECK (double_time_multiplier >= 1),
    source_updated_on       timestamptz,
    raw_data                jsonb         NOT NULL,
    etl_batch_id            uuid,
    created_at              timestamptz   NOT NULL DEFAULT now(),
    updated_at              timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX position_bill_settings_position_date
    ON tracktik.position_bill_settings (position_id, effective_date);

COMMENT ON TABLE tracktik.position_bill_settings IS
    'TrackTik position-bill-settings (bill rate of a post from an effective date), loaded from staged batches. Second in the rate order: a local position override in bill_rate_overrides wins over them.';
COMMENT ON COLUMN tracktik.position_bill_settings.setting_id IS 'TrackTik id of the bill setting.';
COMMENT ON COLUMN tracktik.position_bill_settings.position_id IS 'TrackTik id of the position (post) the rate is for.';
COMMENT ON COLUMN tracktik.position_bill_settings.bill_rate IS 'Regular hourly bill rate (TrackTik rate).';
COMMENT ON COLUMN tracktik.position_bill_settings.effective_date IS 'First shift date the rate applies to; it applies until the effective_date of the next setting of the same position.';
COMMENT ON COLUMN tracktik.position_bill_settings.overtime_multiplier IS 'TrackTik customOvertimeMultiplier1 (NULL: tracktik.settings default, 1.5).';
COMMENT ON COLUMN tracktik.position_bill_settings.double_time_multiplier IS 'TrackTik customOvertimeMultiplier2 (NULL: tracktik.settings default, 2.0).';
COMMENT ON COLUMN tracktik.position_bill_settings.source_updated_on IS 'The record''s updatedOn (or modifiedOn), when given.';
COMMENT ON COLUMN tracktik.position_bill_settings.raw_data IS 'The complete API record as last loaded.';
COMMENT ON COLUMN tracktik.position_bill_settings.etl_batch_id IS 'Batch that last changed the row.';
COMMENT ON COLUMN tracktik.position_bill_settings.created_at IS 'When the row was first loaded.';
COMMENT ON COLUMN tracktik.position_bill_settings.updated_at IS 'When the row''s content last changed (not touched by a reload of identical data).';

-- A shift whose local start date moved to another billing period is deleted from its old
-- partition and inserted into the new one; every such move is recorded here.
CREATE TABLE tracktik.fact_shift_moves (
    move_id             bigserial    PRIMARY KEY,
    shift_id            bigint       NOT NULL,
    from_period_id      text         NOT NULL,
    to_period_id        text         NOT NULL,
    from_shift_date     date         NOT NULL,
    to_shift_date       date         NOT NULL,
    from_employee_id    bigint,
    batch_id            uuid         REFERENCES tracktik.etl_batches (batch_id),
    moved_at            timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT fact_shift_moves_other_period CHECK (from_period_id <> to_period_id)
);
CREATE INDEX fact_shift_moves_shift ON tracktik.fact_shift_moves (shift_id);
CREATE INDEX fact_shift_moves_batch ON tracktik.fact_shift_moves (batch_id);

COMMENT ON TABLE tracktik.fact_shift_moves IS
    'Audit of shifts moved between billing periods (their local start date changed): the row was deleted from the old fact_shifts partition and the employee-week it left was re-billed.';
COMMENT ON COLUMN tracktik.fact_shift_moves.move_id IS 'Move id.';
COMMENT ON COLUMN tracktik.fact_shift_moves.shift_id IS 'TrackTik shift id.';
COMMENT ON COLUMN tracktik.fact_shift_moves.from_period_id IS 'Billing period the shift was in.';
COMMENT ON COLUMN tracktik.fact_shift_moves.to_period_id IS 'Billing period it is in now.';
COMMENT ON COLUMN tracktik.fact_shift_moves.from_shift_date IS 'Its previous local start date.';
COMMENT ON COLUMN tracktik.fact_shift_moves.to_shift_date IS 'Its new local start date.';
COMMENT ON COLUMN tracktik.fact_shift_moves.from_employee_id IS 'Employee of the previous version (whose week was re-billed).';
COMMENT ON COLUMN tracktik.fact_shift_moves.batch_id IS 'Batch (or reprocess run) that moved it.';
COMMENT ON COLUMN tracktik.fact_shift_moves.moved_at IS 'When it was moved.';

-- Privileges (0007): readers read, the loader works only through definer routines.
REVOKE ALL ON tracktik.position_bill_settings, tracktik.fact_shift_moves
    FROM PUBLIC, tracktik_loader, tracktik_reader;
REVOKE ALL ON SEQUENCE tracktik.fact_shift_moves_move_id_seq FROM PUBLIC, tracktik_loader, tracktik_reader;
GRANT SELECT ON tracktik.position_bill_settings, tracktik.fact_shift_moves TO tracktik_reader;
