package io.fleetrun.store;

import static io.fleetrun.store.jooq.Tables.INVOCATION_INSTANCE;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordStatus;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Which instances belong to an invocation, for a periodic job whose targets changed in config.
 * Works in the caller's transaction.
 */
final class InstanceMembership {
  private final StatusWriter statuses;

  InstanceMembership(StatusWriter statuses) {
    this.statuses = statuses;
  }

  /** Every instance of {@code invokeId}, stopped or not, in the order they were added. */
  static List<InstanceId> all(DSLContext tx, InvokeId invokeId) {
    return tx.select(INVOCATION_INSTANCE.INSTANCE_ID)
        .from(INVOCATION_INSTANCE)
        .where(INVOCATION_INSTANCE.INVOKE_ID.eq(invokeId.value()))
        .orderBy(INVOCATION_INSTANCE.INSTANCE_NO)
        .fetch(r -> new InstanceId(r.value1()));
  }

  /**
   * Makes {@code instances} active members of {@code invokeId}: a missing one gets a new row
   * (Running, after the others), a stopped one is no longer stopped. Statuses are recomputed, so
   * an invocation that had ended runs again.
   *
   * @throws java.util.NoSuchElementException when there is no invocation {@code invokeId}
   */
  void include(DSLContext tx, InvokeId invokeId, Collection<InstanceId> instances, Instant now) {
    StatusWriter.mode(tx, invokeId); // fails for an unknown invocation before anything is written
    List<InstanceId> known = all(tx, invokeId);
    int next = tx.select(DSL.coalesce(DSL.max(INVOCATION_INSTANCE.INSTANCE_NO), -1))
        .from(INVOCATION_INSTANCE)
        .where(INVOCATION_INSTANCE.INVOKE_ID.eq(invokeId.value()))
        .fetchSingle()
        .value1() + 1;
    for (InstanceId instance : instances) {
      if (known.contains(instance)) {
        tx.update(INVOCATION_INSTANCE)
            .set(INVOCATION_INSTANCE.STOPPED, false)
            .setNull(INVOCATION_INSTANCE.STOPPED_AT)
            .where(INVOCATION_INSTANCE.INVOKE_ID.eq(invokeId.value()))
            .and(INVOCATION_INSTANCE.INSTANCE_ID.eq(instance.value()))
            .execute();
      } else {
        tx.insertInto(INVOCATION_INSTANCE)
            .set(INVOCATION_INSTANCE.INVOKE_ID, invokeId.value())
            .set(INVOCATION_INSTANCE.INSTANCE_ID, instance.value())
            .set(INVOCATION_INSTANCE.INSTANCE_NO, next++)
            .set(INVOCATION_INSTANCE.STATUS, RecordStatus.Running)
            // Another daemon's reload may add the same instance at once (PostgreSQL): one row.
            .onConflictDoNothing()
            .execute();
      }
    }
    statuses.recompute(tx, invokeId, List.copyOf(instances), now);
  }
}
