-- fleetrun schema, version 14 (PostgreSQL): CLI requests on a cluster of daemons, and one Running
-- periodic invocation per job. Twin of
-- sql/sqlite/V14__cluster_control.sql; same statements, same meaning (see that file for the
-- comments that explain each one).

ALTER TABLE control_request ADD COLUMN claimed_by VARCHAR;

ALTER TABLE control_request ADD COLUMN for_node VARCHAR;

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
