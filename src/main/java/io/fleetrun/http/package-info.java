/**
 * The daemon's embedded HTTP server (Javalin on Jetty): bearer-token auth with roles, liveness
 * and readiness, and the read API under {@code /api/v1} in the shape of the cloud run-command
 * API (DescribeInvocations, DescribeInvocationResults), the instances, commands and jobs of
 * the config in force (given by the daemon as a {@code Supplier<Fleet>}), what {@code fleetrun
 * status} shows ({@code /daemon}) and who the caller is ({@code /me}), as JSON; {@code
 * /api/v1/events}, server-sent events read from the store's event log ({@code EventStream}: one
 * poller per server, a bounded outbox per client); and the web console's static files ({@code /},
 * {@code /console/{file}}, from the jar). Every route
 * is one row of a route table that names the role it needs and the query parameters it takes;
 * the role check
 * lives in {@link io.fleetrun.http.Guard} alone, and {@code /api/v1/openapi.json} (a file of the
 * jar) describes the table. Run and stop ({@link io.fleetrun.http.WriteApi}, for operators) never
 * call the engine: they queue the CLI's control_request rows on the store's control channel and
 * wait for the daemon's answer as the CLI does. May import {@code model} and {@code store}
 * (reads, and the control channel) only.
 */
package io.fleetrun.http;
