package io.fleetrun.model;

import java.time.Instant;
import java.util.Optional;

/** One execution of the script on one instance, as stored. */
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
    Instant startTime,
    Optional<Instant> finishTime,
    Optional<Instant> stopTime) {}
