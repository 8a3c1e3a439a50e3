package io.fleetrun.invoke;

import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordId;
import io.fleetrun.store.InvocationStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends Failed / {@link ErrorCode#DispatchFailed} what a fan-out could not start, while the daemon
 * runs, as the repair at start would end it later: the record written but never handed to the
 * executor, and the instances that got no record. One store transaction
 * ({@link InvocationStore#failUnstarted}), statuses included. It runs on a thread of its own,
 * because the cause is often the database itself (busy past its timeout): that write is retried
 * with a bounded backoff, and if every try fails the records stay Running until the next start's
 * repair ends them (logged).
 */
final class UnstartedRepair implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UnstartedRepair.class);
  /** Waits before each try: the first at once, then longer, about 15 s in all (plus busy waits). */
  static final List<Duration> BACKOFF = List.of(Duration.ZERO, Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8));

  private final InvocationStore store;
  private final Clock clock;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "fleetrun-unstarted-repair");
    t.setDaemon(true);
    return t;
  });

  UnstartedRepair(InvocationStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /**
   * Ends {@code record} (written, never handed to the executor) and {@code instances} (no record
   * yet; each with the repeat count the fan-out saw) of {@code invokeId} Failed, because starting
   * them failed with {@code cause}. Returns at once; the write follows on the repair thread, and
   * skips an instance on which a record was started meanwhile.
   */
  void endFailed(InvokeId invokeId, Optional<RecordId> record, Map<InstanceId, Integer> instances, Throwable cause) {
    Map<InstanceId, Integer> rest = Collections.unmodifiableMap(new LinkedHashMap<>(instances));
    String info = "the daemon could not start this record: " + describe(cause);
    log.error("invocation {}: starting its records failed ({}); ending {} as Failed/{}", invokeId,
        describe(cause), describe(record, rest), ErrorCode.DispatchFailed, cause);
    try {
      thread.execute(() -> attempt(invokeId, record.stream().toList(), rest, info, 0));
    } catch (RejectedExecutionException e) {
      log.error("invocation {}: the daemon is stopping; {} stay Running until the next start's repair",
          invokeId, describe(record, rest));
    }
  }

  private void attempt(InvokeId invokeId, List<RecordId> records, Map<InstanceId, Integer> instances, String info,
      int tries) {
    try {
      store.failUnstarted(invokeId, records, instances,
          RecordEnds.couldNotStart(ErrorCode.DispatchFailed, info, clock.instant()));
      if (tries > 0) {
        log.info("invocation {}: unstarted records ended Failed after {} tries", invokeId, tries + 1);
      }
    } catch (RuntimeException e) {
      int next = tries + 1;
      if (next >= BACKOFF.size()) {
        log.error("invocation {}: could not end its unstarted records after {} tries ({}); they stay Running "
            + "until the next daemon start's repair ends them", invokeId, next, e.toString());
        return;
      }
      log.warn("invocation {}: could not end its unstarted records ({}); retrying in {} ms", invokeId, e,
          BACKOFF.get(next).toMillis());
      try {
        thread.schedule(() -> attempt(invokeId, records, instances, info, next),
            BACKOFF.get(next).toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException stopping) {
        log.error("invocation {}: the daemon is stopping; its unstarted records stay Running until the "
            + "next start's repair", invokeId);
      }
    }
  }

  /** The cause and, when it wraps another, the innermost one (SQLITE_BUSY hides behind jOOQ's). */
  static String describe(Throwable cause) {
    Throwable root = cause;
    for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 20; depth++) {
      root = root.getCause();
    }
    return root == cause ? cause.toString() : cause + " (" + root + ")";
  }

  private static String describe(Optional<RecordId> record, Map<InstanceId, Integer> instances) {
    return record.map(r -> "record " + r.value() + " and ").orElse("") + "instance(s) " + instances.keySet();
  }

  /** Lets pending tries run for a bounded time; later ones are left to the next start's repair. */
  @Override
  public void close() {
    thread.shutdown();
    try {
      if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
        thread.shutdownNow();
        log.warn("unstarted records still being repaired at shutdown; the next start's repair ends them");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
