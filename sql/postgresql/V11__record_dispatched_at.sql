-- fleetrun schema, version 11: the daemon's commitment to hand a record to SSH is on disk
-- before the exec request can go out. See sql/sqlite/V11__record_dispatched_at.sql for the
-- meaning of dispatched_at and how Recovery reads it.

ALTER TABLE invocation_record ADD COLUMN dispatched_at VARCHAR;
