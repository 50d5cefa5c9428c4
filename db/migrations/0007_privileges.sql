-- depends: 0006_billing_config
-- Table privileges of the application roles (routine privileges are granted by
-- db/grants/*.sql, re-applied on every migrate).
--   tracktik_reader : SELECT on every warehouse table, nothing else.
--   tracktik_loader : INSERT into staging.api_records, nothing else; it changes the
--                     warehouse only through SECURITY DEFINER routines.
-- A later migration that adds a table grants on it explicitly.

REVOKE ALL ON ALL TABLES IN SCHEMA tracktik FROM PUBLIC, tracktik_loader, tracktik_reader;
REVOKE ALL ON ALL TABLES IN SCHEMA staging FROM PUBLIC, tracktik_loader, tracktik_reader;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA tracktik FROM PUBLIC, tracktik_loader, tracktik_reader;

GRANT SELECT ON ALL TABLES IN SCHEMA tracktik TO tracktik_reader;
GRANT INSERT ON staging.api_records TO tracktik_loader;
