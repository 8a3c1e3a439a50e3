package io.fleetrun.invoke;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers {@link RunEvent}s to {@link RunEvents} subscribers off the engine's threads. The
 * engine publishes with a non-blocking offer into each subscriber's own bounded queue; each
 * subscriber has its own daemon thread that takes from its queue, so a slow or stuck subscriber
 * delays neither a run, nor a record write, nor the other subscribers. An event that finds a
 * queue full is dropped for that subscriber and counted ({@link #dropped}); the drops are logged
 * at most once per {@link #LOG_EVERY}. A subscriber that throws is logged (at most once per
 * {@link #LOG_EVERY}) and keeps receiving.
 */
public final class EventFeed implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventFeed.class);
  /** Events each subscriber's queue holds: several seconds of a large fan-out's ends. */
  public static final int DEFAULT_CAPACITY = 10_000;
  static final Duration LOG_EVERY = Duration.ofMinutes(1);

  private final int capacity;
  private final Clock clock;
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicReference<Instant> lastDropLog = new AtomicReference<>(Instant.MIN);
  private volatile boolean closed;

  /** A feed with {@link #DEFAULT_CAPACITY} events per subscriber. */
  public EventFeed(Clock clock) {
    this(DEFAULT_CAPACITY, clock);
  }

  public EventFeed(int capacity, Clock clock) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1");
    }
    this.capacity = capacity;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A feed nobody subscribes to: publishing costs nothing. */
  static EventFeed none() {
    return new EventFeed(1, Clock.systemUTC());
  }

  /** Adds {@code subscriber}, named {@code name} in its thread and log lines; it sees events published from now on. */
  public void subscribe(String name, RunEvents subscriber) {
    Subscription s = new Subscription(name, Objects.requireNonNull(subscriber, "subscriber"));
    subscriptions.add(s);
    s.thread.start();
  }

  /** Events dropped so far because a subscriber's queue was full (all subscribers together). */
  public long dropped() {
    return dropped.get();
  }

  /** Never blocks: the event goes into each subscriber's queue, or is counted as dropped there. */
  void publish(RunEvent event) {
    if (closed) {
      return;
    }
    for (Subscription s : subscriptions) {
      if (!s.queue.offer(event)) {
        long n = dropped.incrementAndGet();
        if (due(lastDropLog)) {
          log.warn("run events: subscriber {} is behind, its queue of {} is full; events dropped so far: {}"
              + " (logged at most once a minute)", s.name, capacity, n);
        }
      }
    }
  }

  private boolean due(AtomicReference<Instant> last) {
    Instant now = clock.instant();
    Instant before = last.get();
    return !now.isBefore(before.plus(LOG_EVERY)) && last.compareAndSet(before, now);
  }

  /** Stops delivering: each subscriber gets up to {@code wait} to take what is queued. Idempotent. */
  public void close(Duration wait) {
    closed = true;
    long deadline = System.nanoTime() + wait.toNanos();
    for (Subscription s : subscriptions) {
      s.draining = true;
      try {
        s.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      s.thread.interrupt();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(2));
  }

  private final class Subscription {
    final String name;
    final RunEvents subscriber;
    final BlockingQueue<RunEvent> queue = new ArrayBlockingQueue<>(capacity);
    final Thread thread;
    final AtomicReference<Instant> lastFailureLog = new AtomicReference<>(Instant.MIN);
    volatile boolean draining;

    Subscription(String name, RunEvents subscriber) {
      this.name = name;
      this.subscriber = subscriber;
      this.thread = new Thread(this::deliver, "fleetrun-events-" + name);
      thread.setDaemon(true);
    }

    private void deliver() {
      while (true) {
        RunEvent event;
        try {
          event = queue.poll(100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          return;
        }
        boolean last = event == null && draining;
        try {
          if (event == null) {
            subscriber.idle();
          } else {
            subscriber.on(event);
          }
        } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
          // A subscriber's bug (an Error included) costs it that one event, not its thread: a
          // thread ended by it would leave the queue to fill and every later event counted as
          // dropped. Errors of the whole JVM (out of memory) end the thread as they would any.
          if (due(lastFailureLog)) {
            log.warn("run events: subscriber {} failed on {} (logged at most once a minute)", name,
                event == null ? "idle" : event.getClass().getSimpleName(), e);
          }
        }
        if (last) {
          return;
        }
      }
    }
  }
}
