package io.fleetrun.store;

import static io.fleetrun.store.jooq.Tables.INVOCATION;
import static io.fleetrun.store.jooq.Tables.INVOCATION_RECORD;

import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordEnd;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.model.RepeatMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one batch of {@link JournalEvent}s in the caller's transaction, statuses included and
 * incrementally. The batch's records are read once; each event is decided in order against that
 * state (so several events of one record in a batch behave as if written one by one); the
 * changes go out as a few prepared-statement batches. Each ended record of a one-time invocation
 * gives its instance its status (the instance's status is its record's), then each one-time
 * invocation touched gets its overall status once, from its instance counts. Periodic
 * invocations recompute nothing: their statuses ignore records. Rules kept from {@link
 * JooqInvocationStore#endRecord}: only a Running record ends (a late outcome never overwrites a
 * stop); finished_at / stopped_at are set on the invocation's first end. A dispatch mark, too,
 * applies only to a Running record (one stopped while it waited must not start).
 */
final class JournalBatch {
  private static final Logger log = LoggerFactory.getLogger(JournalBatch.class);
  private static final String DISPATCHED =
      "UPDATE invocation_record SET dispatched_at = ? WHERE record_id = ? AND status = 'Running'";
  private static final String SENT =
      "UPDATE invocation_record SET start_time = ? WHERE record_id = ? AND start_time IS NULL";
  private static final String RUNNING = "UPDATE invocation_record SET detail_status = 'Running', remote_pgid = ?,"
      + " remote_pgid_started = ? WHERE record_id = ? AND status = 'Running'";
  private static final String ENDED = "UPDATE invocation_record SET status = ?, detail_status = ?, exit_code = ?,"
      + " error_code = ?, error_info = ?, output = ?, dropped = ?, finish_time = ?, stop_time = ?"
      + " WHERE record_id = ? AND status = 'Running'";
  private static final String INSTANCE =
      "UPDATE invocation_instance SET status = ? WHERE invoke_id = ? AND instance_id = ?";

  private final StatusWriter statuses;

  JournalBatch(StatusWriter statuses) {
    this.statuses = statuses;
  }

  /** A record as the batch found it, changed as its events are decided. */
  private static final class Row {
    final String invokeId;
    final String instanceId;
    boolean running;
    boolean startSet;
    /** Ended by a surviving node that declared this one dead (its error_info says so). */
    final boolean takenOver;

    Row(String invokeId, String instanceId, boolean running, boolean startSet, boolean takenOver) {
      this.invokeId = invokeId;
      this.instanceId = instanceId;
      this.running = running;
      this.startSet = startSet;
      this.takenOver = takenOver;
    }
  }

  /**
   * Applies {@code events} in order; returns whether each was applied. The overall statuses the
   * batch changed are put in {@code changed}.
   */
  List<Boolean> write(DSLContext tx, List<JournalEvent> events, Map<InvokeId, InvocationStatus> changed) {
    Map<Long, Row> rows = load(tx, events);
    List<Boolean> applied = new ArrayList<>(events.size());
    List<JournalEvent.Dispatched> dispatched = new ArrayList<>();
    List<JournalEvent.Sent> sent = new ArrayList<>();
    List<JournalEvent.Running> running = new ArrayList<>();
    List<JournalEvent.Ended> ended = new ArrayList<>();
    Map<InvokeId, Instant> endedIn = new LinkedHashMap<>();
    for (JournalEvent event : events) {
      Row row = rows.get(event.record().value());
      boolean ok = row != null && decide(event, row, dispatched, sent, running, ended);
      if (!ok && row != null && row.takenOver && event instanceof JournalEvent.Ended e) {
        // This node was declared dead while the record ran, and came back: the survivor's end stands.
        log.warn("record {}: refused this node's late end ({}): a surviving node declared this node dead"
            + " and ended the record", event.record(), e.end().status());
      }
      if (ok && event instanceof JournalEvent.Ended e) {
        endedIn.merge(new InvokeId(row.invokeId), e.end().endTime(), (a, b) -> a.isAfter(b) ? a : b);
      }
      applied.add(ok);
    }
    Map<InvokeId, RepeatMode> modes = modes(tx, endedIn.keySet());
    tx.connection(c -> execute(c, rows, modes, dispatched, sent, running, ended));
    endedIn.forEach((invokeId, at) -> {
      if (modes.get(invokeId) == RepeatMode.Once) {
        statuses.overallFromCounts(tx, invokeId, at).ifPresent(s -> changed.put(invokeId, s));
      }
    });
    return applied;
  }

  private static boolean decide(JournalEvent event, Row row, List<JournalEvent.Dispatched> dispatched,
      List<JournalEvent.Sent> sent, List<JournalEvent.Running> running, List<JournalEvent.Ended> ended) {
    if (event instanceof JournalEvent.Sent s) {
      // Whatever the status: the end may come before the send (they come from different
      // threads), and the start time is still true.
      if (row.startSet) {
        return false;
      }
      row.startSet = true;
      sent.add(s);
      return true;
    }
    if (!row.running) {
      return false;
    }
    if (event instanceof JournalEvent.Dispatched d) {
      // Only a record still Running: one stopped while it waited must not start.
      dispatched.add(d);
    } else if (event instanceof JournalEvent.Running r) {
      running.add(r);
    } else {
      row.running = false;
      ended.add((JournalEvent.Ended) event);
    }
    return true;
  }

  /**
   * The batch's records as they are now, locked until the batch commits: each event is decided
   * against this state, so no other writer may change it in between. SQLite's IMMEDIATE
   * transaction holds the one write lock already; PostgreSQL has many writers (a stop, another
   * daemon), so the rows are read FOR UPDATE, in record order (two batches never deadlock).
   */
  private static Map<Long, Row> load(DSLContext tx, List<JournalEvent> events) {
    List<Long> ids = events.stream().map(e -> e.record().value()).distinct().sorted().toList();
    Map<Long, Row> rows = new HashMap<>();
    var select = tx.select(INVOCATION_RECORD.RECORD_ID, INVOCATION_RECORD.INVOKE_ID, INVOCATION_RECORD.INSTANCE_ID,
            INVOCATION_RECORD.STATUS, INVOCATION_RECORD.START_TIME, INVOCATION_RECORD.ERROR_INFO)
        .from(INVOCATION_RECORD)
        .where(INVOCATION_RECORD.RECORD_ID.in(ids))
        .orderBy(INVOCATION_RECORD.RECORD_ID);
    var found = tx.dialect().family() == SQLDialect.POSTGRES ? select.forUpdate().fetch() : select.fetch();
    found.forEach(r -> rows.put(r.value1(),
        new Row(r.value2(), r.value3(), r.value4() == RecordStatus.Running, r.value5() != null,
            r.value6() != null && r.value6().startsWith(DeadNode.TAKEN_OVER_PREFIX))));
    return rows;
  }

  private static Map<InvokeId, RepeatMode> modes(DSLContext tx, java.util.Set<InvokeId> invocations) {
    Map<InvokeId, RepeatMode> modes = new HashMap<>();
    if (!invocations.isEmpty()) {
      tx.select(INVOCATION.INVOKE_ID, INVOCATION.REPEAT_MODE)
          .from(INVOCATION)
          .where(INVOCATION.INVOKE_ID.in(invocations.stream().map(InvokeId::value).toList()))
          .forEach(r -> modes.put(new InvokeId(r.value1()), r.value2()));
    }
    return modes;
  }

  private static void execute(Connection c, Map<Long, Row> rows, Map<InvokeId, RepeatMode> modes,
      List<JournalEvent.Dispatched> dispatched, List<JournalEvent.Sent> sent, List<JournalEvent.Running> running,
      List<JournalEvent.Ended> ended) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(DISPATCHED)) {
      for (JournalEvent.Dispatched d : dispatched) {
        ps.setString(1, UtcText.format(d.at()));
        ps.setLong(2, d.record().value());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps = c.prepareStatement(SENT)) {
      for (JournalEvent.Sent s : sent) {
        ps.setString(1, UtcText.format(s.startTime()));
        ps.setLong(2, s.record().value());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps = c.prepareStatement(RUNNING)) {
      for (JournalEvent.Running r : running) {
        ps.setLong(1, r.processGroup());
        if (r.leaderStart().isPresent()) {
          ps.setLong(2, r.leaderStart().getAsLong());
        } else {
          ps.setNull(2, Types.BIGINT);
        }
        ps.setLong(3, r.record().value());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    try (PreparedStatement end = c.prepareStatement(ENDED); PreparedStatement instance = c.prepareStatement(INSTANCE)) {
      for (JournalEvent.Ended e : ended) {
        bindEnd(end, e.record().value(), e.end());
        end.addBatch();
        Row row = rows.get(e.record().value());
        // One-time: one record per instance, so the instance's status is this record's.
        if (modes.get(new InvokeId(row.invokeId)) == RepeatMode.Once) {
          instance.setString(1, e.end().status().name());
          instance.setString(2, row.invokeId);
          instance.setString(3, row.instanceId);
          instance.addBatch();
        }
      }
      end.executeBatch();
      instance.executeBatch();
    }
  }

  private static void bindEnd(PreparedStatement ps, long record, RecordEnd end) throws SQLException {
    ps.setString(1, end.status().name());
    ps.setString(2, end.detail().name());
    if (end.exitCode().isPresent()) {
      ps.setInt(3, end.exitCode().get());
    } else {
      ps.setNull(3, Types.INTEGER);
    }
    ps.setString(4, end.errorCode().map(Enum::name).orElse(null));
    ps.setString(5, end.errorInfo().orElse(null));
    ps.setString(6, end.output().text());
    ps.setLong(7, end.output().dropped());
    ps.setString(8, UtcText.format(end.endTime()));
    ps.setString(9, end.status() == RecordStatus.Stopped ? UtcText.format(end.endTime()) : null);
    ps.setLong(10, record);
  }
}
