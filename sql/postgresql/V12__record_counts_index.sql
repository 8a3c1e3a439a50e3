-- run --wait's progress and the RECORDS column of fleetrun invocations count the records of an
-- invocation per status (GROUP BY invoke_id, status, detail_status). Along
-- invocation_record_invoke_newest that reads every record's row: ~125 ms of CPU for the
-- 200,000 records of a periodic invocation on a 1,000,000-record file. With the counted columns
-- in the index the count reads the index alone (COVERING INDEX): ~15 ms there (QueryTimes,
-- bench figures in the README's "Progress and record counts").
-- V11 is another change's; this one is numbered after it. Keep this file portable:
-- sql/sqlite/V12__record_counts_index.sql is its twin.
CREATE INDEX invocation_record_invoke_status ON invocation_record (invoke_id, status, detail_status);
