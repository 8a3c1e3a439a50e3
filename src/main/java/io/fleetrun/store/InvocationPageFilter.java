package io.fleetrun.store;

import io.fleetrun.model.CommandId;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.JobId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Which invocations a page holds, newest first ({@code created_at}, then invoke id, both
 * descending), at most {@code limit}.
 *
 * @param instance invocations that target this instance
 * @param since created at or after
 * @param until created before
 * @param after the position of the last invocation of the previous page: this page starts below
 *     it, so invocations created meanwhile (newer, above it) neither shift nor repeat rows
 */
public record InvocationPageFilter(
    Optional<InvocationStatus> status,
    Optional<JobId> job,
    Optional<CommandId> command,
    Optional<InstanceId> instance,
    Optional<Instant> since,
    Optional<Instant> until,
    Optional<Position> after,
    int limit) {

  /** Where an invocation sits in the newest-first order. */
  public record Position(Instant createdAt, InvokeId invokeId) {
    public Position {
      Objects.requireNonNull(createdAt, "createdAt");
      Objects.requireNonNull(invokeId, "invokeId");
    }
  }

  public InvocationPageFilter {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1");
    }
  }

  /** Every invocation, newest first, {@code limit} of them. */
  public static InvocationPageFilter newest(int limit) {
    return new InvocationPageFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), limit);
  }
}
