package io.fleetrun.observe;

import java.time.Duration;
import java.util.Objects;

/**
 * How webhooks are delivered. Defaults live in {@link #defaults()}; tests shorten the waits.
 *
 * @param timeout the connect timeout, and the request timeout up to the response's headers
 * @param firstRetry the wait before the second attempt; each next wait doubles, with jitter
 * @param maxRetryDelay the longest wait between two attempts
 * @param giveUpAfter a delivery not delivered this long after its first attempt is given up
 * @param queueCapacity deliveries each hook queues; more are dropped and counted
 */
public record WebhookSettings(
    Duration timeout, Duration firstRetry, Duration maxRetryDelay, Duration giveUpAfter, int queueCapacity) {
  public WebhookSettings {
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(firstRetry, "firstRetry");
    Objects.requireNonNull(maxRetryDelay, "maxRetryDelay");
    Objects.requireNonNull(giveUpAfter, "giveUpAfter");
    if (timeout.isNegative() || timeout.isZero() || firstRetry.isNegative() || firstRetry.isZero()
        || maxRetryDelay.compareTo(firstRetry) < 0 || giveUpAfter.isNegative()) {
      throw new IllegalArgumentException("webhook timeouts and waits must be positive, maxRetryDelay >= firstRetry");
    }
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("queueCapacity must be at least 1");
    }
  }

  /** 5 s timeouts; retries after 1 s, 2 s, 4 s ... up to 5 min apart; given up after 1 h; 1,000 queued per hook. */
  public static WebhookSettings defaults() {
    return new WebhookSettings(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofMinutes(5),
        Duration.ofHours(1), 1_000);
  }

  /**
   * The wait after failed attempt number {@code attempt} (1 for the first): {@code firstRetry}
   * doubled per attempt, at most {@code maxRetryDelay}, times {@code jitter}. Pure.
   *
   * @param jitter a factor in [0.5, 1]: receivers that come back are not hit by every sender at once
   */
  public Duration retryDelay(int attempt, double jitter) {
    if (attempt < 1 || jitter < 0.5 || jitter > 1) {
      throw new IllegalArgumentException("attempt >= 1 and jitter in [0.5, 1]");
    }
    int doublings = Math.min(attempt - 1, 30);
    long nanos = firstRetry.toNanos() << doublings;
    if (nanos <= 0 || nanos > maxRetryDelay.toNanos()) {
      nanos = maxRetryDelay.toNanos();
    }
    return Duration.ofNanos((long) (nanos * jitter));
  }
}
