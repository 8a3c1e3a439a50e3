package io.fleetrun.store;

import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.JobId;
import java.time.Instant;
import java.util.Optional;

/** Which invocations {@code fleetrun invocations} lists, newest first, at most {@code limit}. */
public record InvocationFilter(
    Optional<InvocationStatus> status, Optional<JobId> job, Optional<Instant> since, int limit) {
  public InvocationFilter {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1");
    }
  }
}
