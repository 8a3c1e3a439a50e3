package io.fleetrun.exec;

import io.fleetrun.model.ExecutionOutcome;
import java.util.concurrent.CompletableFuture;

/** A run in progress. */
public interface Execution {

  /**
   * Completes with the id of the remote process group once the script runs on the target; is
   * cancelled if the run ends before the script started (could not connect, stopped while queued).
   */
  CompletableFuture<Long> started();

  /** Completes, never exceptionally, when the run has ended. */
  CompletableFuture<ExecutionOutcome> outcome();

  /**
   * Ends the run: signals the whole remote process group (TERM, then KILL after a short grace),
   * then closes the channel; the outcome becomes {@link ExecutionOutcome.Stopped} unless the run
   * had already ended. Returns at once; idempotent.
   */
  void stop();
}
