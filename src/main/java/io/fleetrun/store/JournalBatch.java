package io.fleetrun.store;

import static io.fleetrun.store.jooq.Tables.INVOCATION;
import static io.fleetrun.store.jooq.Tables.INVOCATION_INSTANCE;
import static io.fleetrun.store.jooq.Tables.INVOCATION_RECORD;

import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordEnd;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.model.RepeatMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Record2;

/**
 * Writes one batch of {@link JournalEvent}s in the caller's transaction, statuses included and
 * incrementally: each ended record of a one-time invocation gives its instance its status (the
 * instance's status is its record's), then each one-time invocation touched gets its overall
 * status once, from its instance counts. Periodic invocations recompute nothing: their statuses
 * ignore records. Rules kept from {@link JooqInvocationStore#endRecord}: only a Running record
 * ends (a late outcome never overwrites a stop); finished_at / stopped_at are set on the
 * invocation's first end.
 */
final class JournalBatch {
  private final StatusWriter statuses;

  JournalBatch(StatusWriter statuses) {
    this.statuses = statuses;
  }

  /** Applies {@code events} in order; returns whether each was applied. */
  List<Boolean> write(DSLContext tx, List<JournalEvent> events) {
    List<Boolean> applied = new ArrayList<>(events.size());
    Map<InvokeId, Instant> ended = new LinkedHashMap<>();
    for (JournalEvent event : events) {
      applied.add(apply(tx, event, ended));
    }
    ended.forEach((invokeId, at) -> {
      if (StatusWriter.mode(tx, invokeId) == RepeatMode.Once) {
        statuses.overallFromCounts(tx, invokeId, at);
      }
    });
    return applied;
  }

  private boolean apply(DSLContext tx, JournalEvent event, Map<InvokeId, Instant> ended) {
    long id = event.record().value();
    if (event instanceof JournalEvent.Sent sent) {
      // Whatever the status: an end may have been written before the send was (they come from
      // different threads), and the start time is still true.
      return tx.update(INVOCATION_RECORD)
          .set(INVOCATION_RECORD.START_TIME, sent.startTime())
          .where(INVOCATION_RECORD.RECORD_ID.eq(id))
          .and(INVOCATION_RECORD.START_TIME.isNull())
          .execute() > 0;
    }
    if (event instanceof JournalEvent.Running running) {
      return tx.update(INVOCATION_RECORD)
          .set(INVOCATION_RECORD.DETAIL_STATUS, io.fleetrun.model.DetailStatus.Running)
          .set(INVOCATION_RECORD.REMOTE_PGID, running.processGroup())
          .set(INVOCATION_RECORD.REMOTE_PGID_STARTED,
              running.leaderStart().isPresent() ? running.leaderStart().getAsLong() : null)
          .where(INVOCATION_RECORD.RECORD_ID.eq(id))
          .and(INVOCATION_RECORD.STATUS.eq(RecordStatus.Running))
          .execute() > 0;
    }
    RecordEnd end = ((JournalEvent.Ended) event).end();
    Optional<Record2<String, String>> row = tx.update(INVOCATION_RECORD)
        .set(INVOCATION_RECORD.STATUS, end.status())
        .set(INVOCATION_RECORD.DETAIL_STATUS, end.detail())
        .set(INVOCATION_RECORD.EXIT_CODE, end.exitCode().orElse(null))
        .set(INVOCATION_RECORD.ERROR_CODE, end.errorCode().orElse(null))
        .set(INVOCATION_RECORD.ERROR_INFO, end.errorInfo().orElse(null))
        .set(INVOCATION_RECORD.OUTPUT, end.output().text())
        .set(INVOCATION_RECORD.DROPPED, end.output().dropped())
        .set(INVOCATION_RECORD.FINISH_TIME, end.endTime())
        .set(INVOCATION_RECORD.STOP_TIME, end.status() == RecordStatus.Stopped ? end.endTime() : null)
        .where(INVOCATION_RECORD.RECORD_ID.eq(id))
        .and(INVOCATION_RECORD.STATUS.eq(RecordStatus.Running))
        .returningResult(INVOCATION_RECORD.INVOKE_ID, INVOCATION_RECORD.INSTANCE_ID)
        .fetchOptional();
    if (row.isEmpty()) {
      return false;
    }
    InvokeId invokeId = new InvokeId(row.get().value1());
    // One-time: one record per instance, so the instance's status is this record's. A periodic
    // instance's status does not follow its records; the guard on repeat_mode keeps it so.
    tx.update(INVOCATION_INSTANCE)
        .set(INVOCATION_INSTANCE.STATUS, end.status())
        .where(INVOCATION_INSTANCE.INVOKE_ID.eq(invokeId.value()))
        .and(INVOCATION_INSTANCE.INSTANCE_ID.eq(row.get().value2()))
        .and(INVOCATION_INSTANCE.INVOKE_ID.in(tx.select(INVOCATION.INVOKE_ID).from(INVOCATION)
            .where(INVOCATION.INVOKE_ID.eq(invokeId.value()))
            .and(INVOCATION.REPEAT_MODE.eq(RepeatMode.Once))))
        .execute();
    ended.merge(invokeId, end.endTime(), (a, b) -> a.isAfter(b) ? a : b);
    return true;
  }
}
