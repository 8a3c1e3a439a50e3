package io.fleetrun.store;

import static io.fleetrun.store.jooq.Tables.INVOCATION;
import static io.fleetrun.store.jooq.Tables.INVOCATION_INSTANCE;
import static io.fleetrun.store.jooq.Tables.INVOCATION_RECORD;

import io.fleetrun.model.DetailStatus;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.model.RepeatMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Ends what a previous daemon left running, in the caller's transaction: every Running record
 * ends Failed / Terminated / ExecutionInterrupted. An instance of a one-time invocation that
 * never got its record (the daemon died between creating the invocation and starting the
 * record) gets one such record too, or its invocation would stay Running forever.
 *
 * <p>On a cluster ({@code node} given) only the records of that node are its own to end: the
 * other nodes' Running records are running there now. A dead node's records are ended by the
 * survivor that declared it dead ({@link #ofDeadNode}, see {@link JooqInvocationStore#takeOverDeadNodes}).
 */
final class Orphans {
  /** Record ids per UPDATE, far below both databases' bound-variable limits. */
  private static final int CHUNK = 500;

  private final StatusWriter statuses;
  private final Optional<String> node;
  private final boolean neverStarted;
  /** The node that owes the kills of the ended records handed to SSH (kill_pending_by), if marked. */
  private final Optional<String> killer;

  Orphans(StatusWriter statuses) {
    this(statuses, Optional.empty());
  }

  /** @param node the node whose records are ended; empty: every Running record (SQLite) */
  Orphans(StatusWriter statuses, Optional<String> node) {
    this(statuses, node, true, Optional.empty());
  }

  /**
   * @param neverStarted whether never-started one-time instances get their interrupted record
   *     too: at a node's own start, yes; at the take-over of a dead node, no, since such an
   *     instance names no node (it may be a live node's fire being written right now)
   */
  private Orphans(StatusWriter statuses, Optional<String> node, boolean neverStarted, Optional<String> killer) {
    this.statuses = statuses;
    this.node = node;
    this.neverStarted = neverStarted;
    this.killer = killer;
  }

  /**
   * The Running records of {@code deadNode} only, for its take-over by {@code survivor}: those
   * handed to SSH are marked as owing their kill to it ({@link PendingKills}), in the same
   * transaction, so the kill is not lost if the survivor dies before making it.
   */
  static Orphans ofDeadNode(StatusWriter statuses, String deadNode, String survivor) {
    return new Orphans(statuses, Optional.of(deadNode), false, Optional.ofNullable(survivor));
  }

  /** As {@link OrphanedRecord#handedToSsh}: its script may run on the target. */
  private static final Condition HANDED_TO_SSH =
      INVOCATION_RECORD.DISPATCHED_AT.isNotNull().or(INVOCATION_RECORD.START_TIME.isNotNull());

  private Condition ours() {
    return node.map(INVOCATION_RECORD.NODE_ID::eq).orElse(DSL.noCondition());
  }

  List<OrphanedRecord> interrupt(DSLContext tx, Instant now, String info) {
    List<OrphanedRecord> found = new ArrayList<>(running(tx));
    if (neverStarted) {
      found.addAll(neverStarted(tx, now));
    }
    // Only the records read above, each only if it still runs: on PostgreSQL a record may start
    // or end between the read and this update, and what is returned must be what was ended.
    List<OrphanedRecord> orphans = new ArrayList<>();
    for (int from = 0; from < found.size(); from += CHUNK) {
      List<OrphanedRecord> chunk = found.subList(from, Math.min(found.size(), from + CHUNK));
      Set<Long> ended = new HashSet<>(tx.update(INVOCATION_RECORD)
          .set(INVOCATION_RECORD.STATUS, RecordStatus.Failed)
          .set(INVOCATION_RECORD.DETAIL_STATUS, DetailStatus.Terminated)
          .set(INVOCATION_RECORD.ERROR_CODE, ErrorCode.ExecutionInterrupted)
          .set(INVOCATION_RECORD.ERROR_INFO, info)
          .set(INVOCATION_RECORD.FINISH_TIME, now)
          .set(INVOCATION_RECORD.KILL_PENDING_BY, killer.isEmpty() ? INVOCATION_RECORD.KILL_PENDING_BY
              : DSL.when(HANDED_TO_SSH, DSL.val(killer.get())).otherwise(DSL.inline((String) null)))
          .where(INVOCATION_RECORD.RECORD_ID.in(chunk.stream().map(o -> o.id().value()).toList()))
          .and(INVOCATION_RECORD.STATUS.eq(RecordStatus.Running))
          .returningResult(INVOCATION_RECORD.RECORD_ID)
          .fetch(INVOCATION_RECORD.RECORD_ID));
      chunk.stream().filter(o -> ended.contains(o.id().value())).forEach(orphans::add);
    }
    Map<InvokeId, Set<InstanceId>> touched = new LinkedHashMap<>();
    for (OrphanedRecord orphan : orphans) {
      touched.computeIfAbsent(orphan.invokeId(), id -> new LinkedHashSet<>()).add(orphan.instance());
    }
    touched.forEach((id, instances) -> statuses.recompute(tx, id, instances, now));
    return orphans;
  }

  private List<OrphanedRecord> running(DSLContext tx) {
    return tx.select(INVOCATION_RECORD.RECORD_ID, INVOCATION_RECORD.INVOKE_ID,
            INVOCATION_RECORD.INSTANCE_ID, INVOCATION_RECORD.REMOTE_PGID,
            INVOCATION_RECORD.REMOTE_PGID_STARTED, INVOCATION_RECORD.START_TIME,
            INVOCATION_RECORD.DISPATCHED_AT)
        .from(INVOCATION_RECORD)
        .where(INVOCATION_RECORD.STATUS.eq(RecordStatus.Running))
        .and(ours())
        .orderBy(INVOCATION_RECORD.RECORD_ID)
        .fetch(r -> new OrphanedRecord(
            new RecordId(r.value1()),
            new InvokeId(r.value2()),
            new InstanceId(r.value3()),
            r.value4() == null ? OptionalLong.empty() : OptionalLong.of(r.value4()),
            r.value5() == null ? OptionalLong.empty() : OptionalLong.of(r.value5()),
            // Marked dispatched before its exec request could go out: it may run even without
            // a start time (the daemon died before that was written).
            r.value6() != null || r.value7() != null));
  }

  /** Inserts a Running record (ended with the others) for each never-started one-time instance. */
  private List<OrphanedRecord> neverStarted(DSLContext tx, Instant now) {
    var instances = tx.select(INVOCATION_INSTANCE.INVOKE_ID, INVOCATION_INSTANCE.INSTANCE_ID)
        .from(INVOCATION_INSTANCE)
        .join(INVOCATION).on(INVOCATION.INVOKE_ID.eq(INVOCATION_INSTANCE.INVOKE_ID))
        .where(INVOCATION.REPEAT_MODE.eq(RepeatMode.Once))
        .and(INVOCATION.STATUS.eq(InvocationStatus.Running))
        .and(INVOCATION_INSTANCE.REPEATS.eq(0))
        .orderBy(INVOCATION_INSTANCE.INVOKE_ID, INVOCATION_INSTANCE.INSTANCE_NO)
        .fetch();
    List<OrphanedRecord> orphans = new ArrayList<>();
    for (var instance : instances) {
      // Still without a record: a record started since the read (PostgreSQL) keeps repeat 1.
      int claimed = tx.update(INVOCATION_INSTANCE)
          .set(INVOCATION_INSTANCE.REPEATS, 1)
          .where(INVOCATION_INSTANCE.INVOKE_ID.eq(instance.value1()))
          .and(INVOCATION_INSTANCE.INSTANCE_ID.eq(instance.value2()))
          .and(INVOCATION_INSTANCE.REPEATS.eq(0))
          .execute();
      if (claimed == 0) {
        continue;
      }
      long id = tx.insertInto(INVOCATION_RECORD)
          .set(INVOCATION_RECORD.INVOKE_ID, instance.value1())
          .set(INVOCATION_RECORD.INSTANCE_ID, instance.value2())
          .set(INVOCATION_RECORD.REPEAT_NO, 1)
          .set(INVOCATION_RECORD.STATUS, RecordStatus.Running)
          .set(INVOCATION_RECORD.DETAIL_STATUS, DetailStatus.Pending)
          .set(INVOCATION_RECORD.SCHEDULED_AT, now)
          .set(INVOCATION_RECORD.NODE_ID, node.orElse(null))
          .returningResult(INVOCATION_RECORD.RECORD_ID)
          .fetchSingle()
          .value1();
      orphans.add(new OrphanedRecord(new RecordId(id), new InvokeId(instance.value1()),
          new InstanceId(instance.value2()), OptionalLong.empty(), OptionalLong.empty(), false));
    }
    return orphans;
  }
}
