-- Indexes for every query the CLI and the README run, so each answers in milliseconds at
-- 1,000,000 records (issue 7, item 10). QueryPlanTest lists those queries and checks with
-- EXPLAIN QUERY PLAN that none of them scans invocation or invocation_record.
-- Keep this file portable: sql/postgresql/V10__read_indexes.sql is its twin.

-- Records of one host, newest first (README: "records of one host").
CREATE INDEX invocation_record_instance_time ON invocation_record (instance_id, start_time);

-- Failed (or running) records since a time (README: "failed records in the last hour"); its
-- status prefix serves the running-record count of fleetrun status, so the status-only index
-- goes.
DROP INDEX invocation_record_status;
CREATE INDEX invocation_record_status_time ON invocation_record (status, start_time);

-- fleetrun results pages: the records of one invocation, newest (highest record_id) first.
CREATE INDEX invocation_record_invoke_newest ON invocation_record (invoke_id, record_id);

-- Requests the daemon has not answered (fleetrun status).
CREATE INDEX control_request_done_at ON control_request (done_at);

-- Invocations of one job, newest first (fleetrun invocations --job).
CREATE INDEX invocation_job_created ON invocation (job_id, created_at);

-- Instances whose fires were skipped by overlap: skip (README: "Schedules that survive
-- downtime"); partial, as nearly every row has skipped = 0.
CREATE INDEX invocation_instance_skipped ON invocation_instance (skipped) WHERE skipped > 0;

-- The README's queries of the last hour by fire time (failed records, the delay from schedule
-- to remote start) read scheduled_at, which V9 added.
CREATE INDEX invocation_record_scheduled_at ON invocation_record (scheduled_at);
