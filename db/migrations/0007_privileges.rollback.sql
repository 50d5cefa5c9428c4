REVOKE ALL ON ALL TABLES IN SCHEMA tracktik FROM tracktik_loader, tracktik_reader;
REVOKE ALL ON ALL TABLES IN SCHEMA staging FROM tracktik_loader, tracktik_reader;
