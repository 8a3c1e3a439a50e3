package io.fleetrun.model;

import java.util.Objects;

/** How one run of a script on one instance ended. Never an exception: every end is a value. */
public sealed interface ExecutionOutcome {

  Output output();

  /** The process ended by itself with {@code exitCode} (any value: finishing is not succeeding). */
  record Exited(int exitCode, Output output) implements ExecutionOutcome {}

  /** The process was ended by {@code signal} (like {@code KILL}), not sent by fleetrun. */
  record Signaled(String signal, Output output) implements ExecutionOutcome {}

  /** The timeout passed; the remote process group was ended. */
  record TimedOut(Output output) implements ExecutionOutcome {}

  /** {@code Execution.stop()} ended it (or it never started); the remote process group was ended. */
  record Stopped(Output output) implements ExecutionOutcome {}

  /** The script could not run, or the connection broke while it ran. */
  record CouldNotRun(ErrorCode code, String info, Output output) implements ExecutionOutcome {
    public CouldNotRun {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(info, "info");
    }
  }
}
