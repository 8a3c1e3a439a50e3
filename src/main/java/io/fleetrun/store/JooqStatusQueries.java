package io.fleetrun.store;

import static io.fleetrun.store.jooq.Tables.CONTROL_REQUEST;
import static io.fleetrun.store.jooq.Tables.INVOCATION;
import static io.fleetrun.store.jooq.Tables.INVOCATION_RECORD;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.JobId;
import io.fleetrun.model.RecordStatus;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;

/**
 * What {@code fleetrun status} shows besides the heartbeat: the schedule Quartz keeps, the
 * records that run now, and the CLI requests not yet answered. Read-only.
 */
public final class JooqStatusQueries {
  /**
   * The trigger group of fleetrun's jobs ({@code JobTriggers.GROUP} in {@code schedule}); a
   * trigger's name is its job's id.
   */
  static final String TRIGGER_GROUP = "fleetrun";

  // Quartz's own table, outside the generated classes: plain, unquoted names, so they match
  // however the database folded them (SQLite keeps case, PostgreSQL lowers it).
  private static final Table<?> TRIGGERS = DSL.table("QRTZ_TRIGGERS");
  private static final Field<String> TRIGGER_NAME = DSL.field("TRIGGER_NAME", String.class);
  private static final Field<String> TRIGGER_GROUP_COLUMN = DSL.field("TRIGGER_GROUP", String.class);
  private static final Field<Long> NEXT_FIRE_TIME = DSL.field("NEXT_FIRE_TIME", Long.class);
  private static final Field<String> TRIGGER_STATE = DSL.field("TRIGGER_STATE", String.class);

  private final Database db;

  public JooqStatusQueries(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  /**
   * A job as Quartz has it scheduled.
   *
   * @param nextFire empty when it will not fire again (a one-time job that fired)
   * @param state Quartz's trigger state: {@code WAITING}, {@code ACQUIRED}, {@code BLOCKED}
   *     (firing now), {@code PAUSED}, {@code ERROR}, ...
   */
  public record ScheduledJob(JobId job, Optional<Instant> nextFire, String state) {}

  /** A record that runs now. */
  public record RunningRecord(
      InvokeId invokeId, InstanceId instance, Optional<JobId> job, Instant since) {}

  /**
   * Records that run now.
   *
   * @param newest the most recently started ones, newest first
   */
  public record RunningRecords(int count, List<RunningRecord> newest) {
    public RunningRecords {
      newest = List.copyOf(newest);
    }
  }

  /** Every scheduled fleetrun job, soonest next fire first (jobs that fire no more last). */
  public List<ScheduledJob> scheduledJobs() {
    return db.dsl()
        .select(TRIGGER_NAME, NEXT_FIRE_TIME, TRIGGER_STATE)
        .from(TRIGGERS)
        .where(TRIGGER_GROUP_COLUMN.eq(TRIGGER_GROUP))
        .orderBy(NEXT_FIRE_TIME.asc().nullsLast(), TRIGGER_NAME.asc())
        .fetch(r -> new ScheduledJob(
            new JobId(r.value1()),
            Optional.ofNullable(r.value2()).filter(ms -> ms >= 0).map(Instant::ofEpochMilli),
            r.value3()));
  }

  /** How many records run now, and the {@code limit} newest of them. */
  public RunningRecords runningRecords(int limit) {
    int count = db.dsl().fetchCount(INVOCATION_RECORD, INVOCATION_RECORD.STATUS.eq(RecordStatus.Running));
    List<RunningRecord> newest = db.dsl()
        .select(INVOCATION_RECORD.INVOKE_ID, INVOCATION_RECORD.INSTANCE_ID, INVOCATION.JOB_ID,
            DSL.coalesce(INVOCATION_RECORD.START_TIME, INVOCATION_RECORD.SCHEDULED_AT))
        .from(INVOCATION_RECORD)
        .join(INVOCATION).on(INVOCATION.INVOKE_ID.eq(INVOCATION_RECORD.INVOKE_ID))
        .where(INVOCATION_RECORD.STATUS.eq(RecordStatus.Running))
        .orderBy(DSL.coalesce(INVOCATION_RECORD.START_TIME, INVOCATION_RECORD.SCHEDULED_AT).desc(), INVOCATION_RECORD.RECORD_ID.desc())
        .limit(limit)
        .fetch(r -> new RunningRecord(
            new InvokeId(r.value1()),
            new InstanceId(r.value2()),
            Optional.ofNullable(r.value3()).map(JobId::new),
            r.value4()));
    return new RunningRecords(count, newest);
  }

  /** CLI requests the daemon has not answered yet. */
  public int pendingRequests() {
    return db.dsl().fetchCount(CONTROL_REQUEST, CONTROL_REQUEST.DONE_AT.isNull());
  }
}
