package io.fleetrun.store;

import io.fleetrun.model.DatabaseSettings;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.JobId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code fleetrun status} reads, in plain JDBC over a {@link ReadOnlyDatabase} (the
 * heartbeat reads answer as those of {@link JooqControlChannel}, without loading jOOQ: the CLI
 * must answer quickly): the daemon's heartbeat, the schedule Quartz keeps, the records that run
 * now and the CLI requests not yet answered.
 */
public final class JdbcStatusQueries {
  /**
   * The trigger group of fleetrun's jobs ({@code JobTriggers.GROUP} in {@code schedule}); a
   * trigger's name is its job's id.
   */
  static final String TRIGGER_GROUP = "fleetrun";

  /**
   * A job as Quartz has it scheduled.
   *
   * @param nextFire empty when it will not fire again (a one-time job that fired)
   * @param state Quartz's trigger state: {@code WAITING}, {@code ACQUIRED}, {@code BLOCKED}
   *     (firing now), {@code PAUSED}, {@code ERROR}, ...
   */
  public record ScheduledJob(JobId job, Optional<Instant> nextFire, String state) {}

  /**
   * A record of status Running.
   *
   * @param startTime when its exec request was sent; empty while it waits for a session slot or
   *     its connection (detail Pending)
   * @param scheduledAt its fire time (the request time of an ad-hoc run)
   */
  public record RunningRecord(InvokeId invokeId, InstanceId instance, Optional<JobId> job,
      Optional<Instant> startTime, Instant scheduledAt) {
    /** Not sent to its target yet. */
    public boolean waiting() {
      return startTime.isEmpty();
    }
  }

  /**
   * Records of status Running.
   *
   * @param count all of them, waiting ones included
   * @param waiting those not sent to their target yet (no {@code start_time})
   * @param newest the most recently started ones, newest first, then (when fewer have started
   *     than asked for) waiting ones, longest waiting first
   */
  public record RunningRecords(int count, int waiting, List<RunningRecord> newest) {
    public RunningRecords {
      newest = List.copyOf(newest);
    }
  }

  private final ReadConnections db;

  public JdbcStatusQueries(ReadConnections db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  /**
   * The most recent heartbeat row, as {@link ControlChannel#latestHeartbeat()}: on PostgreSQL with
   * the database's clock read in the same query (see {@link Heartbeat}).
   */
  public Optional<Heartbeat> latestHeartbeat() {
    boolean postgresql = DatabaseSettings.kindOf(db.jdbcUrl()) == DatabaseSettings.Kind.POSTGRESQL;
    return JdbcRows.query(db, "SELECT *" + (postgresql ? ", " + DatabaseClock.NOW_TEXT + " AS read_at" : "")
            + " FROM daemon_heartbeat ORDER BY beat_at DESC LIMIT 1", List.of(),
        rs -> new Heartbeat(new DaemonInfo(rs.getString("node_id"), rs.getLong("pid"), rs.getString("host"),
            rs.getString("version"), rs.getString("config_file"), Instant.parse(rs.getString("started_at"))),
            Instant.parse(rs.getString("beat_at")),
            postgresql ? Optional.of(Instant.parse(rs.getString("read_at"))) : Optional.empty()))
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
        List.of(TRIGGER_GROUP), JdbcStatusQueries::scheduledJob);
  }

  private static ScheduledJob scheduledJob(ResultSet rs) throws SQLException {
    long next = rs.getLong(2);
    Optional<Instant> nextFire = rs.wasNull() || next < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(next));
    return new ScheduledJob(new JobId(rs.getString(1)), nextFire, rs.getString(3));
  }

  /**
   * How many records are Running (and how many of them wait, not sent yet), and {@code limit} of
   * them: the most recently started first, then waiting ones, longest waiting first. Both come
   * along the {@code (status, start_time)} index: started ones from its end, waiting ones (NULL
   * start_time) from its start.
   */
  public RunningRecords runningRecords(int limit) {
    int[] counts = JdbcRows.query(db,
        "SELECT count(*), count(start_time) FROM invocation_record WHERE status = 'Running'",
        List.of(), rs -> new int[] {rs.getInt(1), rs.getInt(2)}).get(0);
    int waiting = counts[0] - counts[1];
    List<RunningRecord> shown = new ArrayList<>(JdbcRows.query(db, RUNNING_SELECT
            + " WHERE r.status = 'Running' AND r.start_time IS NOT NULL"
            + " ORDER BY r.start_time DESC, r.record_id DESC LIMIT ?",
        List.of(limit), JdbcStatusQueries::runningRecord));
    if (shown.size() < limit && waiting > 0) {
      shown.addAll(JdbcRows.query(db, RUNNING_SELECT
              + " WHERE r.status = 'Running' AND r.start_time IS NULL ORDER BY r.record_id LIMIT ?",
          List.of(limit - shown.size()), JdbcStatusQueries::runningRecord));
    }
    return new RunningRecords(counts[0], waiting, shown);
  }

  private static final String RUNNING_SELECT =
      "SELECT r.invoke_id, r.instance_id, i.job_id, r.start_time, r.scheduled_at"
          + " FROM invocation_record r JOIN invocation i ON i.invoke_id = r.invoke_id";

  private static RunningRecord runningRecord(ResultSet rs) throws SQLException {
    return new RunningRecord(new InvokeId(rs.getString(1)), new InstanceId(rs.getString(2)),
        Optional.ofNullable(rs.getString(3)).map(JobId::new), JdbcRows.time(rs, "start_time"),
        Instant.parse(rs.getString(5)));
  }

  /** Invocations whose overall status is Running (along the {@code (status, created_at)} index). */
  public int runningInvocations() {
    return JdbcRows.query(db, "SELECT count(*) FROM invocation WHERE status = 'Running'", List.of(),
        rs -> rs.getInt(1)).get(0);
  }

  /** CLI requests the daemon has not answered yet. */
  public int pendingRequests() {
    return JdbcRows.query(db, "SELECT count(*) FROM control_request WHERE done_at IS NULL", List.of(),
        rs -> rs.getInt(1)).get(0);
  }
}
