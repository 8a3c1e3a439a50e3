package io.fleetrun.schedule;

import io.fleetrun.model.JobId;
import java.time.Instant;

/** What a fire of a job does (in the daemon: {@code Invoker::fireJob}). Must return quickly. */
@FunctionalInterface
public interface JobFirer {
  /**
   * Fires {@code job}, due at {@code scheduledFireTime} (the trigger's scheduled fire time, kept
   * on each record as scheduled_at).
   */
  void fire(JobId job, Instant scheduledFireTime);
}
