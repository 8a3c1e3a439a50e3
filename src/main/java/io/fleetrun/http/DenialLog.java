package io.fleetrun.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many denial lines {@link Guard} may write: at most {@link #PER_MINUTE} a minute. Anyone who
 * reaches the port can be denied, as often as they like, and must not fill the daemon's log; the
 * lines held back are counted and said in one line with the first denial of a later minute.
 */
final class DenialLog {
  static final int PER_MINUTE = 100;
  private static final Logger log = LoggerFactory.getLogger(Guard.class);
  private static final Duration WINDOW = Duration.ofMinutes(1);

  private final Clock clock;
  private Instant windowStart = Instant.MIN;
  private int logged;
  private long heldBack;

  DenialLog(Clock clock) {
    this.clock = clock;
  }

  /** Whether this denial may be logged; says first how many were held back in earlier minutes. */
  synchronized boolean admit() {
    Instant now = clock.instant();
    if (windowStart.equals(Instant.MIN) || !now.isBefore(windowStart.plus(WINDOW))) {
      if (heldBack > 0) {
        log.warn("http: {} more denial(s) were not logged since {} (at most {} lines a minute)", heldBack,
            windowStart, PER_MINUTE);
      }
      windowStart = now;
      logged = 0;
      heldBack = 0;
    }
    if (logged < PER_MINUTE) {
      logged++;
      return true;
    }
    heldBack++;
    return false;
  }
}
