package io.fleetrun.model;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** How a record ended, ready to be written. */
public record RecordEnd(
    RecordStatus status,
    DetailStatus detail,
    Optional<Integer> exitCode,
    Optional<ErrorCode> errorCode,
    Optional<String> errorInfo,
    Output output,
    Instant endTime) {
  public RecordEnd {
    Objects.requireNonNull(status, "status");
    if (status == RecordStatus.Running) {
      throw new IllegalArgumentException("a record cannot end Running");
    }
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(endTime, "endTime");
  }
}
