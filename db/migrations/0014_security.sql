-- depends: 0010_reporting
-- Routines are never executable by PUBLIC, including routines created after this migration.
--
-- 0001 meant to do this with ALTER DEFAULT PRIVILEGES IN SCHEMA tracktik|staging REVOKE
-- EXECUTE ON FUNCTIONS FROM PUBLIC, but a per-schema default privilege can only add to the
-- global defaults, never take away from them (PostgreSQL documentation, ALTER DEFAULT
-- PRIVILEGES): those two statements change nothing, and a routine that a DBA (or a later
-- migration) creates in tracktik is executable by everybody until the next migrate re-applies
-- db/grants/010_foundation.sql. The global default below, for the role that runs the
-- migrations (the warehouse owner), closes that window; db/tests/security asserts it.
--
-- It applies to every routine this role creates in this database, in any schema: the owner
-- should be a role dedicated to the warehouse (see docs/runbook.md, "Roles and logins").

ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON ROUTINES FROM PUBLIC;
