package io.fleetrun.status;

import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.model.StatusRules;
import java.util.List;
import java.util.Optional;

/**
 * The status rules of the seed document, exactly.
 *
 * <p>One-time: an instance has the status of its one record (Running while queued). Overall: any
 * Running gives Running; all Failed gives Failed; some Failed gives PartialFailed; all Stopped
 * gives Stopped; otherwise (all Finished, or Finished mixed with Stopped) Finished.
 *
 * <p>Periodic: an instance stays Running until it is stopped; the invocation stays Running until
 * every instance is stopped.
 */
public final class StatusCalculator implements StatusRules {

  @Override
  public RecordStatus instanceStatus(
      RepeatMode mode, Optional<RecordStatus> latestRecord, boolean stopped) {
    if (mode == RepeatMode.Period) {
      return stopped ? RecordStatus.Stopped : RecordStatus.Running;
    }
    return latestRecord.orElse(RecordStatus.Running);
  }

  @Override
  public InvocationStatus overall(RepeatMode mode, List<RecordStatus> instanceStatuses) {
    if (instanceStatuses.isEmpty()) {
      throw new IllegalArgumentException("an invocation has at least one instance");
    }
    if (mode == RepeatMode.Period) {
      return instanceStatuses.stream().allMatch(s -> s == RecordStatus.Stopped)
          ? InvocationStatus.Stopped
          : InvocationStatus.Running;
    }
    if (instanceStatuses.contains(RecordStatus.Running)) {
      return InvocationStatus.Running;
    }
    long failed = instanceStatuses.stream().filter(s -> s == RecordStatus.Failed).count();
    if (failed == instanceStatuses.size()) {
      return InvocationStatus.Failed;
    }
    if (failed > 0) {
      return InvocationStatus.PartialFailed;
    }
    if (instanceStatuses.stream().allMatch(s -> s == RecordStatus.Stopped)) {
      return InvocationStatus.Stopped;
    }
    return InvocationStatus.Finished;
  }
}
