/**
 * Orchestration: creates invocations (for job fires and ad-hoc runs), fans out one record per
 * instance to the {@code exec} layer, writes every start and end through the {@code store} (which
 * recomputes statuses in the same transaction), and stops runs. A fan-out that fails midway
 * ends what it did not hand to {@code exec} Failed at once ({@code FanOut}, {@code
 * UnstartedRepair}) instead of leaving it to the next start's repair. May import {@code model},
 * {@code status}, {@code exec} and {@code store}.
 */
package io.fleetrun.invoke;
