-- fleetrun schema, version 7: a CLI request can be withdrawn.
--
-- A CLI that stops waiting for its request (its answer timeout, or Ctrl-C) withdraws it, in one
-- UPDATE that succeeds only while the request is not taken (claimed_at and withdrawn_at empty);
-- the daemon takes only requests that are neither taken nor withdrawn, also in one UPDATE, so
-- the two race with exactly one winner. A withdrawn request also gets done_at (its life is over:
-- retention deletes it a day later, status no longer counts it as pending) and an error saying
-- it was withdrawn.
-- Twin: sql/sqlite/V7__request_withdrawal.sql (the same statement).
ALTER TABLE control_request ADD COLUMN withdrawn_at VARCHAR;
