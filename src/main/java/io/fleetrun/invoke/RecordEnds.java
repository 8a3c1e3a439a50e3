package io.fleetrun.invoke;

import io.fleetrun.model.DetailStatus;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.ExecutionOutcome;
import io.fleetrun.model.Output;
import io.fleetrun.model.RecordEnd;
import io.fleetrun.model.RecordStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Turns how a run ended into the statuses and error code written to its record. Pure. */
final class RecordEnds {
  private RecordEnds() {}

  static RecordEnd of(
      ExecutionOutcome outcome, Optional<StopReason> stopReason, Duration timeout, Instant now) {
    Output out = outcome.output();
    if (outcome instanceof ExecutionOutcome.Exited exited) {
      int code = exited.exitCode();
      return code == 0
          ? end(RecordStatus.Finished, DetailStatus.Success, Optional.of(0), null, null, out, now)
          : end(
              RecordStatus.Finished,
              DetailStatus.Failed,
              Optional.of(code),
              ErrorCode.ExitCodeNonzero,
              "the process exited with code " + code,
              out,
              now);
    }
    if (outcome instanceof ExecutionOutcome.Signaled signaled) {
      return end(
          RecordStatus.Finished,
          DetailStatus.Terminated,
          Optional.empty(),
          ErrorCode.ExitSignal,
          "the process was killed by signal " + signaled.signal(),
          out,
          now);
    }
    if (outcome instanceof ExecutionOutcome.TimedOut) {
      return end(
          RecordStatus.Failed,
          DetailStatus.Timeout,
          Optional.empty(),
          ErrorCode.ExecutionTimeout,
          "timed out after " + io.fleetrun.model.DurationText.format(timeout)
              + "; the process group was ended",
          out,
          now);
    }
    if (outcome instanceof ExecutionOutcome.Stopped) {
      return stopReason.orElse(StopReason.USER) == StopReason.SHUTDOWN
          ? interrupted(out, now)
          : end(RecordStatus.Stopped, DetailStatus.Cancelled, Optional.empty(), null, null, out, now);
    }
    ExecutionOutcome.CouldNotRun failed = (ExecutionOutcome.CouldNotRun) outcome;
    return end(
        RecordStatus.Failed,
        DetailStatus.Error,
        Optional.empty(),
        failed.code(),
        failed.info(),
        out,
        now);
  }

  /** A record the daemon ended because it was shutting down. */
  static RecordEnd interrupted(Output out, Instant now) {
    return end(
        RecordStatus.Failed,
        DetailStatus.Terminated,
        Optional.empty(),
        ErrorCode.ExecutionInterrupted,
        "the daemon stopped while the record was running",
        out,
        now);
  }

  /** A record that could not start, for a reason found before any connection. */
  static RecordEnd couldNotStart(ErrorCode code, String info, Instant now) {
    return end(
        RecordStatus.Failed, DetailStatus.Error, Optional.empty(), code, info, Output.EMPTY, now);
  }

  private static RecordEnd end(
      RecordStatus status,
      DetailStatus detail,
      Optional<Integer> exitCode,
      ErrorCode code,
      String info,
      Output out,
      Instant now) {
    return new RecordEnd(
        status, detail, exitCode, Optional.ofNullable(code), Optional.ofNullable(info), out, now);
  }

  /** An error for maxErrors: Failed, or Finished but not in success; a stop is none. */
  static boolean isError(RecordEnd end) {
    return end.status() == RecordStatus.Failed
        || (end.status() == RecordStatus.Finished && end.detail() != DetailStatus.Success);
  }

  /** A record not started because more records failed than maxErrors allows. */
  static RecordEnd cancelled(String info, Instant now) {
    return new RecordEnd(RecordStatus.Failed, DetailStatus.Cancelled, Optional.empty(),
        Optional.of(ErrorCode.MaxErrorsExceeded), Optional.of(info), Output.EMPTY, now);
  }

  /** The end of a record stopped before it ran: Stopped, or interrupted at shutdown. */
  static RecordEnd withoutExecution(StopReason reason, Instant now) {
    return reason == StopReason.SHUTDOWN
        ? interrupted(Output.EMPTY, now)
        : of(new ExecutionOutcome.Stopped(Output.EMPTY), Optional.of(reason), Duration.ZERO, now);
  }
}
