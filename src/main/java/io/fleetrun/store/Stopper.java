package io.fleetrun.store;

import static io.fleetrun.store.jooq.Tables.INVOCATION_INSTANCE;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.jooq.DSLContext;

/** Marks invocation instances stopped and recomputes their statuses, in the caller's transaction. */
final class Stopper {
  private final StatusWriter statuses;

  Stopper(StatusWriter statuses) {
    this.statuses = statuses;
  }

  /**
   * Stops {@code instances} of {@code invokeId}, or all of them when the set is empty. Instances
   * already stopped keep their first stop time.
   *
   * @throws java.util.NoSuchElementException when there is no invocation {@code invokeId}
   * @throws IllegalArgumentException naming the instances that {@code invokeId} does not have
   */
  void stop(DSLContext tx, InvokeId invokeId, Set<InstanceId> instances, Instant now) {
    StatusWriter.mode(tx, invokeId); // fails for an unknown invocation before anything is written
    List<String> known = tx.select(INVOCATION_INSTANCE.INSTANCE_ID)
        .from(INVOCATION_INSTANCE)
        .where(INVOCATION_INSTANCE.INVOKE_ID.eq(invokeId.value()))
        .orderBy(INVOCATION_INSTANCE.INSTANCE_NO)
        .fetch(INVOCATION_INSTANCE.INSTANCE_ID);
    Set<String> wanted = instances.stream().map(InstanceId::value).collect(Collectors.toSet());
    Set<String> unknown = new LinkedHashSet<>(wanted);
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "invocation " + invokeId + " has no instance " + String.join(", ", unknown));
    }
    List<String> targets = wanted.isEmpty() ? known : known.stream().filter(wanted::contains).toList();
    tx.update(INVOCATION_INSTANCE)
        .set(INVOCATION_INSTANCE.STOPPED, true)
        .set(INVOCATION_INSTANCE.STOPPED_AT, now)
        .where(INVOCATION_INSTANCE.INVOKE_ID.eq(invokeId.value()))
        .and(INVOCATION_INSTANCE.INSTANCE_ID.in(targets))
        .and(INVOCATION_INSTANCE.STOPPED.isFalse())
        .execute();
    statuses.recompute(tx, invokeId, targets.stream().map(InstanceId::new).toList(), now);
  }
}
