package io.fleetrun.store;

import io.fleetrun.model.RecordEnd;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.StatusRules;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
 * takes other writes (a probe transaction commits) is a poison event: it is logged and dropped
 * alone, and the rest commit. Shutdown drains the queue within a bounded wait.
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

  private final Database db;
  private final JournalBatch batch;
  private final LinkedBlockingQueue<JournalEvent> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private final Set<String> failureKinds = ConcurrentHashMap.newKeySet();
  private final AtomicLong failedAttempts = new AtomicLong();
  private final AtomicLong committed = new AtomicLong();
  private volatile boolean closing;
  private volatile Instant giveUpAt = Instant.MAX;

  public RecordJournal(Database db, StatusRules rules) {
    this.db = Objects.requireNonNull(db, "db");
    this.batch = new JournalBatch(new StatusWriter(Objects.requireNonNull(rules, "rules")));
    this.writer = new Thread(this::drain, "fleetrun-record-journal");
    writer.setDaemon(true);
    writer.start();
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

  /** Events committed so far (for tests and measurements). */
  long committed() {
    return committed.get();
  }

  /** Batch attempts that failed so far (for tests). */
  long failedAttempts() {
    return failedAttempts.get();
  }

  private CompletableFuture<Boolean> offer(JournalEvent event) {
    if (closing && !writer.isAlive()) {
      event.done().completeExceptionally(new IllegalStateException("the record journal is closed"));
      log.error("record {}: change not written, the journal is closed: {}", event.record(), event);
      return event.done();
    }
    queue.add(event);
    return event.done();
  }

  private void drain() {
    List<JournalEvent> events = new ArrayList<>();
    while (true) {
      try {
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
      try {
        List<Boolean> applied = db.dsl().transactionResult(cfg -> batch.write(cfg.dsl(), events));
        committed.addAndGet(events.size());
        for (int i = 0; i < events.size(); i++) {
          events.get(i).done().complete(applied.get(i));
        }
        return;
      } catch (RuntimeException e) {
        failures++;
        failedAttempts.incrementAndGet();
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
          log.error("record {}: dropping a change the database keeps refusing while it takes others: {} ({})",
              events.get(0).record(), events.get(0), e.toString());
          events.get(0).done().completeExceptionally(e);
          return;
        }
        long backoff = Math.min(MAX_BACKOFF.toMillis(), 50L << Math.min(failures, 6));
        Thread.sleep(backoff);
      }
    }
  }

  /** Whether an empty write transaction commits now: then the database is not the problem. */
  private boolean databaseTakesWrites() {
    try {
      db.dsl().transaction(cfg -> cfg.dsl().fetchValue("SELECT 1"));
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private void logOnce(RuntimeException e, int size) {
    String kind = rootCause(e).getClass().getName() + ": " + firstLine(rootCause(e).getMessage());
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
        log.error("record {}: change not written, {}: {}", event.record(), why, event);
      }
    }
  }

  private static Throwable rootCause(Throwable e) {
    Throwable root = e;
    for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 20; depth++) {
      root = root.getCause();
    }
    return root;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  /**
   * Writes what is queued, waiting up to {@code wait}; what is still unwritten then (the
   * database refusing writes) is logged and failed. Idempotent.
   */
  public void close(Duration wait) {
    giveUpAt = Instant.now().plus(wait);
    closing = true;
    try {
      writer.join(Math.max(1, wait.plusSeconds(1).toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (writer.isAlive()) {
      writer.interrupt();
    }
    List<JournalEvent> left = new ArrayList<>();
    queue.drainTo(left);
    failAll(left, "the journal closed before it was written");
  }

  /** {@link #close(Duration)} with 10 s. */
  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }
}
