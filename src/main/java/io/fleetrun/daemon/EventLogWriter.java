package io.fleetrun.daemon;

import io.fleetrun.invoke.RunEvent;
import io.fleetrun.invoke.RunEvents;
import io.fleetrun.store.EventLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event feed's subscriber that appends every run event to {@link EventLog} (the table the
 * event stream of every node reads), in batches: one transaction for what came meanwhile, at most
 * {@link #BATCH} events, at least every {@link #FLUSH_EVERY} while some wait. All on the feed's
 * thread for this subscriber (so a slow database never slows a run). It also deletes events older
 * than {@link #KEEP}, at most once every {@link #PRUNE_EVERY}. When the database refuses a batch
 * the events are kept (up to {@link #MAX_WAITING}; beyond, the oldest are dropped and logged) and
 * tried again a second later.
 */
final class EventLogWriter implements RunEvents {
  private static final Logger log = LoggerFactory.getLogger(EventLogWriter.class);
  static final int BATCH = 500;
  static final Duration FLUSH_EVERY = Duration.ofMillis(200);
  /** How long events are kept: a stream resumes without loss within it (the README says 10 minutes at least). */
  static final Duration KEEP = Duration.ofHours(1);
  static final Duration PRUNE_EVERY = Duration.ofMinutes(1);
  static final Duration RETRY_AFTER = Duration.ofSeconds(1);
  static final int MAX_WAITING = 20_000;

  private final EventLog events;
  private final String node;
  private final Clock clock;
  private final List<EventLog.NewEvent> waiting = new ArrayList<>();
  private Instant oldestWaiting;
  private Instant nextTry = Instant.MIN;
  private Instant nextPrune = Instant.MIN;
  private Instant nextFailureLog = Instant.MIN;
  private long lost;

  EventLogWriter(EventLog events, String node, Clock clock) {
    this.events = Objects.requireNonNull(events, "events");
    this.node = Objects.requireNonNull(node, "node");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void on(RunEvent event) {
    Instant now = clock.instant();
    if (waiting.isEmpty()) {
      oldestWaiting = now;
    }
    waiting.add(new EventLog.NewEvent(EventPayload.kind(event), event.invokeId().value(), EventPayload.json(event),
        now, node));
    if (waiting.size() >= BATCH || !now.isBefore(oldestWaiting.plus(FLUSH_EVERY))) {
      flush(now);
    }
  }

  @Override
  public void idle() {
    flush(clock.instant());
  }

  private void flush(Instant now) {
    if (now.isBefore(nextTry)) {
      return;
    }
    try {
      while (!waiting.isEmpty()) {
        List<EventLog.NewEvent> batch = waiting.subList(0, Math.min(BATCH, waiting.size()));
        events.append(List.copyOf(batch));
        batch.clear();
      }
      prune(now);
    } catch (RuntimeException e) {
      nextTry = now.plus(RETRY_AFTER);
      dropBeyondBound();
      if (!now.isBefore(nextFailureLog)) {
        nextFailureLog = now.plus(Duration.ofMinutes(1));
        log.warn("event stream: cannot write {} event(s) to the database, retrying each second (logged at most"
            + " once a minute): {}", waiting.size(), e.getMessage());
      }
    }
  }

  private void prune(Instant now) {
    if (now.isBefore(nextPrune)) {
      return;
    }
    nextPrune = now.plus(PRUNE_EVERY);
    int deleted = events.prune(now.minus(KEEP));
    if (deleted > 0) {
      log.debug("event stream: deleted {} event(s) older than {}", deleted, KEEP);
    }
  }

  private void dropBeyondBound() {
    int over = waiting.size() - MAX_WAITING;
    if (over > 0) {
      waiting.subList(0, over).clear();
      lost += over;
      log.warn("event stream: {} event(s) not written (the database refused them for too long); {} so far", over,
          lost);
    }
  }
}
