-- Back to PostgreSQL's default: routines the migrating role creates are executable by PUBLIC.
ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON ROUTINES TO PUBLIC;
