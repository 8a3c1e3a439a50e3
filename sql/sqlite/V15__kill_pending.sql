-- fleetrun schema, version 15: a kill owed by the take-over of a dead cluster node survives the
-- death of the node that owes it. Twin: sql/postgresql/V15__kill_pending.sql.
--
--   kill_pending_by  the node that ended the record in a take-over and still has to kill its
--                    remote process group (the record was handed to SSH). Written in the
--                    take-over's transaction, cleared once that node has tried the kill. A node
--                    that dies (or stops) in between leaves it set: the next start under that
--                    node id makes the kill, or, once that node is stopped or declared dead, a
--                    live node's take-over round does.
--                    NULL otherwise, and always on SQLite (one daemon: no take-over).
ALTER TABLE invocation_record ADD COLUMN kill_pending_by VARCHAR;

-- Only the few records whose kill is owed: every take-over round looks them up.
CREATE INDEX invocation_record_kill_pending ON invocation_record (kill_pending_by)
  WHERE kill_pending_by IS NOT NULL;
