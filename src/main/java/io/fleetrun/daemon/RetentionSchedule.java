package io.fleetrun.daemon;

import io.fleetrun.model.DurationText;
import io.fleetrun.model.Retention;
import io.fleetrun.store.JooqRetention;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes old finished work on a thread of its own: once shortly after the daemon starts, then
 * once a day. What goes is set by {@code retention.records} (nothing, by default); answered CLI
 * requests always go after {@link #REQUESTS_KEPT}. The purge works in short batches (see {@link
 * JooqRetention}), so the daemon's writers and {@code sqlite3} readers wait at most one batch.
 */
final class RetentionSchedule implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RetentionSchedule.class);

  /** Soon enough to see it work after a restart; late enough not to slow the start. */
  static final Duration FIRST_RUN = Duration.ofMinutes(1);

  static final Duration EVERY = Duration.ofDays(1);

  /** Rows per transaction: a few milliseconds of SQLite's write lock. */
  static final int BATCH_SIZE = 500;

  /** Between two batches, for the daemon's own writes. */
  static final Duration PAUSE = Duration.ofMillis(50);

  /** Answered CLI requests are only of use to the CLI that waits for the answer. */
  static final Duration REQUESTS_KEPT = Duration.ofDays(1);

  private final JooqRetention store;
  private final Clock clock;
  private final ScheduledExecutorService thread;
  private volatile Retention retention;

  RetentionSchedule(JooqRetention store, Retention retention, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.retention = Objects.requireNonNull(retention, "retention");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "fleetrun-retention");
      t.setDaemon(true);
      return t;
    });
  }

  /** Runs {@link #runOnce} after {@code firstRun}, then every {@code every}. */
  RetentionSchedule start(Duration firstRun, Duration every) {
    thread.scheduleWithFixedDelay(
        this::runOnce, firstRun.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Takes a new setting (a config reload); it applies from the next run. */
  void update(Retention retention) {
    this.retention = Objects.requireNonNull(retention, "retention");
  }

  /**
   * One purge as of now. Failures are logged, not thrown: the next day's run tries again.
   *
   * @return what was deleted; empty counts when the purge failed
   */
  JooqRetention.Purged runOnce() {
    Instant now = clock.instant();
    JooqRetention.Purged purged = new JooqRetention.Purged(0, 0, 0);
    try {
      Retention current = retention;
      if (current.records().isPresent()) {
        Instant cutoff = current.recordsCutoff(now).orElseThrow();
        purged = store.purge(cutoff, BATCH_SIZE);
        if (purged.total() > 0) {
          log.info("retention {}: deleted {} invocation(s), {} instance row(s) and {} record(s)"
                  + " that ended before {}", DurationText.format(current.records().get()),
              purged.invocations(), purged.instances(), purged.records(), cutoff);
        }
      }
      int requests = store.purgeRequests(now.minus(REQUESTS_KEPT), BATCH_SIZE);
      if (requests > 0) {
        log.info("retention: deleted {} answered CLI request(s) older than {}", requests,
            DurationText.format(REQUESTS_KEPT));
      }
    } catch (RuntimeException e) {
      log.warn("retention run failed, trying again in {}: {}", DurationText.format(EVERY),
          e.toString());
    }
    return purged;
  }

  /** Stops the thread; a purge in progress ends after its current batch. Idempotent. */
  @Override
  public void close() {
    thread.shutdownNow();
    try {
      if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("retention run did not end within 5s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
