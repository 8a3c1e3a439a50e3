package io.fleetrun.model;

import java.util.List;
import java.util.Optional;

/**
 * The seed's status rules, as the store needs them to recompute statuses in the same transaction
 * as a record change. Implemented by {@code io.fleetrun.status.StatusCalculator}.
 */
public interface StatusRules {

  /**
   * The status of one invocation instance.
   *
   * @param latestRecord status of the instance's newest record; empty while none exists yet
   * @param stopped whether a person stopped this instance
   */
  RecordStatus instanceStatus(RepeatMode mode, Optional<RecordStatus> latestRecord, boolean stopped);

  /** The overall status of an invocation from the statuses of all its instances. */
  InvocationStatus overall(RepeatMode mode, List<RecordStatus> instanceStatuses);
}
