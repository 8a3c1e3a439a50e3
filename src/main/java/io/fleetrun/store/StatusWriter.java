package io.fleetrun.store;

import static io.fleetrun.store.jooq.Tables.INVOCATION;
import static io.fleetrun.store.jooq.Tables.INVOCATION_INSTANCE;
import static io.fleetrun.store.jooq.Tables.INVOCATION_RECORD;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.model.StatusRules;
import io.fleetrun.store.jooq.tables.records.InvocationInstanceRow;
import io.fleetrun.store.jooq.tables.records.InvocationRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.ResultQuery;
import org.jooq.SQLDialect;
import org.jooq.SelectForUpdateStep;
import org.jooq.impl.DSL;

/**
 * Recomputes and writes the statuses of invocation instances and invocations, inside the
 * caller's transaction, so that a SQL reader always sees statuses that match the records.
 *
 * <p>On PostgreSQL writers run side by side (READ COMMITTED), so a status read from rows another
 * transaction is changing would be stale: two records of one invocation ending at once would
 * each see the other instance still Running, and the invocation would stay Running forever.
 * Each instance row is therefore locked before its status is computed, and the invocation row
 * before its overall status is: the second writer waits for the first to commit and then reads
 * what it wrote. Locks are always taken record, then instance, then invocation, so writers never
 * wait for each other in a circle. On SQLite, whose transactions begin IMMEDIATE and so hold the
 * whole database, no lock is added (see {@link #locked}).
 */
final class StatusWriter {
  private final StatusRules rules;

  StatusWriter(StatusRules rules) {
    this.rules = rules;
  }

  /**
   * Recomputes the status of {@code instances} of {@code invokeId} (from the newest record and
   * the stopped flag of each), then the overall status of {@code invokeId} from all its
   * instances. The first time the invocation ends, {@code finished_at} becomes {@code now} (and
   * {@code stopped_at} when it ended Stopped); should it run again, both are cleared.
   *
   * @throws NoSuchElementException when there is no such invocation or instance
   */
  void recompute(DSLContext tx, InvokeId invokeId, Collection<InstanceId> instances, Instant now) {
    RepeatMode mode = mode(tx, invokeId);
    for (InstanceId instance : instances) {
      instance(tx, mode, invokeId, instance);
    }
    overall(tx, lockedInvocation(tx, invokeId), now);
  }

  private void instance(DSLContext tx, RepeatMode mode, InvokeId invokeId, InstanceId instance) {
    InvocationInstanceRow row = locked(tx, tx.selectFrom(INVOCATION_INSTANCE)
            .where(INVOCATION_INSTANCE.INVOKE_ID.eq(invokeId.value()))
            .and(INVOCATION_INSTANCE.INSTANCE_ID.eq(instance.value())))
        .fetchOptional()
        .orElseThrow(() -> new NoSuchElementException(
            "invocation " + invokeId + " has no instance " + instance));
    Optional<RecordStatus> latest = tx.select(INVOCATION_RECORD.STATUS)
        .from(INVOCATION_RECORD)
        .where(INVOCATION_RECORD.INVOKE_ID.eq(invokeId.value()))
        .and(INVOCATION_RECORD.INSTANCE_ID.eq(instance.value()))
        .orderBy(INVOCATION_RECORD.REPEAT_NO.desc())
        .limit(1)
        .fetchOptional(INVOCATION_RECORD.STATUS);
    RecordStatus status = rules.instanceStatus(mode, latest, row.getStopped());
    if (status != row.getStatus()) {
      row.setStatus(status);
      row.update();
    }
  }

  /**
   * Writes the overall status of {@code invokeId} from its instance statuses read as counts
   * ({@code SELECT status, count(*) ... GROUP BY status}), once per batch of record ends, with
   * the same finished_at / stopped_at rules as {@link #recompute}. Returns the new status when
   * it changed.
   */
  Optional<InvocationStatus> overallFromCounts(DSLContext tx, InvokeId invokeId, Instant now) {
    InvocationRow invocation = lockedInvocation(tx, invokeId);
    Map<RecordStatus, Integer> counts = new EnumMap<>(RecordStatus.class);
    tx.select(INVOCATION_INSTANCE.STATUS, DSL.count())
        .from(INVOCATION_INSTANCE)
        .where(INVOCATION_INSTANCE.INVOKE_ID.eq(invokeId.value()))
        .groupBy(INVOCATION_INSTANCE.STATUS)
        .forEach(r -> counts.put(r.value1(), r.value2()));
    InvocationStatus before = invocation.getStatus();
    InvocationStatus after = rules.overall(invocation.getRepeatMode(), expand(counts));
    write(tx, invocation, after, now);
    return after == before ? Optional.empty() : Optional.of(after);
  }

  /** A list with each status as many times as counted: the rules only look at the mix. */
  static List<RecordStatus> expand(Map<RecordStatus, Integer> counts) {
    List<RecordStatus> statuses = new ArrayList<>();
    counts.forEach((status, n) -> statuses.addAll(Collections.nCopies(n, status)));
    return statuses;
  }

  private void overall(DSLContext tx, InvocationRow row, Instant now) {
    List<RecordStatus> instances = tx.select(INVOCATION_INSTANCE.STATUS)
        .from(INVOCATION_INSTANCE)
        .where(INVOCATION_INSTANCE.INVOKE_ID.eq(row.getInvokeId()))
        .orderBy(INVOCATION_INSTANCE.INSTANCE_NO)
        .fetch(INVOCATION_INSTANCE.STATUS);
    write(tx, row, rules.overall(row.getRepeatMode(), instances), now);
  }

  private static void write(DSLContext tx, InvocationRow row, InvocationStatus status, Instant now) {
    Instant finishedAt = row.getFinishedAt();
    Instant stoppedAt = row.getStoppedAt();
    if (!status.isEnded()) {
      finishedAt = null;
      stoppedAt = null;
    } else if (finishedAt == null) {
      finishedAt = now;
      stoppedAt = status == InvocationStatus.Stopped ? now : null;
    }
    if (status != row.getStatus()
        || !Objects.equals(finishedAt, row.getFinishedAt())
        || !Objects.equals(stoppedAt, row.getStoppedAt())) {
      row.setStatus(status);
      row.setFinishedAt(finishedAt);
      row.setStoppedAt(stoppedAt);
      row.update();
    }
  }

  /** The row of {@code invokeId}, locked until the end of the transaction (PostgreSQL). */
  private static InvocationRow lockedInvocation(DSLContext tx, InvokeId invokeId) {
    return locked(tx, tx.selectFrom(INVOCATION).where(INVOCATION.INVOKE_ID.eq(invokeId.value())))
        .fetchOptional()
        .orElseThrow(() -> new NoSuchElementException("no invocation " + invokeId));
  }

  /**
   * {@code select} with FOR NO KEY UPDATE on PostgreSQL (the lock an UPDATE takes, which the
   * foreign-key checks of inserts do not wait for): its rows stay locked to the end of the
   * transaction, and a row another transaction is changing is read once that one committed.
   * SQLite has no row locks and needs none: the IMMEDIATE transaction holds the database.
   */
  static <R extends Record> ResultQuery<R> locked(DSLContext tx, SelectForUpdateStep<R> select) {
    return tx.dialect().family() == SQLDialect.POSTGRES ? select.forNoKeyUpdate() : select;
  }

  /** The repeat mode of {@code invokeId}. */
  static RepeatMode mode(DSLContext tx, InvokeId invokeId) {
    return tx.select(INVOCATION.REPEAT_MODE)
        .from(INVOCATION)
        .where(INVOCATION.INVOKE_ID.eq(invokeId.value()))
        .fetchOptional(INVOCATION.REPEAT_MODE)
        .orElseThrow(() -> new NoSuchElementException("no invocation " + invokeId));
  }
}
