package io.fleetrun.invoke;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.JobId;
import io.fleetrun.model.RecordId;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** What a {@link RunEvent} says about the record it concerns, known before the record ends. */
record RecordRef(RecordId id, InvokeId invokeId, Optional<JobId> job, InstanceId instance, Instant scheduledAt) {
  RecordRef {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(invokeId, "invokeId");
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(scheduledAt, "scheduledAt");
  }

  /** From scheduled_at to {@code start}, never negative. */
  Duration delayTo(Instant start) {
    Duration d = Duration.between(scheduledAt, start);
    return d.isNegative() ? Duration.ZERO : d;
  }
}
