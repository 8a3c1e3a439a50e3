package io.fleetrun.store;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.JobId;
import io.fleetrun.store.JooqStatusQueries.RunningRecord;
import io.fleetrun.store.JooqStatusQueries.RunningRecords;
import io.fleetrun.store.JooqStatusQueries.ScheduledJob;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code fleetrun status} reads, in plain JDBC over a {@link ReadOnlyDatabase} (the same
 * answers as {@link JooqStatusQueries} and the heartbeat reads of {@link JooqControlChannel},
 * without loading jOOQ: the CLI must answer quickly).
 */
public final class JdbcStatusQueries {
  private final ReadOnlyDatabase db;

  public JdbcStatusQueries(ReadOnlyDatabase db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  /** The most recent heartbeat row, as {@link ControlChannel#latestHeartbeat()}. */
  public Optional<Heartbeat> latestHeartbeat() {
    return JdbcRows.query(db, "SELECT * FROM daemon_heartbeat ORDER BY beat_at DESC LIMIT 1", List.of(),
        rs -> new Heartbeat(new DaemonInfo(rs.getString("node_id"), rs.getLong("pid"), rs.getString("host"),
            rs.getString("version"), rs.getString("config_file"), Instant.parse(rs.getString("started_at"))),
            Instant.parse(rs.getString("beat_at"))))
        .stream().findFirst();
  }

  /** The last config reload of daemon {@code nodeId}, as {@link ControlChannel#lastReload}. */
  public Optional<ReloadResult> lastReload(String nodeId) {
    return JdbcRows.query(db, "SELECT last_reload_at, last_reload_result, last_reload_message"
            + " FROM daemon_heartbeat WHERE node_id = ? AND last_reload_at IS NOT NULL", List.of(nodeId),
        rs -> new ReloadResult(Instant.parse(rs.getString(1)), ReloadResult.OK.equals(rs.getString(2)),
            Objects.requireNonNullElse(rs.getString(3), "")))
        .stream().findFirst();
  }

  /** Every scheduled fleetrun job, soonest next fire first (jobs that fire no more last). */
  public List<ScheduledJob> scheduledJobs() {
    return JdbcRows.query(db, "SELECT TRIGGER_NAME, NEXT_FIRE_TIME, TRIGGER_STATE FROM QRTZ_TRIGGERS"
            + " WHERE TRIGGER_GROUP = ? ORDER BY NEXT_FIRE_TIME IS NULL, NEXT_FIRE_TIME, TRIGGER_NAME",
        List.of(JooqStatusQueries.TRIGGER_GROUP), JdbcStatusQueries::scheduledJob);
  }

  private static ScheduledJob scheduledJob(ResultSet rs) throws SQLException {
    long next = rs.getLong(2);
    Optional<Instant> nextFire = rs.wasNull() || next < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(next));
    return new ScheduledJob(new JobId(rs.getString(1)), nextFire, rs.getString(3));
  }

  /**
   * How many records run now, and the {@code limit} most recently started of them. A record not
   * sent yet (no {@code start_time}) counts from its scheduled time.
   */
  public RunningRecords runningRecords(int limit) {
    int count = JdbcRows.query(db, "SELECT count(*) FROM invocation_record WHERE status = 'Running'",
        List.of(), rs -> rs.getInt(1)).get(0);
    List<RunningRecord> newest = JdbcRows.query(db,
        "SELECT r.invoke_id, r.instance_id, i.job_id, coalesce(r.start_time, r.scheduled_at) AS since"
            + " FROM invocation_record r JOIN invocation i ON i.invoke_id = r.invoke_id"
            + " WHERE r.status = 'Running' ORDER BY r.start_time DESC, r.record_id DESC LIMIT ?",
        List.of(limit),
        rs -> new RunningRecord(new InvokeId(rs.getString(1)), new InstanceId(rs.getString(2)),
            Optional.ofNullable(rs.getString(3)).map(JobId::new), Instant.parse(rs.getString(4))));
    return new RunningRecords(count, newest);
  }

  /** CLI requests the daemon has not answered yet. */
  public int pendingRequests() {
    return JdbcRows.query(db, "SELECT count(*) FROM control_request WHERE done_at IS NULL", List.of(),
        rs -> rs.getInt(1)).get(0);
  }
}
