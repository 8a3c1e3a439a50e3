-- fleetrun schema, version 4: schedule policies.
--
-- skipped counts the fires of a periodic job that left this instance out because its record
-- from an earlier fire was still running (overlap: skip). Such a fire writes no record, so
-- repeats + skipped is the number of fires the instance saw.
-- Twin: sql/postgresql/V4__schedule_policies.sql.
ALTER TABLE invocation_instance ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
