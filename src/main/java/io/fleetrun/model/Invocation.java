package io.fleetrun.model;

import java.time.Instant;
import java.util.Optional;

/**
 * One activation of a job, or one ad-hoc run.
 *
 * @param job empty for an ad-hoc run from {@code fleetrun run}
 */
public record Invocation(
    InvokeId id,
    Optional<JobId> job,
    CommandId command,
    RepeatMode repeat,
    Optional<Frequency> frequency,
    InvocationStatus status,
    Instant createdAt,
    Optional<Instant> finishedAt,
    Optional<Instant> stoppedAt) {}
