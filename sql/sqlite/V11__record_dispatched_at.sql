-- fleetrun schema, version 11: the daemon's commitment to hand a record to SSH is on disk
-- before the exec request can go out.
--
--   dispatched_at  when the daemon decided to hand the record to SSH; written (and committed)
--                  BEFORE the exec request is sent, so from start_time's point of view it is
--                  never later. NULL while the record waits for its turn, and for a record that
--                  ended before it was handed over (stopped while pending, cancelled by
--                  maxErrors, the mark itself could not be written).
-- A daemon killed after the mark but before start_time was written may have left a script
-- running: at the next start, Recovery looks for the process of every open record with
-- dispatched_at or start_time set (by its marker) and kills it; a record with neither mark was
-- never handed to SSH and costs no connection.
-- Same time format as the other time columns (UTC ISO-8601 text). Nullable: existing rows keep
-- NULL (a record sent by an older daemon has start_time, which Recovery also reads).
-- Twin: sql/postgresql/V11__record_dispatched_at.sql.

ALTER TABLE invocation_record ADD COLUMN dispatched_at VARCHAR;
