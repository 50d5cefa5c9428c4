-- Deleted shifts and bill settings, re-keying (issue 10). The routines
-- (_rekey_facts, _delete_absent_bill_settings, _delete_shifts, _mark_restored_shifts) are
-- internals of merge_dimensions and load_fact_shifts, which run them as their owner: granted
-- to nobody (010_foundation revoked everything). Readers see the deletion logs (also granted
-- by migration 0021; re-asserted on every migrate).
GRANT SELECT ON tracktik.v_deleted_shifts, tracktik.deleted_shifts, tracktik.deleted_position_bill_settings
TO tracktik_reader;
