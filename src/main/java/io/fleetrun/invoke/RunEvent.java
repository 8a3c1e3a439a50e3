package io.fleetrun.invoke;

import io.fleetrun.model.DetailStatus;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.JobId;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.RecordStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Something the engine committed to the database about a record or an invocation, as {@link
 * RunEvents} subscribers see it. Every event describes a committed change: an end the database
 * refused (a late end after a stop, say) is no event. {@code job} is empty for an ad-hoc run.
 */
public sealed interface RunEvent {
  InvokeId invokeId();

  /**
   * The record's exec request went to its target ({@code start_time} committed).
   *
   * @param scheduleToStart from the record's {@code scheduled_at} (the fire's due time, or when an
   *     ad-hoc run was taken) to {@code startTime}; zero when the clock says it started early
   */
  record RecordStarted(RecordId record, InvokeId invokeId, Optional<JobId> job, InstanceId instance,
      Instant startTime, Duration scheduleToStart) implements RunEvent {
    public RecordStarted {
      Objects.requireNonNull(record, "record");
      Objects.requireNonNull(invokeId, "invokeId");
      Objects.requireNonNull(job, "job");
      Objects.requireNonNull(instance, "instance");
      Objects.requireNonNull(startTime, "startTime");
      Objects.requireNonNull(scheduleToStart, "scheduleToStart");
    }
  }

  /**
   * The record's end committed.
   *
   * @param duration from the moment this daemon handed the record to SSH (connect and login
   *     included) to its end; empty for a record ended without being handed to SSH (stopped or
   *     cancelled while it waited, a previous daemon's record)
   * @param scheduleToStart as in {@link RecordStarted}; empty when the record never started
   */
  record RecordEnded(RecordId record, InvokeId invokeId, Optional<JobId> job, InstanceId instance,
      RecordStatus status, DetailStatus detail, Optional<ErrorCode> errorCode, Optional<Integer> exitCode,
      Instant endTime, Optional<Duration> duration, Optional<Duration> scheduleToStart) implements RunEvent {
    public RecordEnded {
      Objects.requireNonNull(record, "record");
      Objects.requireNonNull(invokeId, "invokeId");
      Objects.requireNonNull(job, "job");
      Objects.requireNonNull(instance, "instance");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(detail, "detail");
      Objects.requireNonNull(errorCode, "errorCode");
      Objects.requireNonNull(exitCode, "exitCode");
      Objects.requireNonNull(endTime, "endTime");
      Objects.requireNonNull(duration, "duration");
      Objects.requireNonNull(scheduleToStart, "scheduleToStart");
    }
  }

  /** The invocation's overall status became {@code status} (committed with a record end or a stop). */
  record InvocationStatusChanged(InvokeId invokeId, InvocationStatus status) implements RunEvent {
    public InvocationStatusChanged {
      Objects.requireNonNull(invokeId, "invokeId");
      Objects.requireNonNull(status, "status");
    }
  }
}
