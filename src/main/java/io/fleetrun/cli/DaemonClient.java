package io.fleetrun.cli;

import io.fleetrun.model.ControlRequest;
import io.fleetrun.store.ControlChannel;
import io.fleetrun.store.Heartbeat;
import io.fleetrun.store.RequestAnswer;
import io.fleetrun.store.RequestState;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Sends a request to the daemon through the database and waits (bounded) for its answer. */
final class DaemonClient {
  private static final Duration ANSWER_WAIT = Duration.ofSeconds(15);
  private static final Duration POLL = Duration.ofMillis(100);

  private final ControlChannel control;

  DaemonClient(ControlChannel control) {
    this.control = control;
  }

  /** Why no daemon can take requests now, or empty when one is alive. */
  Optional<String> whyNoDaemon(String database) {
    Instant now = Instant.now();
    Optional<Heartbeat> beat = control.latestHeartbeat();
    if (beat.isPresent() && beat.get().isAlive(now)) {
      return Optional.empty();
    }
    return Optional.of("no fleetrun daemon is running on " + database
        + beat.map(b -> " (last heartbeat " + Duration.between(b.beatAt(), now).toSeconds() + "s ago, pid " + b.daemon().pid() + ")")
            .orElse(" (it has never run on this database)")
        + "; start one with: bin/fleetrun daemon");
  }

  /** The daemon's answer, or empty when it did not answer in time. */
  Optional<RequestAnswer> send(ControlRequest request) throws InterruptedException {
    long id = control.submit(request, Instant.now());
    Instant deadline = Instant.now().plus(ANSWER_WAIT);
    while (Instant.now().isBefore(deadline)) {
      Optional<RequestAnswer> answer = control.findRequest(id).flatMap(RequestState::answer);
      if (answer.isPresent()) {
        return answer;
      }
      Thread.sleep(POLL.toMillis());
    }
    return Optional.empty();
  }
}
