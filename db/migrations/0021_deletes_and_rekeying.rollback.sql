-- Back to the shapes before 0021_deletes_and_rekeying (the deletion logs are dropped with it).
DROP VIEW tracktik.v_deleted_shifts;
DROP TABLE tracktik.deleted_position_bill_settings;
DROP TABLE tracktik.deleted_shifts;
