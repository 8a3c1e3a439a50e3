package io.fleetrun.invoke;

import io.fleetrun.exec.Execution;
import java.time.Instant;
import java.util.Optional;

/**
 * A record being handed to SSH or running, and why it is being stopped, if it is. A stop that
 * comes before the execution exists is carried out as soon as it is attached.
 */
final class LiveRun {
  final String label;
  final RecordRef ref;
  final Instant began = Instant.now();
  /** When its exec request went out (its start_time), once it did. */
  volatile Instant startedAt;
  private Execution execution;
  private StopReason stopReason;

  LiveRun(String label, RecordRef ref) {
    this.label = label;
    this.ref = ref;
  }

  void attach(Execution execution) {
    boolean stopNow;
    synchronized (this) {
      this.execution = execution;
      stopNow = stopReason != null;
    }
    if (stopNow) {
      execution.stop();
    }
  }

  void stop(StopReason reason) {
    Execution running;
    synchronized (this) {
      if (stopReason == null) {
        stopReason = reason;
      }
      running = execution;
    }
    if (running != null) {
      running.stop();
    }
  }

  synchronized Optional<StopReason> stopReason() {
    return Optional.ofNullable(stopReason);
  }
}
