package io.fleetrun.store;

import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordEnd;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.StatusRules;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of record changes: callers (SSH I/O threads, the dispatcher) enqueue events and
 * return at once; ONE writer thread drains what is queued (up to {@link #MAX_BATCH} events, or
 * what came within {@link #LINGER}) and commits it as one transaction with the statuses (see
 * {@link JournalBatch}). Each event's future completes after its commit.
 *
 * <p>A failed batch is retried with a bounded backoff (one WARN per kind of failure), so an end
 * is never lost because a write failed once (the database busy past its timeout, say). A batch
 * that keeps failing is split in halves; a single event that keeps failing while the database
 * takes other writes (a probe write commits, and the event still fails once more right after) is
 * a poison event. On PostgreSQL writes wait for row and table locks instead of failing (there
 * is no busy timeout), so only a real refusal counts there. A poison END is written in
 * a reduced form (status, detail, codes, end time; its output dropped and error_info saying why);
 * if even that is refused it is kept and retried with a bounded backoff until close ({@link
 * RefusedEnds}). Any other poison event is logged and dropped alone. The rest commit.
 *
 * <p>Every offered event is either committed or completed false / exceptionally with a log line:
 * an event offered while {@link #close} drains is committed by close itself, or refused at once
 * once the journal is shut. Shutdown drains the queue within a bounded wait; ends still refused
 * then are logged by record id (the next start's Recovery ends those records interrupted).
 */
public final class RecordJournal implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RecordJournal.class);
  /** Most events in one transaction. */
  static final int MAX_BATCH = 100;
  /** How long the writer waits for more events after the first of a batch. */
  static final Duration LINGER = Duration.ofMillis(3);
  /** Failures of one batch before it is split (or, alone, checked for poison). */
  static final int SPLIT_AFTER = 3;
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
  /** A write to the journal's table that changes no row (same text on both databases). */
  static final String WRITE_PROBE = "UPDATE invocation_record SET status = status WHERE 1 = 0";

  private final Database db;
  private final JournalBatch batch;
  private final LinkedBlockingQueue<JournalEvent> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private final Set<String> failureKinds = ConcurrentHashMap.newKeySet();
  private final AtomicLong failedAttempts = new AtomicLong();
  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong transactions = new AtomicLong();
  private final RefusedEnds refused;
  private final List<JournalObserver> observers = new CopyOnWriteArrayList<>();
  /** Orders offers against close's final drain: no event is queued once {@link #shut} is set. */
  private final Object gate = new Object();
  private boolean shut;
  private volatile boolean closing;
  private volatile Instant giveUpAt = Instant.MAX;
  /** Test hook: runs inside an offer, between its check that the journal is open and the enqueue. */
  volatile Runnable beforeEnqueue = () -> {};

  public RecordJournal(Database db, StatusRules rules) {
    this(db, rules, Clock.systemUTC());
  }

  RecordJournal(Database db, StatusRules rules, Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.batch = new JournalBatch(new StatusWriter(Objects.requireNonNull(rules, "rules")));
    this.refused = new RefusedEnds(clock);
    this.writer = new Thread(this::drain, "fleetrun-record-journal");
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * The daemon commits, at {@code at}, to hand {@code record} to SSH (dispatched_at). The
   * future is true once that is committed, false when the record is no longer Running (it must
   * not start then), exceptionally when the journal gave the mark up.
   */
  public CompletableFuture<Boolean> dispatched(RecordId record, Instant at) {
    return offer(new JournalEvent.Dispatched(record, at, new CompletableFuture<>()));
  }

  /** The exec request of {@code record} went to the target at {@code startTime}. */
  public CompletableFuture<Boolean> sent(RecordId record, Instant startTime) {
    return offer(new JournalEvent.Sent(record, startTime, new CompletableFuture<>()));
  }

  /** The script of {@code record} runs as process group {@code processGroup}. */
  public CompletableFuture<Boolean> running(RecordId record, long processGroup, OptionalLong leaderStart) {
    return offer(new JournalEvent.Running(record, processGroup, leaderStart, new CompletableFuture<>()));
  }

  /**
   * {@code record} ended as {@code end} says. The future is true when it was written, false
   * when the record had already ended (a late outcome never overwrites a stop) or is gone.
   */
  public CompletableFuture<Boolean> ended(RecordId record, RecordEnd end) {
    return offer(new JournalEvent.Ended(record, end, new CompletableFuture<>()));
  }

  /** Adds {@code observer}: it hears of each commit from now on (see {@link JournalObserver}). */
  public void observeWith(JournalObserver observer) {
    observers.add(Objects.requireNonNull(observer, "observer"));
  }

  private void tell(java.util.function.Consumer<JournalObserver> news) {
    for (JournalObserver o : observers) {
      try {
        news.accept(o);
      } catch (RuntimeException e) {
        log.warn("record journal: an observer failed; ignored", e);
      }
    }
  }

  /** Events committed so far (for tests and measurements). */
  long committed() {
    return committed.get();
  }

  /** Batch attempts that failed so far (for tests). */
  long failedAttempts() {
    return failedAttempts.get();
  }

  /** Transactions committed so far (for tests and measurements). */
  long transactions() {
    return transactions.get();
  }

  /** Retry rounds of refused ends so far (for tests). */
  long refusedRetries() {
    return refused.retries();
  }

  private CompletableFuture<Boolean> offer(JournalEvent event) {
    synchronized (gate) {
      if (!shut) {
        beforeEnqueue.run();
        queue.add(event);
        return event.done();
      }
    }
    failAll(List.of(event), "the record journal is closed");
    return event.done();
  }

  private void drain() {
    List<JournalEvent> events = new ArrayList<>();
    while (true) {
      try {
        refused.retryIfDue(this::writeAlone);
        JournalEvent first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closing) {
            return;
          }
          continue;
        }
        events.add(first);
        long lingerEnd = System.nanoTime() + LINGER.toNanos();
        while (events.size() < MAX_BATCH) {
          long left = lingerEnd - System.nanoTime();
          JournalEvent next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
          if (next == null) {
            break;
          }
          events.add(next);
        }
        commit(List.copyOf(events));
      } catch (InterruptedException e) {
        // Only close interrupts, after its wait: what is left is reported there.
        Thread.currentThread().interrupt();
        failAll(events, "the daemon stopped before it was written");
        return;
      } catch (RuntimeException e) {
        log.error("record journal: unexpected failure; {} change(s) not written", events.size(), e);
        events.forEach(ev -> ev.done().completeExceptionally(e));
      }
      events.clear();
    }
  }

  /** Commits {@code events}, retrying, splitting, and dropping only a proven poison event. */
  private void commit(List<JournalEvent> events) throws InterruptedException {
    for (int failures = 0; ; ) {
      Optional<RuntimeException> failed = attempt(events);
      if (failed.isEmpty()) {
        return;
      }
      RuntimeException e = failed.get();
      failures++;
      logOnce(e, events.size());
      if (Instant.now().isAfter(giveUpAt)) {
        failAll(events, "the daemon stopped while the database refused it: " + e);
        return;
      }
      if (failures >= SPLIT_AFTER && events.size() > 1) {
        commit(events.subList(0, events.size() / 2));
        commit(events.subList(events.size() / 2, events.size()));
        return;
      }
      if (failures >= SPLIT_AFTER && databaseTakesWrites()) {
        // The database may have come back between the last try and the probe (a lock released,
        // a server back): one more try before the event is called poison.
        Optional<RuntimeException> again = attempt(events);
        if (again.isPresent()) {
          poison(events.get(0), again.get());
        }
        return;
      }
      long backoff = Math.min(MAX_BACKOFF.toMillis(), 50L << Math.min(failures, 6));
      Thread.sleep(backoff);
    }
  }

  /**
   * One try of {@code events} in one transaction (an ordinary one on PostgreSQL, IMMEDIATE on
   * SQLite); on commit their futures complete. Empty when it committed, else why not.
   */
  private Optional<RuntimeException> attempt(List<JournalEvent> events) {
    try {
      Map<InvokeId, InvocationStatus> changed = new LinkedHashMap<>();
      long began = System.nanoTime();
      List<Boolean> applied = db.dsl().transactionResult(cfg -> {
        changed.clear();
        return batch.write(cfg.dsl(), events, changed);
      });
      Duration took = Duration.ofNanos(System.nanoTime() - began);
      transactions.incrementAndGet();
      committed.addAndGet(events.size());
      for (int i = 0; i < events.size(); i++) {
        events.get(i).done().complete(applied.get(i));
      }
      tell(o -> {
        o.batchCommitted(events.size(), took);
        changed.forEach(o::invocationStatusChanged);
      });
      return Optional.empty();
    } catch (RuntimeException e) {
      failedAttempts.incrementAndGet();
      return Optional.of(e);
    }
  }

  /**
   * A change the database keeps refusing while it takes others. An end is written without its
   * output (kept for later tries if even that is refused); anything else is dropped.
   */
  private void poison(JournalEvent event, RuntimeException e) {
    String why = Failures.firstLine(Failures.rootCause(e).getMessage());
    if (!(event instanceof JournalEvent.Ended ended)) {
      log.error("record {}: dropping a change the database keeps refusing while it takes others: {} ({})",
          event.record(), event.describe(), why);
      event.done().completeExceptionally(e);
      return;
    }
    JournalEvent.Ended reduced = Reduced.end(ended, why);
    if (writeAlone(reduced)) {
      log.error("record {}: the database refuses its end ({}); written without its output", event.record(), why);
      return;
    }
    log.error("record {}: the database refuses its end even without its output ({}); retrying it until the"
        + " daemon stops", event.record(), why);
    refused.add(reduced);
  }

  /** One try of one event in its own transaction; true when it committed (its future completed). */
  private boolean writeAlone(JournalEvent.Ended event) {
    return attempt(List.of(event)).isEmpty();
  }

  /**
   * Whether a write transaction that changes nothing commits now: then the database is not the
   * problem. A write, not a read: on PostgreSQL a read commits on a server that refuses every
   * write (a read-only standby after a failover), where SQLite's IMMEDIATE begin already takes
   * the write lock.
   */
  private boolean databaseTakesWrites() {
    try {
      db.dsl().transaction(cfg -> cfg.dsl().execute(WRITE_PROBE));
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private void logOnce(RuntimeException e, int size) {
    Throwable root = Failures.rootCause(e);
    String kind = root.getClass().getName() + ": " + Failures.firstLine(root.getMessage());
    if (failureKinds.add(kind)) {
      log.warn("record journal: writing {} change(s) failed ({}); retrying (further failures of this kind are "
          + "not logged)", size, kind);
    } else {
      log.debug("record journal: writing {} change(s) failed again ({})", size, kind);
    }
  }

  private void failAll(List<JournalEvent> events, String why) {
    for (JournalEvent event : events) {
      if (event.done().completeExceptionally(new IllegalStateException(why))) {
        log.error("record {}: change not written, {}: {}", event.record(), why, event.describe());
      }
    }
  }

  /**
   * Writes what is queued, waiting up to {@code wait}; what is still unwritten then (the
   * database refusing writes) is logged by record id and failed. An event offered from now on is
   * either written here or refused at once. Idempotent.
   */
  public void close(Duration wait) {
    giveUpAt = Instant.now().plus(wait);
    closing = true;
    try {
      writer.join(Math.max(1, wait.plusSeconds(1).toMillis()));
      if (writer.isAlive()) {
        writer.interrupt();
        writer.join(1000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<JournalEvent> left = new ArrayList<>();
    synchronized (gate) {
      shut = true;
      queue.drainTo(left);
    }
    // Offered after the writer's last look at the queue: written here, within the same bound.
    if (!left.isEmpty() && !writer.isAlive() && !Thread.currentThread().isInterrupted()) {
      try {
        commit(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    failAll(left, "the journal closed before it was written");
    refused.giveUp();
  }

  /** {@link #close(Duration)} with 10 s. */
  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }
}
