package io.fleetrun.store;

import static io.fleetrun.store.jooq.Tables.INVOCATION_INSTANCE;
import static io.fleetrun.store.jooq.Tables.INVOCATION_RECORD;

import io.fleetrun.model.DetailStatus;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.RecordStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.jooq.InsertValuesStep6;
import org.jooq.InsertValuesStep7;
import org.jooq.exception.DataAccessException;
import io.fleetrun.store.jooq.tables.records.InvocationInstanceRow;
import io.fleetrun.store.jooq.tables.records.InvocationRecordRow;

/**
 * Writes a fire's rows in the caller's transaction with multi-row statements: the instances of a
 * new invocation, and one record (Running / Pending, {@code scheduled_at} set, no start time) per
 * firing instance, with the node that writes it ({@code node_id}: the node that dispatches it;
 * a second record of one instance and fire time is refused by the {@code invocation_record_fire}
 * index, see {@link DuplicateFireException}). Statuses need no recompute here: a new one-time invocation and its instances
 * are Running (as written), and a periodic fire changes no status.
 */
final class FireWriter {
  /** Rows per statement: 8 values a row stays far below SQLite's 32,766 bound variables. */
  private static final int CHUNK = 500;

  private FireWriter() {}

  /** Inserts the instances of a new invocation, Running, with {@code repeats} records each. */
  static void insertInstances(DSLContext tx, InvokeId id, List<InstanceId> instances, int repeats) {
    for (int from = 0; from < instances.size(); from += CHUNK) {
      InsertValuesStep6<InvocationInstanceRow, String, String, Integer, RecordStatus, Integer, Integer> insert =
          tx.insertInto(INVOCATION_INSTANCE, INVOCATION_INSTANCE.INVOKE_ID, INVOCATION_INSTANCE.INSTANCE_ID,
              INVOCATION_INSTANCE.INSTANCE_NO, INVOCATION_INSTANCE.STATUS, INVOCATION_INSTANCE.REPEATS,
              INVOCATION_INSTANCE.SKIPPED);
      for (int no = from; no < Math.min(instances.size(), from + CHUNK); no++) {
        insert = insert.values(id.value(), instances.get(no).value(), no, RecordStatus.Running, repeats, 0);
      }
      insert.execute();
    }
  }

  /**
   * Adds the next record of each of {@code firing} (those stopped or not members are left out)
   * and counts one skipped fire on each of {@code skipped}. Returns the records, in the order of
   * {@code firing}.
   */
  static List<PendingRecord> fire(DSLContext tx, InvokeId id, List<InstanceId> firing,
      Collection<InstanceId> skipped, Instant scheduledAt, String nodeId) {
    if (!skipped.isEmpty()) {
      // A duplicate fire whose instances all still run this very fire's records inserts no record
      // for the index to refuse: it must not count skips, so it is refused here, as that insert is.
      if (hasRecordOfFire(tx, id, skipped, scheduledAt)) {
        throw new DuplicateFireException(id, scheduledAt);
      }
      tx.update(INVOCATION_INSTANCE)
          .set(INVOCATION_INSTANCE.SKIPPED, INVOCATION_INSTANCE.SKIPPED.plus(1))
          .where(INVOCATION_INSTANCE.INVOKE_ID.eq(id.value()))
          .and(INVOCATION_INSTANCE.INSTANCE_ID.in(skipped.stream().map(InstanceId::value).toList()))
          .execute();
    }
    Map<String, Integer> repeatNo = new HashMap<>();
    for (int from = 0; from < firing.size(); from += CHUNK) {
      List<String> chunk = firing.subList(from, Math.min(firing.size(), from + CHUNK)).stream()
          .map(InstanceId::value).toList();
      tx.update(INVOCATION_INSTANCE)
          .set(INVOCATION_INSTANCE.REPEATS, INVOCATION_INSTANCE.REPEATS.plus(1))
          .where(INVOCATION_INSTANCE.INVOKE_ID.eq(id.value()))
          .and(INVOCATION_INSTANCE.INSTANCE_ID.in(chunk))
          .and(INVOCATION_INSTANCE.STOPPED.isFalse())
          .returningResult(INVOCATION_INSTANCE.INSTANCE_ID, INVOCATION_INSTANCE.REPEATS)
          .fetch()
          .forEach(r -> repeatNo.put(r.value1(), r.value2()));
    }
    List<InstanceId> written = firing.stream().filter(i -> repeatNo.containsKey(i.value())).toList();
    return insertRecords(tx, id, written, repeatNo, scheduledAt, nodeId);
  }

  /** Whether one of {@code instances} has a record of the fire due {@code scheduledAt} (as the index sees it). */
  private static boolean hasRecordOfFire(DSLContext tx, InvokeId id, Collection<InstanceId> instances,
      Instant scheduledAt) {
    return tx.fetchExists(INVOCATION_RECORD, INVOCATION_RECORD.INVOKE_ID.eq(id.value())
        .and(INVOCATION_RECORD.INSTANCE_ID.in(instances.stream().map(InstanceId::value).toList()))
        .and(INVOCATION_RECORD.SCHEDULED_AT.eq(scheduledAt))
        .and(INVOCATION_RECORD.NODE_ID.isNotNull()));
  }

  /** One record per instance of a new one-time invocation (repeat 1). */
  static List<PendingRecord> firstRecords(DSLContext tx, InvokeId id, List<InstanceId> instances,
      Instant scheduledAt, String nodeId) {
    Map<String, Integer> one = new HashMap<>();
    instances.forEach(i -> one.put(i.value(), 1));
    return insertRecords(tx, id, instances, one, scheduledAt, nodeId);
  }

  private static List<PendingRecord> insertRecords(DSLContext tx, InvokeId id, List<InstanceId> instances,
      Map<String, Integer> repeatNo, Instant scheduledAt, String nodeId) {
    Map<String, Long> ids = new LinkedHashMap<>();
    for (int from = 0; from < instances.size(); from += CHUNK) {
      InsertValuesStep7<InvocationRecordRow, String, String, Integer, RecordStatus, DetailStatus, Instant, String> insert =
          tx.insertInto(INVOCATION_RECORD, INVOCATION_RECORD.INVOKE_ID, INVOCATION_RECORD.INSTANCE_ID,
              INVOCATION_RECORD.REPEAT_NO, INVOCATION_RECORD.STATUS, INVOCATION_RECORD.DETAIL_STATUS,
              INVOCATION_RECORD.SCHEDULED_AT, INVOCATION_RECORD.NODE_ID);
      for (InstanceId instance : instances.subList(from, Math.min(instances.size(), from + CHUNK))) {
        insert = insert.values(id.value(), instance.value(), repeatNo.get(instance.value()),
            RecordStatus.Running, DetailStatus.Pending, scheduledAt, nodeId);
      }
      try {
        insert.execute();
      } catch (DataAccessException e) {
        throw DuplicateFireException.of(e, id, scheduledAt).orElseThrow(() -> e);
      }
      // Read back by the unique (invoke_id, instance_id, repeat_no): jOOQ's RETURNING on a
      // multi-row SQLite insert yields only the last id.
      List<String> chunk = instances.subList(from, Math.min(instances.size(), from + CHUNK)).stream()
          .map(InstanceId::value).toList();
      int lowest = chunk.stream().mapToInt(repeatNo::get).min().orElse(1);
      tx.select(INVOCATION_RECORD.INSTANCE_ID, INVOCATION_RECORD.REPEAT_NO, INVOCATION_RECORD.RECORD_ID)
          .from(INVOCATION_RECORD)
          .where(INVOCATION_RECORD.INVOKE_ID.eq(id.value()))
          .and(INVOCATION_RECORD.INSTANCE_ID.in(chunk))
          .and(INVOCATION_RECORD.REPEAT_NO.ge(lowest))
          .fetch()
          .forEach(r -> {
            if (r.value2().equals(repeatNo.get(r.value1()))) {
              ids.put(r.value1(), r.value3());
            }
          });
    }
    List<PendingRecord> records = new ArrayList<>(instances.size());
    for (InstanceId instance : instances) {
      records.add(new PendingRecord(new RecordId(ids.get(instance.value())), instance,
          repeatNo.get(instance.value())));
    }
    return records;
  }
}
