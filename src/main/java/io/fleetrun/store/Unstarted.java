package io.fleetrun.store;

import static io.fleetrun.store.jooq.Tables.INVOCATION_INSTANCE;
import static io.fleetrun.store.jooq.Tables.INVOCATION_RECORD;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordEnd;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.RecordStatus;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.Record1;

/**
 * Ends, in the caller's transaction, what a fan-out left when it failed midway: records written
 * but never handed to the executor end as {@code end} says (if still Running with no exit and no
 * process group), and instances not stopped that never got this fire's record get one that has
 * already ended so, unless a record was started on them since the fan-out looked (the repair may
 * run seconds later, after the next fire); statuses are recomputed.
 */
final class Unstarted {
  private final StatusWriter statuses;

  Unstarted(StatusWriter statuses) {
    this.statuses = statuses;
  }

  /** Returns how many records it ended or wrote. */
  int end(DSLContext tx, InvokeId invokeId, Collection<RecordId> records,
      Map<InstanceId, Integer> instances, RecordEnd end) {
    Set<InstanceId> touched = new LinkedHashSet<>();
    int ended = 0;
    for (RecordId record : records) {
      List<String> instance = tx.update(INVOCATION_RECORD)
          .set(INVOCATION_RECORD.STATUS, end.status())
          .set(INVOCATION_RECORD.DETAIL_STATUS, end.detail())
          .set(INVOCATION_RECORD.ERROR_CODE, end.errorCode().orElse(null))
          .set(INVOCATION_RECORD.ERROR_INFO, end.errorInfo().orElse(null))
          .set(INVOCATION_RECORD.FINISH_TIME, end.endTime())
          .where(INVOCATION_RECORD.RECORD_ID.eq(record.value()))
          .and(INVOCATION_RECORD.INVOKE_ID.eq(invokeId.value()))
          .and(INVOCATION_RECORD.STATUS.eq(RecordStatus.Running))
          // Never handed to SSH, so nothing can have reported an exit or a process group; if
          // one is there, something runs or ran it and its own end is coming.
          .and(INVOCATION_RECORD.EXIT_CODE.isNull())
          .and(INVOCATION_RECORD.REMOTE_PGID.isNull())
          .returningResult(INVOCATION_RECORD.INSTANCE_ID)
          .fetch(Record1::value1);
      instance.forEach(i -> touched.add(new InstanceId(i)));
      ended += instance.size();
    }
    for (Map.Entry<InstanceId, Integer> unstarted : instances.entrySet()) {
      InstanceId instance = unstarted.getKey();
      int seen = unstarted.getValue();
      // As the restart repair's REPEATS = 0: only if no record was started on it since the
      // fan-out looked. A later fire's record (perhaps already Finished) is the newer truth.
      Integer repeatNo = tx.update(INVOCATION_INSTANCE)
          .set(INVOCATION_INSTANCE.REPEATS, seen + 1)
          .where(INVOCATION_INSTANCE.INVOKE_ID.eq(invokeId.value()))
          .and(INVOCATION_INSTANCE.INSTANCE_ID.eq(instance.value()))
          .and(INVOCATION_INSTANCE.STOPPED.isFalse())
          .and(INVOCATION_INSTANCE.REPEATS.eq(seen))
          .returningResult(INVOCATION_INSTANCE.REPEATS)
          .fetchOptional(Record1::value1)
          .orElse(null);
      if (repeatNo == null) {
        continue; // stopped, started by a later fire meanwhile, or not a member
      }
      tx.insertInto(INVOCATION_RECORD)
          .set(INVOCATION_RECORD.INVOKE_ID, invokeId.value())
          .set(INVOCATION_RECORD.INSTANCE_ID, instance.value())
          .set(INVOCATION_RECORD.REPEAT_NO, repeatNo)
          .set(INVOCATION_RECORD.STATUS, end.status())
          .set(INVOCATION_RECORD.DETAIL_STATUS, end.detail())
          .set(INVOCATION_RECORD.ERROR_CODE, end.errorCode().orElse(null))
          .set(INVOCATION_RECORD.ERROR_INFO, end.errorInfo().orElse(null))
          .set(INVOCATION_RECORD.SCHEDULED_AT, end.endTime())
          .set(INVOCATION_RECORD.FINISH_TIME, end.endTime())
          .execute();
      touched.add(instance);
      ended++;
    }
    if (!touched.isEmpty()) {
      statuses.recompute(tx, invokeId, touched, end.endTime());
    }
    return ended;
  }
}
