-- depends: 0018_quality_once_and_ranges 0019_loader_isolation
-- Records the shell sets aside (staging.rejected_records) are guarded like staged records: a
-- loader session adds them only to a batch whose liveness lock it holds in exclusive mode
-- (tracktik._staging_insert_guard, db/functions/309).
CREATE TRIGGER rejected_records_staged_by_the_batch_session
    AFTER INSERT ON staging.rejected_records
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tracktik._staging_insert_guard();

COMMENT ON TRIGGER rejected_records_staged_by_the_batch_session ON staging.rejected_records IS
    'A loader session sets records aside only into a batch whose liveness lock (tracktik.start_batch) it holds in exclusive mode: TT004 (another session''s batch) or TT003 (no session holds it). The table owner and superusers are not checked.';
