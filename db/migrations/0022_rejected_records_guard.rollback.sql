-- Back to 0021: staging.rejected_records unguarded.
DROP TRIGGER IF EXISTS rejected_records_staged_by_the_batch_session ON staging.rejected_records;
