package io.fleetrun.schedule;

import io.fleetrun.model.JobId;

/** What a fire of a job does (in the daemon: {@code Invoker::fireJob}). Must return quickly. */
@FunctionalInterface
public interface JobFirer {
  void fire(JobId job);
}
