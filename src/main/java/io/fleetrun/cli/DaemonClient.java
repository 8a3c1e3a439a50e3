package io.fleetrun.cli;

import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.DatabaseSettings;
import io.fleetrun.model.DurationText;
import io.fleetrun.model.InvokeId;
import io.fleetrun.store.CliRequests;
import io.fleetrun.store.Heartbeat;
import io.fleetrun.store.RequestAnswer;
import io.fleetrun.store.RequestChannel;
import io.fleetrun.store.RequestWait;
import io.fleetrun.store.Withdrawal;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Sends a request to the daemon through the database and waits (bounded) for its answer. A
 * request it stops waiting for (the answer timeout passed, or Ctrl-C) is withdrawn unless the
 * daemon already took it, so it never takes effect behind the operator's back; the message says
 * which of the two happened. A request the daemon took is waited for a while longer and a late
 * answer is used as a timely one: a taken request is never reported as a failure.
 */
final class DaemonClient {
  private final RequestChannel control;
  private final RequestWait waiting;
  private final String database;
  private final Duration answerWait;
  private final PrintWriter notes;

  /**
   * @param answerWait how long to wait for the daemon's answer
   * @param notes where a late answer is mentioned (stderr: stdout carries the invoke id)
   */
  DaemonClient(CliRequests db, Duration answerWait, PrintWriter notes) {
    this.control = db;
    this.waiting = new RequestWait(db, Clock.systemUTC());
    this.database = DatabaseSettings.redacted(db.jdbcUrl());
    this.answerWait = answerWait;
    this.notes = notes;
  }

  /**
   * Has the live daemon carry out {@code request}; returns the invoke id of its answer.
   *
   * @throws CliFailure when no daemon is alive (NO_DAEMON), it does not answer in time (WITHDRAWN
   *     when it had not taken the request, TIMEOUT when it took it and had not answered after
   *     {@link #lateGrace()} more) or it
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
        + beat.map(b -> " (last heartbeat " + b.age(now).toSeconds() + "s ago, pid " + b.daemon().pid() + ")")
            .orElse(" (it has never run on this database)")
        + "; start one with: bin/fleetrun daemon");
  }

  private RequestAnswer send(ControlRequest request) throws InterruptedException {
    WithdrawOnExit onExit = WithdrawOnExit.install(control);
    try {
      long id = control.submit(request, Instant.now());
      onExit.arm(id);
      return await(id, Kind.of(request));
    } finally {
      onExit.remove();
    }
  }

  private RequestAnswer await(long id, Kind kind) throws InterruptedException {
    try {
      RequestWait.Outcome outcome = waiting.awaitOrWithdraw(id, answerWait);
      if (outcome instanceof RequestWait.Outcome.Answered answered) {
        return answered.answer();
      }
      return giveUp(outcome, id, kind);
    } catch (InterruptedException e) {
      giveUpQuietly(id, System.err);
      throw e;
    }
  }

  /**
   * The answer wait passed and the request was withdrawn if the daemon had not taken it. A
   * request it took cannot be withdrawn and is not a failure (the daemon is at work: a big
   * fan-out, a busy database), so the CLI waits {@link #lateGrace()} more for its answer and uses
   * a late answer as a timely one, saying it came late.
   */
  private RequestAnswer giveUp(RequestWait.Outcome outcome, long id, Kind kind) throws InterruptedException {
    String why = "the daemon did not answer within " + DurationText.format(answerWait);
    if (outcome instanceof RequestWait.Outcome.WithdrawalFailed failed) {
      throw new CliFailure(why + "; could not withdraw request " + id + " (" + failed.error().getMessage()
          + "), so the daemon may still carry it out; see bin/fleetrun invocations", ExitCodes.TIMEOUT);
    }
    Withdrawal withdrawal = ((RequestWait.Outcome.GaveUp) outcome).withdrawal();
    if (withdrawal instanceof Withdrawal.Answered answered) {
      notes.println("note: " + why + " but answered just after");
      return answered.answer();
    }
    if (withdrawal instanceof Withdrawal.Taken taken) {
      Optional<RequestAnswer> late = waiting.poll(id, lateGrace());
      if (late.isPresent()) {
        notes.println("note: the daemon took the request at " + taken.takenAt()
            + " and answered late, after " + DurationText.format(answerWait) + " and more");
        return late.get();
      }
      throw new CliFailure(why + " (nor in " + DurationText.format(lateGrace()) + " more): "
          + taken(taken, kind, id), ExitCodes.TIMEOUT);
    }
    throw new CliFailure(why + ": " + WITHDRAWN, ExitCodes.WITHDRAWN);
  }

  /** How long to wait more for the answer to a request the daemon took: the answer wait again. */
  Duration lateGrace() {
    return answerWait;
  }

  /** For an interrupted wait: withdraws and says what became of the request on {@code err}. */
  static void giveUpQuietly(RequestChannel control, long id, PrintStream err) {
    try {
      Withdrawal withdrawal = control.withdraw(id, Instant.now());
      if (withdrawal instanceof Withdrawal.Withdrawn) {
        err.println("interrupted: " + WITHDRAWN);
      } else if (withdrawal instanceof Withdrawal.Taken taken) {
        err.println("interrupted: " + taken(taken, Kind.UNKNOWN, id));
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

  /**
   * What a taken, unanswered request means, in words that do not call it a failure: it is the
   * daemon's now and will be carried out.
   */
  static String taken(Withdrawal.Taken taken, Kind kind, long id) {
    return switch (kind) {
      case RUN -> "the daemon took the request (" + id + ") at " + taken.takenAt()
          + " and is still starting it; it was not withdrawn and will run. Its invoke id will show in"
          + " bin/fleetrun invocations (newest first) and in control_request.invoke_id of request " + id
          + "; do not send it again";
      case STOP -> "the daemon took the stop request (" + id + ") at " + taken.takenAt()
          + " and is still carrying it out; it was not withdrawn. See bin/fleetrun invocations";
      case UNKNOWN -> "the daemon took the request (" + id + ") at " + taken.takenAt()
          + " and is still working on it; see bin/fleetrun invocations";
    };
  }

  /** What the request asks, for the wording of a late answer. */
  enum Kind {
    RUN,
    STOP,
    UNKNOWN;

    static Kind of(ControlRequest request) {
      if (request instanceof ControlRequest.Run) {
        return RUN;
      }
      return request instanceof ControlRequest.Stop ? STOP : UNKNOWN;
    }
  }
}
