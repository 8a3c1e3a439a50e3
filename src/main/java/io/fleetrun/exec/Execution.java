package io.fleetrun.exec;

import io.fleetrun.model.ExecutionOutcome;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/** A run in progress. */
public interface Execution {

  /**
   * Completes with the time the exec request went to the target (from then on the script may run:
   * the record's {@code start_time}); is cancelled if the run ends before (could not connect,
   * stopped while queued or connecting).
   */
  CompletableFuture<Instant> requested();

  /**
   * Completes with the remote process group (its id and its leader's start time) once the script
   * runs on the target; is cancelled if the run ends before the script started (could not
   * connect, stopped while queued).
   */
  CompletableFuture<RemoteGroup> started();

  /** Completes, never exceptionally, when the run has ended. */
  CompletableFuture<ExecutionOutcome> outcome();

  /**
   * Ends the run: signals the whole remote process group (TERM, then KILL after a short grace),
   * then closes the channel; the outcome becomes {@link ExecutionOutcome.Stopped} unless the run
   * had already ended. Returns at once; idempotent.
   */
  void stop();
}
