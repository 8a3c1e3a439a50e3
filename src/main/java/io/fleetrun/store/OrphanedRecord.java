package io.fleetrun.store;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordId;
import java.util.OptionalLong;

/**
 * A record that a previous daemon left Running, with what is needed to find its remote process.
 *
 * @param processGroup the run's process group id, when it was recorded
 * @param leaderStart the start time of that group's leader, when it was recorded
 * @param handedToSsh whether the daemon handed it to SSH (dispatched_at or start_time set): its
 *     script may run. One never handed over has no process anywhere, so nothing is looked for on
 *     its target
 */
public record OrphanedRecord(RecordId id, InvokeId invokeId, InstanceId instance,
    OptionalLong processGroup, OptionalLong leaderStart, boolean handedToSsh) {

  /** An orphan that was handed to SSH. */
  public OrphanedRecord(RecordId id, InvokeId invokeId, InstanceId instance,
      OptionalLong processGroup, OptionalLong leaderStart) {
    this(id, invokeId, instance, processGroup, leaderStart, true);
  }

  /** An orphan without a recorded start time. */
  public OrphanedRecord(
      RecordId id, InvokeId invokeId, InstanceId instance, OptionalLong processGroup) {
    this(id, invokeId, instance, processGroup, OptionalLong.empty());
  }
}
