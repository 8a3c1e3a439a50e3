/**
 * The words of fleetrun as plain values: instances, commands, jobs, invocations, records, their
 * statuses, error codes and frequencies. Imports nothing of fleetrun; every other package may
 * import it.
 */
package io.fleetrun.model;
