package io.fleetrun.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Waits, bounded, for the daemon's answer to a request queued on a {@link RequestChannel}, and
 * withdraws the request once the wait has passed unless a daemon took it, so a request its
 * sender gave up on never takes effect behind the sender's back. The one way both senders wait:
 * the CLI ({@code run}, {@code stop}) and the HTTP API.
 */
public final class RequestWait {
  /**
   * How often the answer is looked for: one indexed read of one row, so a short poll costs
   * nearly nothing and the answer is seen within 25 ms of the daemon's commit (the daemon looks
   * for requests every 50 ms).
   */
  public static final Duration POLL = Duration.ofMillis(25);

  private final RequestChannel channel;
  private final Clock clock;

  public RequestWait(RequestChannel channel, Clock clock) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** What came of {@link #awaitOrWithdraw}. */
  public sealed interface Outcome {
    /** Answered within the wait. */
    record Answered(RequestAnswer answer) implements Outcome {}

    /** Not answered within the wait; what the withdrawal found (withdrawn, taken, answered just after). */
    record GaveUp(Withdrawal withdrawal) implements Outcome {}

    /** Not answered within the wait, and the withdrawal failed: the daemon may still carry it out. */
    record WithdrawalFailed(RuntimeException error) implements Outcome {}
  }

  /**
   * Polls request {@code id} until it is answered or {@code wait} passes (by the clock, and at
   * most one read per {@link #POLL} of it).
   */
  public Optional<RequestAnswer> poll(long id, Duration wait) throws InterruptedException {
    Instant deadline = clock.instant().plus(wait);
    long reads = wait.toMillis() / POLL.toMillis() + 1;
    for (long i = 0; i < reads && clock.instant().isBefore(deadline); i++) {
      Optional<RequestAnswer> answer = channel.findRequest(id).flatMap(RequestState::answer);
      if (answer.isPresent()) {
        return answer;
      }
      Thread.sleep(POLL.toMillis());
    }
    return Optional.empty();
  }

  /**
   * Waits up to {@code wait} for the answer to request {@code id}; when none came, withdraws the
   * request unless a daemon took it.
   */
  public Outcome awaitOrWithdraw(long id, Duration wait) throws InterruptedException {
    Optional<RequestAnswer> answer = poll(id, wait);
    if (answer.isPresent()) {
      return new Outcome.Answered(answer.get());
    }
    try {
      return new Outcome.GaveUp(channel.withdraw(id, clock.instant()));
    } catch (RuntimeException e) {
      return new Outcome.WithdrawalFailed(e);
    }
  }
}
