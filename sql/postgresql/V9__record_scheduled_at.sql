-- fleetrun schema, version 9: records are written when their fire is, before they start.
-- See sql/sqlite/V9__record_scheduled_at.sql for the meaning of scheduled_at and of a NULL
-- start_time; PostgreSQL changes the columns in place instead of rebuilding the table.
ALTER TABLE invocation_record ADD COLUMN scheduled_at VARCHAR;
UPDATE invocation_record SET scheduled_at = start_time;
ALTER TABLE invocation_record ALTER COLUMN scheduled_at SET NOT NULL;
ALTER TABLE invocation_record ALTER COLUMN start_time DROP NOT NULL;
