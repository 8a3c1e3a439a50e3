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
import io.fleetrun.store.Withdrawal;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Sends a request to the daemon through the database and waits (bounded) for its answer. A
 * request it stops waiting for (the answer timeout passed, or Ctrl-C) is withdrawn unless the
 * daemon already took it, so it never takes effect behind the operator's back; the message says
 * which of the two happened.
 */
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
   * @throws CliFailure when no daemon is alive (NO_DAEMON), it does not answer in time (WITHDRAWN
   *     when it had not taken the request, TIMEOUT when it took it and is still at it) or it
   *     refuses (REFUSED, with its reason)
   */
  InvokeId request(ControlRequest request) throws InterruptedException {
    Optional<String> noDaemon = whyNoDaemon();
    if (noDaemon.isPresent()) {
      throw new CliFailure(noDaemon.get(), ExitCodes.NO_DAEMON);
    }
    RequestAnswer answer = send(request);
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

  private RequestAnswer send(ControlRequest request) throws InterruptedException {
    WithdrawOnExit onExit = WithdrawOnExit.install(control);
    try {
      long id = control.submit(request, Instant.now());
      onExit.arm(id);
      return await(id);
    } finally {
      onExit.remove();
    }
  }

  private RequestAnswer await(long id) throws InterruptedException {
    try {
      Instant deadline = Instant.now().plus(answerWait);
      while (Instant.now().isBefore(deadline)) {
        Optional<RequestAnswer> answer = control.findRequest(id).flatMap(RequestState::answer);
        if (answer.isPresent()) {
          return answer.get();
        }
        Thread.sleep(POLL.toMillis());
      }
      return giveUp(id, "the daemon did not answer within " + DurationText.format(answerWait));
    } catch (InterruptedException e) {
      giveUpQuietly(id, System.err);
      throw e;
    }
  }

  /** Withdraws the request; a late answer is still used, a taken request is reported. */
  private RequestAnswer giveUp(long id, String why) {
    Withdrawal withdrawal;
    try {
      withdrawal = control.withdraw(id, Instant.now());
    } catch (RuntimeException e) {
      throw new CliFailure(why + "; could not withdraw request " + id + " (" + e.getMessage()
          + "), so the daemon may still carry it out; see bin/fleetrun invocations", ExitCodes.TIMEOUT);
    }
    if (withdrawal instanceof Withdrawal.Answered answered) {
      return answered.answer();
    }
    if (withdrawal instanceof Withdrawal.Taken taken) {
      throw new CliFailure(why + ": " + taken(taken), ExitCodes.TIMEOUT);
    }
    throw new CliFailure(why + ": " + WITHDRAWN, ExitCodes.WITHDRAWN);
  }

  /** For an interrupted wait: withdraws and says what became of the request on {@code err}. */
  static void giveUpQuietly(ControlChannel control, long id, PrintStream err) {
    try {
      Withdrawal withdrawal = control.withdraw(id, Instant.now());
      if (withdrawal instanceof Withdrawal.Withdrawn) {
        err.println("interrupted: " + WITHDRAWN);
      } else if (withdrawal instanceof Withdrawal.Taken taken) {
        err.println("interrupted: " + taken(taken));
      } else {
        err.println("interrupted: the daemon had already answered the request; see bin/fleetrun invocations");
      }
    } catch (RuntimeException e) {
      err.println("interrupted: could not withdraw request " + id + " (" + e.getMessage()
          + "); the daemon may still carry it out; see bin/fleetrun invocations");
    }
  }

  private void giveUpQuietly(long id, PrintStream err) {
    giveUpQuietly(control, id, err);
  }

  static final String WITHDRAWN = "the daemon had not taken the request; it was withdrawn and will not run";

  private static String taken(Withdrawal.Taken taken) {
    return "the daemon took the request at " + taken.takenAt()
        + " and is still working on it; see bin/fleetrun invocations";
  }
}
