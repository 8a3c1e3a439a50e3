package io.fleetrun.store;

import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import java.time.Duration;

/**
 * Hears what a {@link RecordJournal} committed. Called on the journal's writer thread right after
 * a commit, so an implementation must return at once (hand the news on through a non-blocking
 * queue, bump a counter); one that throws is logged and ignored.
 */
public interface JournalObserver {
  /** {@code events} record changes committed in one transaction that took {@code took}, begin to commit. */
  default void batchCommitted(int events, Duration took) {}

  /** A committed batch of record ends changed the overall status of {@code invokeId} to {@code status}. */
  default void invocationStatusChanged(InvokeId invokeId, InvocationStatus status) {}
}
