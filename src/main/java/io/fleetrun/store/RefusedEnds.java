package io.fleetrun.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Record ends the database refused even in their reduced form (no output): kept, without their
 * output, and tried again with a bounded backoff until the journal closes, so a record end is
 * never lost because a write failed. At most {@link #MAX} are kept; past that the oldest is
 * given up (logged by record id; the next start's Recovery ends it interrupted). Thread-safe.
 */
final class RefusedEnds {
  private static final Logger log = LoggerFactory.getLogger(RefusedEnds.class);
  /** Most ends kept: each is a few hundred bytes (no output), so memory stays bounded. */
  static final int MAX = 10_000;
  static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  /** At most one ERROR line per this while ends stay refused. */
  static final Duration LOG_EVERY = Duration.ofMinutes(1);

  private final Clock clock;
  private final ArrayDeque<JournalEvent.Ended> ends = new ArrayDeque<>();
  private Duration backoff = FIRST_BACKOFF;
  private Instant nextTry = Instant.MIN;
  private Instant nextLog = Instant.MIN;
  private long retries;

  RefusedEnds(Clock clock) {
    this.clock = clock;
  }

  /** Keeps {@code end} for a later try (its output already dropped). */
  synchronized void add(JournalEvent.Ended end) {
    if (ends.size() >= MAX) {
      JournalEvent.Ended oldest = ends.removeFirst();
      log.error("record {}: its end is given up, {} refused record ends are kept at most; the next start's"
          + " recovery ends it interrupted", oldest.record(), MAX);
      oldest.done().completeExceptionally(new IllegalStateException("too many record ends refused"));
    }
    ends.addLast(end);
    if (ends.size() == 1) {
      backoff = FIRST_BACKOFF;
      nextTry = clock.instant().plus(backoff);
    }
  }

  /**
   * When a retry is due, offers each kept end to {@code write} (true: written and completed);
   * keeps the others and backs off (doubling, at most {@link #MAX_BACKOFF}).
   */
  synchronized void retryIfDue(Predicate<JournalEvent.Ended> write) {
    Instant now = clock.instant();
    if (ends.isEmpty() || now.isBefore(nextTry)) {
      return;
    }
    retries++;
    ends.removeIf(write);
    if (ends.isEmpty()) {
      log.info("record journal: the refused record end(s) are written now");
      return;
    }
    backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    nextTry = now.plus(backoff);
    if (!now.isBefore(nextLog)) {
      nextLog = now.plus(LOG_EVERY);
      log.error("record journal: the database still refuses {} record end(s) (records {}); retrying every {} s at"
          + " most", ends.size(), ids(5), MAX_BACKOFF.toSeconds());
    }
  }

  /**
   * At close: fails every kept end, one ERROR line per record id (the next start's Recovery ends
   * those records interrupted).
   */
  synchronized void giveUp() {
    for (JournalEvent.Ended end : ends) {
      if (end.done().completeExceptionally(new IllegalStateException("the database refused it until close"))) {
        log.error("record {}: its end ({}) is not written, the database refused it until the daemon stopped;"
            + " the next start's recovery ends it interrupted", end.record(), end.end().status());
      }
    }
    ends.clear();
  }

  synchronized int size() {
    return ends.size();
  }

  /** Retry rounds so far (for tests). */
  synchronized long retries() {
    return retries;
  }

  private String ids(int max) {
    List<String> ids = ends.stream().limit(max).map(e -> String.valueOf(e.record().value())).toList();
    return String.join(", ", ids) + (ends.size() > max ? ", ..." : "");
  }
}
