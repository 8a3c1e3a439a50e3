/**
 * Orchestration: creates invocations (for job fires and ad-hoc runs), fans out one record per
 * instance to the {@code exec} layer, writes every start and end through the {@code store} (which
 * recomputes statuses in the same transaction), and stops runs. May import {@code model},
 * {@code status}, {@code exec} and {@code store}.
 */
package io.fleetrun.invoke;
