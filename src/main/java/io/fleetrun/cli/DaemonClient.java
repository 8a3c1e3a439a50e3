package io.fleetrun.cli;

import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.DurationText;
import io.fleetrun.model.InvokeId;
import io.fleetrun.store.ControlChannel;
import io.fleetrun.store.Database;
import io.fleetrun.store.Heartbeat;
import io.fleetrun.store.JooqControlChannel;
import io.fleetrun.store.RequestAnswer;
import io.fleetrun.store.RequestState;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Sends a request to the daemon through the database and waits (bounded) for its answer. */
final class DaemonClient {
  private static final Duration POLL = Duration.ofMillis(100);

  private final ControlChannel control;
  private final String database;
  private final Duration answerWait;

  /** @param answerWait how long to wait for the daemon's answer */
  DaemonClient(Database db, Duration answerWait) {
    this.control = new JooqControlChannel(db);
    this.database = db.jdbcUrl();
    this.answerWait = answerWait;
  }

  /**
   * Has the live daemon carry out {@code request}; returns the invoke id of its answer.
   *
   * @throws CliFailure when no daemon is alive (NO_DAEMON), it does not answer in time (TIMEOUT)
   *     or it refuses (REFUSED, with its reason)
   */
  InvokeId request(ControlRequest request) throws InterruptedException {
    Optional<String> noDaemon = whyNoDaemon();
    if (noDaemon.isPresent()) {
      throw new CliFailure(noDaemon.get(), ExitCodes.NO_DAEMON);
    }
    RequestAnswer answer = send(request).orElseThrow(() -> new CliFailure(
        "the daemon did not answer within " + DurationText.format(answerWait), ExitCodes.TIMEOUT));
    if (answer instanceof RequestAnswer.Refused refused) {
      throw new CliFailure("refused: " + refused.error(), ExitCodes.REFUSED);
    }
    return ((RequestAnswer.Done) answer).invokeId();
  }

  /** Why no daemon can take requests now, or empty when one is alive. */
  private Optional<String> whyNoDaemon() {
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

  private Optional<RequestAnswer> send(ControlRequest request) throws InterruptedException {
    long id = control.submit(request, Instant.now());
    Instant deadline = Instant.now().plus(answerWait);
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
