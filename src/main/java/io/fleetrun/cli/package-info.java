/**
 * The picocli commands an operator types. The CLI reads and writes the database; it never calls
 * the daemon in-process: run and stop go through request rows the daemon polls. run, stop and
 * the read commands load no jOOQ, connection pool or logback (start-up is most of their time; {@code
 * RunPathTest}). May import
 * {@code store}, {@code config} and {@code model}.
 */
package io.fleetrun.cli;
