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
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.jooq.DSLContext;

/**
 * Recomputes and writes the statuses of invocation instances and invocations, inside the
 * caller's transaction, so that a SQL reader always sees statuses that match the records.
 */
final class StatusWriter {
  private final StatusRules rules;

  StatusWriter(StatusRules rules) {
    this.rules = rules;
  }

  /** Recomputes the status of one instance from its newest record and its stopped flag. */
  void instance(DSLContext tx, RepeatMode mode, InvokeId invokeId, InstanceId instance) {
    InvocationInstanceRow row =
        tx.selectFrom(INVOCATION_INSTANCE)
            .where(INVOCATION_INSTANCE.INVOKE_ID.eq(invokeId.value()))
            .and(INVOCATION_INSTANCE.INSTANCE_ID.eq(instance.value()))
            .fetchOptional()
            .orElseThrow(() -> new NoSuchElementException(
                "invocation " + invokeId + " has no instance " + instance));
    Optional<RecordStatus> latest =
        tx.select(INVOCATION_RECORD.STATUS)
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
   * Recomputes the overall status of {@code invokeId} from its instance statuses. The first time
   * it ends, {@code finished_at} becomes {@code now} (and {@code stopped_at} when it ended
   * Stopped); should it run again, both are cleared.
   */
  void overall(DSLContext tx, InvokeId invokeId, Instant now) {
    InvocationRow row = invocation(tx, invokeId);
    List<RecordStatus> instances =
        tx.select(INVOCATION_INSTANCE.STATUS)
            .from(INVOCATION_INSTANCE)
            .where(INVOCATION_INSTANCE.INVOKE_ID.eq(invokeId.value()))
            .orderBy(INVOCATION_INSTANCE.INSTANCE_NO)
            .fetch(INVOCATION_INSTANCE.STATUS);
    InvocationStatus status = rules.overall(row.getRepeatMode(), instances);
    row.setStatus(status);
    if (!status.isEnded()) {
      row.setFinishedAt(null);
      row.setStoppedAt(null);
    } else if (row.getFinishedAt() == null) {
      row.setFinishedAt(now);
      row.setStoppedAt(status == InvocationStatus.Stopped ? now : null);
    }
    if (row.changed()) {
      row.update();
    }
  }

  /** The mode of {@code invokeId}. */
  RepeatMode mode(DSLContext tx, InvokeId invokeId) {
    return invocation(tx, invokeId).getRepeatMode();
  }

  private static InvocationRow invocation(DSLContext tx, InvokeId invokeId) {
    return tx.selectFrom(INVOCATION)
        .where(INVOCATION.INVOKE_ID.eq(invokeId.value()))
        .fetchOptional()
        .orElseThrow(() -> new NoSuchElementException("no invocation " + invokeId));
  }
}
