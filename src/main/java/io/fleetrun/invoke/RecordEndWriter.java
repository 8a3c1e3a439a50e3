package io.fleetrun.invoke;

import io.fleetrun.model.RecordEnd;
import io.fleetrun.store.RecordJournal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way the engine ends a record: through the {@link RecordJournal}, with one INFO line
 * {@code record end ...} and one {@link RunEvent.RecordEnded} once the end is written (a dispatched run, a record stopped while it
 * waited, one not live in this daemon, one interrupted at shutdown alike). An end that finds the
 * record already ended logs at DEBUG only.
 */
final class RecordEndWriter {
  private static final Logger log = LoggerFactory.getLogger(RecordEndWriter.class);

  private final RecordJournal journal;
  private final EventFeed events;

  RecordEndWriter(RecordJournal journal, EventFeed events) {
    this.journal = journal;
    this.events = events;
  }

  /**
   * Enqueues {@code end} of {@code record}; the future is the journal's.
   *
   * @param label invocation/instance (and job) for the log line
   * @param began when this daemon began handling the record, or null if it never did
   * @param startedAt when its exec request went out, or null if it never did
   */
  CompletableFuture<Boolean> write(RecordRef ref, String label, RecordEnd end, Instant began, Instant startedAt) {
    CompletableFuture<Boolean> written = journal.ended(ref.id(), end);
    written.whenComplete((applied, failure) -> {
      if (Boolean.TRUE.equals(applied)) {
        // Only a committed end is an event: one the database refused (the record had ended) is none.
        events.publish(new RunEvent.RecordEnded(ref.id(), ref.invokeId(), ref.job(), ref.instance(), end.status(),
            end.detail(), end.errorCode(), end.exitCode(), end.endTime(),
            Optional.ofNullable(began).map(b -> nonNegative(Duration.between(b, end.endTime()))),
            Optional.ofNullable(startedAt).map(ref::delayTo)));
        log.info("record end {} status={} detail={} exit={} error={} duration={}ms", label, end.status(),
            end.detail(), end.exitCode().map(String::valueOf).orElse("-"),
            end.errorCode().map(Enum::name).orElse("-"),
            began == null ? 0 : Math.max(0, Duration.between(began, end.endTime()).toMillis()));
      } else if (failure == null) {
        log.debug("record {} had already ended; {} not written", label, end.status());
      }
    });
    return written;
  }

  private static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }
}
