-- fleetrun schema, version 16 (PostgreSQL): a run asked over HTTP with a clientToken happens once, however
-- often it is asked. Twin: sql/sqlite/V16__client_token.sql (the same statements).
--
--   client_token   the clientToken of a POST /api/v1/invocations (1 to 64 printable ASCII
--                  characters, chosen by the client, not a secret). NULL for the CLI's requests
--                  and for HTTP requests without one. Unique in the database: a second request
--                  with the token (a retry, or a race with the first) inserts nothing and reads
--                  the first one's row instead, so there is one run. A withdrawn request (it never
--                  ran) gives its token up, so a retry after that runs it anew. Retention
--                  deletes answered requests with the invocations of their age; their tokens
--                  are then free again.
--   client_caller  the name of the bearer token (never its value) that sent the request with
--                  that clientToken: a retry must come from the same caller with the same kind
--                  and payload, or it is refused (409 IdempotentParameterMismatch).
ALTER TABLE control_request ADD COLUMN client_token VARCHAR;
ALTER TABLE control_request ADD COLUMN client_caller VARCHAR;

-- A plain unique index: both SQLite and PostgreSQL let any number of rows hold NULL in it.
CREATE UNIQUE INDEX control_request_client_token ON control_request (client_token);
