package io.fleetrun.store;

import static io.fleetrun.store.jooq.Tables.DAEMON_NODE;
import static io.fleetrun.store.jooq.Tables.INVOCATION_RECORD;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordId;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The remote kills a take-over owes ({@code invocation_record.kill_pending_by}, PostgreSQL
 * clusters). The survivor that ends a dead node's records marks those handed to SSH as owing
 * their kill to it in the same transaction, and clears the mark once it has tried each kill
 * (whatever came of it, as a restart tries once). A survivor that dies or stops between the two
 * leaves the marks: the next start under its node id takes them, and so does any live node once
 * that survivor is stopped or declared dead, so the remote processes are not left running.
 */
final class PendingKills {
  private PendingKills() {}

  /**
   * Makes {@code node} the owner of the kills it owes already (its previous process died before
   * making them) and of those owed by nodes stopped or declared dead; returns them. Of two nodes
   * asking at once, each row goes to one: the UPDATE locks it, and the second re-reads it owned by
   * the first, a live node.
   */
  static List<OrphanedRecord> claim(DSLContext tx, String node) {
    return tx.update(INVOCATION_RECORD)
        .set(INVOCATION_RECORD.KILL_PENDING_BY, node)
        .where(INVOCATION_RECORD.KILL_PENDING_BY.eq(node)
            .or(INVOCATION_RECORD.KILL_PENDING_BY.in(DSL.select(DAEMON_NODE.NODE_ID).from(DAEMON_NODE)
                .where(DAEMON_NODE.NODE_ID.ne(node))
                .and(DAEMON_NODE.STOPPED_AT.isNotNull().or(DAEMON_NODE.DECLARED_DEAD_AT.isNotNull())))))
        .returningResult(INVOCATION_RECORD.RECORD_ID, INVOCATION_RECORD.INVOKE_ID, INVOCATION_RECORD.INSTANCE_ID,
            INVOCATION_RECORD.REMOTE_PGID, INVOCATION_RECORD.REMOTE_PGID_STARTED)
        .fetch(r -> new OrphanedRecord(new RecordId(r.value1()), new InvokeId(r.value2()),
            new InstanceId(r.value3()),
            r.value4() == null ? OptionalLong.empty() : OptionalLong.of(r.value4()),
            r.value5() == null ? OptionalLong.empty() : OptionalLong.of(r.value5()), true))
        .stream()
        .sorted(Comparator.comparingLong(o -> o.id().value()))
        .toList();
  }

  /** Clears {@code node}'s marks on {@code records}: their kills were tried. */
  static void done(DSLContext dsl, String node, Collection<RecordId> records) {
    List<Long> ids = records.stream().map(RecordId::value).toList();
    for (int from = 0; from < ids.size(); from += 500) {
      dsl.update(INVOCATION_RECORD)
          .setNull(INVOCATION_RECORD.KILL_PENDING_BY)
          .where(INVOCATION_RECORD.RECORD_ID.in(ids.subList(from, Math.min(ids.size(), from + 500))))
          .and(INVOCATION_RECORD.KILL_PENDING_BY.eq(node))
          .execute();
    }
  }
}
