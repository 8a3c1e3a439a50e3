package io.fleetrun.store;

import static io.fleetrun.store.jooq.Tables.CONTROL_REQUEST;
import static io.fleetrun.store.jooq.Tables.INVOCATION;
import static io.fleetrun.store.jooq.Tables.INVOCATION_INSTANCE;
import static io.fleetrun.store.jooq.Tables.INVOCATION_RECORD;
import static org.jooq.impl.DSL.notExists;
import static org.jooq.impl.DSL.row;
import static org.jooq.impl.DSL.selectOne;

import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.store.jooq.tables.InvocationRecordTable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.ToIntFunction;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record2;
import org.jooq.exception.DataAccessException;

/**
 * Deletes finished work older than a cutoff ({@code retention:} in config), in small batches.
 *
 * <p>SQLite has one writer and the daemon one pooled connection: a purge of a year of records in
 * one transaction would hold the write lock, and the daemon's writers, for seconds. Each batch
 * is therefore its own short transaction of at most {@code batchSize} rows, with a pause between
 * batches in which the daemon's writes get through. A purge cut short (interrupt, crash) leaves
 * consistent data behind: records go first, then instances with no records left, then
 * invocations with no instances left, so no foreign key is ever broken and the next purge
 * finishes the job.
 *
 * <p>What goes: every ended invocation (status not {@code Running}) that ended before the cutoff,
 * with its instances and records, unless a record of it still runs; and the ended records of
 * periodic invocations that still run, when they ended before the cutoff. {@code once_job} and
 * {@code stopped_job} rows stay (they have no foreign key to the invocation since schema
 * version 6), so a purged one-time job never runs again and a stopped periodic job stays
 * stopped.
 */
public final class JooqRetention {
  private static final InvocationRecordTable RUNNING_RECORD = INVOCATION_RECORD.as("running");
  /** Tries of a batch that a concurrent writer made fail (PostgreSQL). */
  private static final int ATTEMPTS = 3;
  /** SQLSTATEs of a batch that lost a race: could not serialize, deadlock, foreign key. */
  private static final Set<String> LOST_RACE = Set.of("40001", "40P01", "23503");

  private final Database db;
  private final Duration pause;

  /**
   * @param pause the wait between two batches, in which other writers take the database
   */
  public JooqRetention(Database db, Duration pause) {
    this.db = Objects.requireNonNull(db, "db");
    this.pause = Objects.requireNonNull(pause, "pause");
  }

  /** What one purge deleted. */
  public record Purged(int invocations, int instances, int records) {
    public int total() {
      return invocations + instances + records;
    }
  }

  /**
   * Deletes what ended before {@code cutoff}, at most {@code batchSize} rows per transaction. An
   * interrupt ends the purge after the current batch (the flag stays set).
   */
  public Purged purge(Instant cutoff, int batchSize) {
    requirePositive(batchSize);
    int records = inBatches(batchSize, tx -> deleteRecordsOfOldInvocations(tx, cutoff, batchSize));
    records += inBatches(batchSize, tx -> deleteOldRecordsOfRunningPeriodic(tx, cutoff, batchSize));
    int instances = inBatches(batchSize, tx -> deleteEmptyInstances(tx, cutoff, batchSize));
    int invocations = inBatches(batchSize, tx -> deleteEmptyInvocations(tx, cutoff, batchSize));
    return new Purged(invocations, instances, records);
  }

  /** Deletes CLI requests answered before {@code cutoff}; returns how many. */
  public int purgeRequests(Instant cutoff, int batchSize) {
    requirePositive(batchSize);
    return inBatches(batchSize, tx -> {
      List<Long> ids = tx.select(CONTROL_REQUEST.REQUEST_ID)
          .from(CONTROL_REQUEST)
          .where(CONTROL_REQUEST.DONE_AT.lt(cutoff))
          .limit(batchSize)
          .fetch(CONTROL_REQUEST.REQUEST_ID);
      return ids.isEmpty() ? 0
          : tx.deleteFrom(CONTROL_REQUEST).where(CONTROL_REQUEST.REQUEST_ID.in(ids)).execute();
    });
  }

  /** An invocation that ended before {@code cutoff} and has no record that still runs. */
  private static Condition oldEndedInvocation(Instant cutoff) {
    return INVOCATION.STATUS.ne(InvocationStatus.Running)
        .and(INVOCATION.FINISHED_AT.lt(cutoff))
        .and(notExists(selectOne()
            .from(RUNNING_RECORD)
            .where(RUNNING_RECORD.INVOKE_ID.eq(INVOCATION.INVOKE_ID))
            .and(RUNNING_RECORD.STATUS.eq(RecordStatus.Running))));
  }

  private static int deleteRecordsOfOldInvocations(DSLContext tx, Instant cutoff, int limit) {
    List<Long> ids = tx.select(INVOCATION_RECORD.RECORD_ID)
        .from(INVOCATION_RECORD)
        .join(INVOCATION).on(INVOCATION.INVOKE_ID.eq(INVOCATION_RECORD.INVOKE_ID))
        .where(oldEndedInvocation(cutoff))
        .limit(limit)
        .fetch(INVOCATION_RECORD.RECORD_ID);
    return deleteRecords(tx, ids);
  }

  /** A periodic invocation keeps running for months; only its old ended records go. */
  private static int deleteOldRecordsOfRunningPeriodic(DSLContext tx, Instant cutoff, int limit) {
    List<Long> ids = tx.select(INVOCATION_RECORD.RECORD_ID)
        .from(INVOCATION_RECORD)
        .where(INVOCATION_RECORD.FINISH_TIME.lt(cutoff))
        .and(INVOCATION_RECORD.STATUS.ne(RecordStatus.Running))
        .and(INVOCATION_RECORD.INVOKE_ID.in(tx.select(INVOCATION.INVOKE_ID)
            .from(INVOCATION)
            .where(INVOCATION.STATUS.eq(InvocationStatus.Running))
            .and(INVOCATION.REPEAT_MODE.eq(RepeatMode.Period))))
        .limit(limit)
        .fetch(INVOCATION_RECORD.RECORD_ID);
    return deleteRecords(tx, ids);
  }

  private static int deleteRecords(DSLContext tx, List<Long> ids) {
    return ids.isEmpty() ? 0
        : tx.deleteFrom(INVOCATION_RECORD).where(INVOCATION_RECORD.RECORD_ID.in(ids)).execute();
  }

  private static int deleteEmptyInstances(DSLContext tx, Instant cutoff, int limit) {
    List<Record2<String, String>> keys = tx
        .select(INVOCATION_INSTANCE.INVOKE_ID, INVOCATION_INSTANCE.INSTANCE_ID)
        .from(INVOCATION_INSTANCE)
        .join(INVOCATION).on(INVOCATION.INVOKE_ID.eq(INVOCATION_INSTANCE.INVOKE_ID))
        .where(oldEndedInvocation(cutoff))
        .and(notExists(selectOne()
            .from(INVOCATION_RECORD)
            .where(INVOCATION_RECORD.INVOKE_ID.eq(INVOCATION_INSTANCE.INVOKE_ID))
            .and(INVOCATION_RECORD.INSTANCE_ID.eq(INVOCATION_INSTANCE.INSTANCE_ID))))
        .limit(limit)
        .fetch();
    return keys.isEmpty() ? 0
        : tx.deleteFrom(INVOCATION_INSTANCE)
            .where(row(INVOCATION_INSTANCE.INVOKE_ID, INVOCATION_INSTANCE.INSTANCE_ID)
                .in(keys.stream().map(k -> row(k.value1(), k.value2())).toList()))
            .execute();
  }

  private static int deleteEmptyInvocations(DSLContext tx, Instant cutoff, int limit) {
    List<String> ids = tx.select(INVOCATION.INVOKE_ID)
        .from(INVOCATION)
        .where(oldEndedInvocation(cutoff))
        .and(notExists(selectOne()
            .from(INVOCATION_INSTANCE)
            .where(INVOCATION_INSTANCE.INVOKE_ID.eq(INVOCATION.INVOKE_ID))))
        .limit(limit)
        .fetch(INVOCATION.INVOKE_ID);
    return ids.isEmpty() ? 0
        : tx.deleteFrom(INVOCATION).where(INVOCATION.INVOKE_ID.in(ids)).execute();
  }

  /** Runs {@code batch} in its own transaction until it deletes less than a full batch. */
  private int inBatches(int batchSize, ToIntFunction<DSLContext> batch) {
    int total = 0;
    while (!Thread.currentThread().isInterrupted()) {
      int deleted = oneBatch(batch);
      total += deleted;
      if (deleted < batchSize || !pause()) {
        break;
      }
    }
    return total;
  }

  /**
   * One batch in its own transaction. On PostgreSQL writers run beside it: a reload may make an
   * old stopped invocation run again, or a record start, between the batch's read and its
   * delete. At READ COMMITTED the delete would then go ahead on what it read (it re-checks only
   * the deleted row, not the invocation it was chosen by) and remove a running invocation's
   * instance. So the batch reads and deletes at REPEATABLE READ, where such a writer makes it
   * fail instead (could not serialize, or the foreign key), and it is run again on fresh data,
   * at most {@link #ATTEMPTS} times. SQLite's IMMEDIATE transaction keeps writers out anyway.
   */
  private int oneBatch(ToIntFunction<DSLContext> batch) {
    for (int attempt = 1; ; attempt++) {
      try {
        return db.dsl().transactionResult(cfg -> {
          DSLContext tx = cfg.dsl();
          if (db.isPostgresql()) {
            tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
          }
          return batch.applyAsInt(tx);
        });
      } catch (DataAccessException e) {
        if (attempt >= ATTEMPTS || !LOST_RACE.contains(e.sqlState())) {
          throw e;
        }
      }
    }
  }

  /** Waits between batches; false when interrupted (the flag is restored). */
  private boolean pause() {
    if (pause.isZero()) {
      return true;
    }
    try {
      Thread.sleep(pause.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void requirePositive(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
    }
  }
}
