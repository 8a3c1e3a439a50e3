-- fleetrun schema, version 5: live config reload.
--
-- The daemon applies edits of its config file without a restart (file watch or SIGHUP). What
-- the last attempt gave is kept on the daemon's heartbeat row, so `fleetrun status` and
-- sqlite3 readers can see whether an edit was taken:
--   config_loaded_at    when the config now in force was read (start, or the last applied reload)
--   last_reload_at      when the daemon last tried to reload (NULL: never since it started)
--   last_reload_result  'ok' (applied) or 'refused' (invalid: the previous config stays in force)
--   last_reload_message what changed, what needs a restart, or every problem as file:line:column: key: message
-- Twin of sql/sqlite/V5__reload.sql.
ALTER TABLE daemon_heartbeat ADD COLUMN config_loaded_at VARCHAR;
ALTER TABLE daemon_heartbeat ADD COLUMN last_reload_at VARCHAR;
ALTER TABLE daemon_heartbeat ADD COLUMN last_reload_result VARCHAR
  CHECK (last_reload_result IN ('ok', 'refused'));
ALTER TABLE daemon_heartbeat ADD COLUMN last_reload_message TEXT;
