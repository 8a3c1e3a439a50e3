package io.fleetrun.model;

import java.time.Instant;
import java.util.Optional;

/**
 * One execution of the script on one instance, as stored.
 *
 * @param scheduledAt when its fire was due (the trigger's scheduled fire time; for an ad-hoc run
 *     the time the daemon took the request)
 * @param startTime when the exec request went to the target; empty while the record waits for
 *     its turn, and for a record that ended before it was sent
 */
public record InvocationRecord(
    RecordId id,
    InvokeId invokeId,
    InstanceId instance,
    int repeatNo,
    RecordStatus status,
    DetailStatus detail,
    Optional<Integer> exitCode,
    Optional<ErrorCode> errorCode,
    Optional<String> errorInfo,
    Output output,
    Instant scheduledAt,
    Optional<Instant> startTime,
    Optional<Instant> finishTime,
    Optional<Instant> stopTime) {}
