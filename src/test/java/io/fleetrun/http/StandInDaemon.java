package io.fleetrun.http;

import io.fleetrun.store.ControlChannel;
import io.fleetrun.store.PendingRequest;
import io.fleetrun.store.RequestAnswer;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The daemon's side of the control channel for tests of the HTTP layer alone: claims requests
 * every 20 ms as a daemon node does (the real {@link ControlChannel#claimPending}) and answers
 * each as {@code answers} says (empty: takes it and never answers). The whole daemon's answers
 * are tested in DaemonWriteApiTest.
 */
final class StandInDaemon implements AutoCloseable {
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
  private final List<PendingRequest> taken = new CopyOnWriteArrayList<>();

  StandInDaemon(ControlChannel control, Function<PendingRequest, Optional<RequestAnswer>> answers) {
    thread.scheduleWithFixedDelay(() -> {
      for (PendingRequest p : control.claimPending(Instant.now())) {
        taken.add(p);
        answers.apply(p).ifPresent(a -> control.complete(p.id(), a, Instant.now()));
      }
    }, 0, 20, TimeUnit.MILLISECONDS);
  }

  /** Every request taken so far, in order. */
  List<PendingRequest> taken() {
    return List.copyOf(taken);
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
