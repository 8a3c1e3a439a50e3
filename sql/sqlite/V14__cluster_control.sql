-- fleetrun schema, version 14: CLI requests on a cluster of daemons (PostgreSQL), and one Running
-- periodic invocation per job. Keep this file portable: sql/postgresql/V14__cluster_control.sql is
-- its twin and says the same.

-- The node that claimed the request. A node starting up answers, as refused, only the claimed
-- and unanswered requests of its own node id (its previous process died carrying them out) or of
-- nodes no longer alive; another live node's request is that node's to answer. NULL for
-- requests claimed before this version (and on SQLite: one daemon, every claim is its own).
ALTER TABLE control_request ADD COLUMN claimed_by VARCHAR;

-- The node a request is meant for; NULL: any node. A stop claimed by one node ends that node's
-- records and hands each other live node running records of the invocation a stop of its own
-- (for_node = that node), which only that node claims: its kill must be done where its SSH
-- session is.
ALTER TABLE control_request ADD COLUMN for_node VARCHAR;

-- One Running periodic invocation per job, for the whole cluster: two nodes firing a job's first
-- fire at once both find none and create one each; the second insert is refused by this index,
-- and its node fires into the first one's invocation instead (JooqInvocationStore.firePeriodic).
-- A single daemon could, rarely, leave two (two fires of one job at once, each finding none), so
-- an existing file may hold some: every Running periodic invocation that has a newer one of its
-- job (by created_at, then invoke_id) is ended Stopped first, with its Running instances, at the
-- newer one's creation time; the newest goes on, as the daemon already fired only into the
-- newest. Their records still Running are ended by the daemon's start-up repair as always.
-- (The jOOQ code generator reads this file for tables and indexes only: it skips the updates.)
/* [jooq ignore start] */
UPDATE invocation_instance
   SET status = 'Stopped', stopped = TRUE,
       stopped_at = (SELECT max(n.created_at) FROM invocation o JOIN invocation n ON n.job_id = o.job_id
                      WHERE o.invoke_id = invocation_instance.invoke_id
                        AND n.repeat_mode = 'Period' AND n.status = 'Running')
 WHERE status = 'Running'
   AND invoke_id IN (SELECT o.invoke_id FROM invocation o
                      WHERE o.repeat_mode = 'Period' AND o.status = 'Running' AND o.job_id IS NOT NULL
                        AND EXISTS (SELECT 1 FROM invocation n
                                     WHERE n.job_id = o.job_id AND n.repeat_mode = 'Period' AND n.status = 'Running'
                                       AND (n.created_at > o.created_at
                                            OR (n.created_at = o.created_at AND n.invoke_id > o.invoke_id))));

UPDATE invocation
   SET status = 'Stopped',
       stopped_at = (SELECT max(n.created_at) FROM invocation n
                      WHERE n.job_id = invocation.job_id AND n.repeat_mode = 'Period' AND n.status = 'Running'),
       finished_at = (SELECT max(n.created_at) FROM invocation n
                       WHERE n.job_id = invocation.job_id AND n.repeat_mode = 'Period' AND n.status = 'Running')
 WHERE repeat_mode = 'Period' AND status = 'Running' AND job_id IS NOT NULL
   AND EXISTS (SELECT 1 FROM invocation n
                WHERE n.job_id = invocation.job_id AND n.repeat_mode = 'Period' AND n.status = 'Running'
                  AND (n.created_at > invocation.created_at
                       OR (n.created_at = invocation.created_at AND n.invoke_id > invocation.invoke_id)));
/* [jooq ignore stop] */

CREATE UNIQUE INDEX invocation_running_periodic
  ON invocation (job_id) WHERE repeat_mode = 'Period' AND status = 'Running';
