-- fleetrun schema, version 8: the start time of a run's process group leader.
--
-- remote_pgid alone does not prove a process group is the run's: pids are reused. With the
-- leader's start time (field 22 of /proc/PID/stat, clock ticks since boot, as the run's wrapper
-- reported it) crash recovery recognises the run's leader even after it exec'd into a program
-- that dropped the run's marker (env -i, sudo, a program that rewrites its title). Empty where
-- the target has no /proc, and for records written before this version: then only the marker
-- counts, as before.
-- Twin: sql/postgresql/V8__remote_pgid_started.sql (the same statement).
ALTER TABLE invocation_record ADD COLUMN remote_pgid_started BIGINT;
