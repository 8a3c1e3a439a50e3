/**
 * The daemon's embedded HTTP server (Javalin on Jetty): bearer-token auth with roles, liveness
 * and readiness, and the read API under {@code /api/v1} in the shape of the cloud run-command
 * API (DescribeInvocations, DescribeInvocationResults), and the instances, commands and jobs of
 * the config in force (given by the daemon as a {@code Supplier<Fleet>}), as JSON, and the web
 * console's static files ({@code /}, {@code /console/{file}}, from the jar). Every route
 * is one row of a route table that names the role it needs and the query parameters it takes;
 * the role check
 * lives in {@link io.fleetrun.http.Guard} alone, and {@code /api/v1/openapi.json} (a file of the
 * jar) describes the table. May import {@code model} and {@code store} (reads) only.
 */
package io.fleetrun.http;
