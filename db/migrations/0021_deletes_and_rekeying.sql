-- depends: 0017_real_api_shapes 0018_quality_once_and_ranges
-- The warehouse converges on TrackTik (issue 10, items 1-3): what TrackTik deleted stops being
-- billed, and facts follow the dimension versions valid at their start.
--
--   * a deleted shift is REMOVED from tracktik.fact_shifts (so every view, the report, status
--     and billing agree without a filter) and its last row, raw_data included, is kept in
--     tracktik.deleted_shifts with how the deletion was learned: 'full_sync' (a full sync of a
--     window of shift dates did not return it) or 'shift_log' (a /shift-logs REMOVED entry).
--     A deleted shift that TrackTik returns again is loaded again (billed) and its deletion
--     row is marked restored (kept as history);
--   * a bill setting that its post no longer lists (full sync of position-bill-settings) is
--     deleted from tracktik.position_bill_settings and kept in
--     tracktik.deleted_position_bill_settings;
--   * circuit breaker for shifts: the dimensions' settings (tracktik.settings
--     full_sync_max_close_share and, from 0018_quality_once_and_ranges,
--     full_sync_min_close_count) apply to the stored shifts of a full-sync window too;
--   * tracktik.v_deleted_shifts for readers.
-- The routines live in db/functions/135_rekey_facts.sql, 227_*, 228_*, 229_*.

-- ---------------------------------------------------------------- deleted shifts

CREATE TABLE tracktik.deleted_shifts (
    deletion_id           bigserial     PRIMARY KEY,
    shift_id              bigint        NOT NULL,
    billing_period_id     text          NOT NULL,
    employee_id           bigint,
    position_id           bigint,
    client_id             bigint,
    region_id             bigint,
    shift_date            date          NOT NULL,
    start_datetime        timestamptz   NOT NULL,
    end_datetime          timestamptz   NOT NULL,
    status                text,
    billable_hours        numeric(10,2),
    bill_total            numeric(10,2),
    raw_data              jsonb         NOT NULL,
    last_fact             jsonb         NOT NULL,
    learned_from          text          NOT NULL CHECK (learned_from IN ('full_sync', 'shift_log')),
    shift_log_created_on  timestamptz,
    shift_log             jsonb,
    batch_id              uuid          NOT NULL REFERENCES tracktik.etl_batches (batch_id),
    deleted_at            timestamptz   NOT NULL DEFAULT now(),
    restored_at           timestamptz,
    restored_batch_id     uuid          REFERENCES tracktik.etl_batches (batch_id),
    CONSTRAINT deleted_shifts_log_when_shift_log
        CHECK ((learned_from = 'shift_log') = (shift_log_created_on IS NOT NULL)),
    CONSTRAINT deleted_shifts_restored_together
        CHECK ((restored_at IS NULL) = (restored_batch_id IS NULL))
);
-- at most one open deletion per shift (a shift is deleted again only after it came back)
CREATE UNIQUE INDEX deleted_shifts_open ON tracktik.deleted_shifts (shift_id) WHERE restored_at IS NULL;
CREATE INDEX deleted_shifts_shift ON tracktik.deleted_shifts (shift_id, shift_log_created_on);
CREATE INDEX deleted_shifts_batch ON tracktik.deleted_shifts (batch_id);

COMMENT ON TABLE tracktik.deleted_shifts IS
    'Shifts deleted in TrackTik: removed from fact_shifts (no longer billed; their employee-weeks re-billed) with their last fact row kept here. One row per deletion; a shift that TrackTik returns again is loaded again and its deletion row marked restored.';
COMMENT ON COLUMN tracktik.deleted_shifts.deletion_id IS 'Deletion id.';
COMMENT ON COLUMN tracktik.deleted_shifts.shift_id IS 'TrackTik shift id.';
COMMENT ON COLUMN tracktik.deleted_shifts.billing_period_id IS 'Billing period the shift was in when deleted.';
COMMENT ON COLUMN tracktik.deleted_shifts.employee_id IS 'Employee of the deleted row (NULL: vacant).';
COMMENT ON COLUMN tracktik.deleted_shifts.position_id IS 'Post of the deleted row.';
COMMENT ON COLUMN tracktik.deleted_shifts.client_id IS 'Site of the deleted row.';
COMMENT ON COLUMN tracktik.deleted_shifts.region_id IS 'Region of the deleted row.';
COMMENT ON COLUMN tracktik.deleted_shifts.shift_date IS 'Local start date of the deleted row.';
COMMENT ON COLUMN tracktik.deleted_shifts.start_datetime IS 'Start of the deleted row.';
COMMENT ON COLUMN tracktik.deleted_shifts.end_datetime IS 'End of the deleted row.';
COMMENT ON COLUMN tracktik.deleted_shifts.status IS 'TrackTik status of the deleted row.';
COMMENT ON COLUMN tracktik.deleted_shifts.billable_hours IS 'Billable hours the row had.';
COMMENT ON COLUMN tracktik.deleted_shifts.bill_total IS 'What the row billed before it was deleted.';
COMMENT ON COLUMN tracktik.deleted_shifts.raw_data IS 'The last API record of the shift (the row''s raw_data).';
COMMENT ON COLUMN tracktik.deleted_shifts.last_fact IS 'The whole deleted fact row as JSON, without raw_data (keys, hours, billing).';
COMMENT ON COLUMN tracktik.deleted_shifts.learned_from IS 'full_sync: a full sync of a window of shift dates did not return it; shift_log: a /shift-logs REMOVED entry.';
COMMENT ON COLUMN tracktik.deleted_shifts.shift_log_created_on IS 'createdOn of the REMOVED log entry (shift_log only); a log entry is applied once.';
COMMENT ON COLUMN tracktik.deleted_shifts.shift_log IS 'The REMOVED log entry as the API returned it (shift_log only).';
COMMENT ON COLUMN tracktik.deleted_shifts.batch_id IS 'Batch that deleted it.';
COMMENT ON COLUMN tracktik.deleted_shifts.deleted_at IS 'When it was deleted from fact_shifts.';
COMMENT ON COLUMN tracktik.deleted_shifts.restored_at IS 'When TrackTik returned the shift again and it was loaded (billed) again; NULL while deleted.';
COMMENT ON COLUMN tracktik.deleted_shifts.restored_batch_id IS 'Batch that loaded it again.';

-- ---------------------------------------------------------------- deleted bill settings

CREATE TABLE tracktik.deleted_position_bill_settings (
    deletion_id         bigserial     PRIMARY KEY,
    setting_id          bigint        NOT NULL,
    position_id         bigint        NOT NULL,
    bill_rate           numeric(10,2) NOT NULL,
    effective_date      date          NOT NULL,
    raw_data            jsonb         NOT NULL,
    last_row            jsonb         NOT NULL,
    batch_id            uuid          NOT NULL REFERENCES tracktik.etl_batches (batch_id),
    deleted_at          timestamptz   NOT NULL DEFAULT now(),
    restored_at         timestamptz,
    restored_batch_id   uuid          REFERENCES tracktik.etl_batches (batch_id),
    CONSTRAINT deleted_position_bill_settings_restored_together
        CHECK ((restored_at IS NULL) = (restored_batch_id IS NULL))
);
CREATE UNIQUE INDEX deleted_position_bill_settings_open
    ON tracktik.deleted_position_bill_settings (setting_id) WHERE restored_at IS NULL;

COMMENT ON TABLE tracktik.deleted_position_bill_settings IS
    'TrackTik bill settings that their post no longer lists (full sync of position-bill-settings): deleted from position_bill_settings (they no longer apply; the post''s shifts from the setting''s effective date were re-billed), last row kept here. A setting listed again is loaded again and its row here marked restored.';
COMMENT ON COLUMN tracktik.deleted_position_bill_settings.deletion_id IS 'Deletion id.';
COMMENT ON COLUMN tracktik.deleted_position_bill_settings.setting_id IS 'TrackTik id of the bill setting.';
COMMENT ON COLUMN tracktik.deleted_position_bill_settings.position_id IS 'Post the setting was for.';
COMMENT ON COLUMN tracktik.deleted_position_bill_settings.bill_rate IS 'Its rate.';
COMMENT ON COLUMN tracktik.deleted_position_bill_settings.effective_date IS 'Its effective date (shifts from this date on were re-billed).';
COMMENT ON COLUMN tracktik.deleted_position_bill_settings.raw_data IS 'The API item as last loaded.';
COMMENT ON COLUMN tracktik.deleted_position_bill_settings.last_row IS 'The whole deleted position_bill_settings row as JSON.';
COMMENT ON COLUMN tracktik.deleted_position_bill_settings.batch_id IS 'Batch that deleted it.';
COMMENT ON COLUMN tracktik.deleted_position_bill_settings.deleted_at IS 'When it was deleted.';
COMMENT ON COLUMN tracktik.deleted_position_bill_settings.restored_at IS 'When the post listed it again (loaded again); NULL while deleted.';
COMMENT ON COLUMN tracktik.deleted_position_bill_settings.restored_batch_id IS 'Batch that loaded it again.';

-- ---------------------------------------------------------------- view for readers

CREATE VIEW tracktik.v_deleted_shifts AS
SELECT d.shift_id,
       d.billing_period_id,
       d.shift_date,
       d.employee_id,
       d.position_id,
       d.client_id,
       d.region_id,
       d.start_datetime,
       d.end_datetime,
       d.status,
       d.billable_hours,
       d.bill_total AS last_bill_total,
       d.learned_from,
       d.deleted_at,
       d.batch_id,
       d.restored_at,
       d.restored_batch_id,
       d.restored_at IS NULL AS is_deleted
  FROM tracktik.deleted_shifts AS d;
COMMENT ON VIEW tracktik.v_deleted_shifts IS
    'Shifts deleted in TrackTik (tracktik.deleted_shifts): no longer in fact_shifts nor billed while is_deleted; restored ones were returned by TrackTik again and are billed again.';
COMMENT ON COLUMN tracktik.v_deleted_shifts.shift_id IS 'TrackTik shift id.';
COMMENT ON COLUMN tracktik.v_deleted_shifts.billing_period_id IS 'Billing period the shift was in.';
COMMENT ON COLUMN tracktik.v_deleted_shifts.shift_date IS 'Its local start date.';
COMMENT ON COLUMN tracktik.v_deleted_shifts.employee_id IS 'Its employee (NULL: vacant).';
COMMENT ON COLUMN tracktik.v_deleted_shifts.position_id IS 'Its post.';
COMMENT ON COLUMN tracktik.v_deleted_shifts.client_id IS 'Its site.';
COMMENT ON COLUMN tracktik.v_deleted_shifts.region_id IS 'Its region.';
COMMENT ON COLUMN tracktik.v_deleted_shifts.start_datetime IS 'Its start.';
COMMENT ON COLUMN tracktik.v_deleted_shifts.end_datetime IS 'Its end.';
COMMENT ON COLUMN tracktik.v_deleted_shifts.status IS 'Its last TrackTik status.';
COMMENT ON COLUMN tracktik.v_deleted_shifts.billable_hours IS 'Billable hours it had.';
COMMENT ON COLUMN tracktik.v_deleted_shifts.last_bill_total IS 'What it billed before it was deleted (no longer billed).';
COMMENT ON COLUMN tracktik.v_deleted_shifts.learned_from IS 'full_sync or shift_log.';
COMMENT ON COLUMN tracktik.v_deleted_shifts.deleted_at IS 'When it was deleted.';
COMMENT ON COLUMN tracktik.v_deleted_shifts.batch_id IS 'Batch that deleted it.';
COMMENT ON COLUMN tracktik.v_deleted_shifts.restored_at IS 'When it came back (NULL while deleted).';
COMMENT ON COLUMN tracktik.v_deleted_shifts.restored_batch_id IS 'Batch that loaded it again.';
COMMENT ON COLUMN tracktik.v_deleted_shifts.is_deleted IS 'True while the shift is deleted (not billed).';

-- ---------------------------------------------------------------- privileges

REVOKE ALL ON tracktik.deleted_shifts, tracktik.deleted_position_bill_settings, tracktik.v_deleted_shifts
    FROM PUBLIC, tracktik_loader, tracktik_reader;
REVOKE ALL ON SEQUENCE tracktik.deleted_shifts_deletion_id_seq, tracktik.deleted_position_bill_settings_deletion_id_seq
    FROM PUBLIC, tracktik_loader, tracktik_reader;
GRANT SELECT ON tracktik.deleted_shifts, tracktik.deleted_position_bill_settings, tracktik.v_deleted_shifts
    TO tracktik_reader;
