package io.fleetrun.store;

import static io.fleetrun.store.jooq.Tables.DAEMON_NODE;
import static io.fleetrun.store.jooq.Tables.INVOCATION;
import static io.fleetrun.store.jooq.Tables.INVOCATION_INSTANCE;
import static io.fleetrun.store.jooq.Tables.INVOCATION_RECORD;
import static io.fleetrun.store.jooq.Tables.ONCE_JOB;
import static io.fleetrun.store.jooq.Tables.STOPPED_JOB;

import io.fleetrun.model.DetailStatus;
import io.fleetrun.model.Frequency;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Invocation;
import io.fleetrun.model.InvocationRecord;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.JobId;
import io.fleetrun.model.RecordEnd;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.model.StatusRules;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.jooq.Record2;

/**
 * {@link InvocationStore} over jOOQ. Each method is one transaction; record changes recompute the
 * instance and invocation statuses in it (see {@link StatusWriter}).
 */
public final class JooqInvocationStore implements InvocationStore {
  private final Database db;
  private final StatusRules rules;
  private final StatusWriter statuses;
  private final Stopper stopper;
  private final InstanceMembership membership;
  /** Written on every record this store creates ({@code node_id}); null only in tests. */
  private final String nodeId;
  private volatile JournalObserver journalObserver;

  /** A store whose records carry no node id (tests that need none). */
  public JooqInvocationStore(Database db, StatusRules rules) {
    this(db, rules, null);
  }

  /** A store of the daemon node {@code nodeId}: the records it creates carry that id. */
  public JooqInvocationStore(Database db, StatusRules rules, String nodeId) {
    this.nodeId = nodeId;
    this.db = Objects.requireNonNull(db, "db");
    this.rules = Objects.requireNonNull(rules, "rules");
    this.statuses = new StatusWriter(rules);
    this.stopper = new Stopper(statuses);
    this.membership = new InstanceMembership(statuses);
  }

  @Override
  public void createInvocation(NewInvocation invocation) {
    db.dsl().transaction(cfg -> insert(cfg.dsl(), invocation));
  }

  @Override
  public boolean createOnceJobInvocation(NewInvocation invocation) {
    JobId job = invocation.job()
        .orElseThrow(() -> new IllegalArgumentException("a one-time job invocation needs a job id"));
    try {
      return db.dsl().transactionResult(cfg -> {
        DSLContext tx = cfg.dsl();
        if (tx.fetchExists(ONCE_JOB, ONCE_JOB.JOB_ID.eq(job.value()))) {
          return false;
        }
        insert(tx, invocation);
        claim(tx, job, invocation);
        return true;
      });
    } catch (AlreadyClaimed e) {
      return false;
    }
  }

  @Override
  public RecordJournal openJournal() {
    RecordJournal journal = new RecordJournal(db, rules);
    JournalObserver observer = journalObserver;
    if (observer != null) {
      journal.observeWith(observer);
    }
    return journal;
  }

  /** {@code observer} hears of the commits of every journal opened from now on (their timing, say). */
  public void observeJournalsWith(JournalObserver observer) {
    this.journalObserver = observer;
  }

  @Override
  public List<PendingRecord> createWithRecords(NewInvocation invocation, Instant scheduledAt) {
    return db.dsl().transactionResult(cfg -> insertWithRecords(cfg.dsl(), invocation, scheduledAt, nodeId));
  }

  @Override
  public Optional<List<PendingRecord>> createOnceJobWithRecords(NewInvocation invocation, Instant scheduledAt) {
    JobId job = invocation.job()
        .orElseThrow(() -> new IllegalArgumentException("a one-time job invocation needs a job id"));
    try {
      return db.dsl().transactionResult(cfg -> {
        DSLContext tx = cfg.dsl();
        if (tx.fetchExists(ONCE_JOB, ONCE_JOB.JOB_ID.eq(job.value()))) {
          return Optional.<List<PendingRecord>>empty();
        }
        List<PendingRecord> records = insertWithRecords(tx, invocation, scheduledAt, nodeId);
        claim(tx, job, invocation);
        return Optional.of(records);
      });
    } catch (AlreadyClaimed e) {
      return Optional.empty();
    }
  }

  @Override
  public List<PendingRecord> firePeriodic(Optional<NewInvocation> create, InvokeId invokeId,
      List<InstanceId> firing, Collection<InstanceId> skipped, Instant scheduledAt) {
    return db.dsl().transactionResult(cfg -> {
      DSLContext tx = cfg.dsl();
      if (create.isPresent()) {
        try {
          insert(tx, create.get());
        } catch (DataAccessException e) {
          JobId job = create.get().job().orElseThrow(() -> e);
          throw PeriodicExistsException.of(e, job).orElseThrow(() -> e);
        }
      }
      return FireWriter.fire(tx, invokeId, firing, skipped, scheduledAt, nodeId);
    });
  }

  /** The statuses are written as they are, Running, with no recompute (see {@link FireWriter}). */
  private static List<PendingRecord> insertWithRecords(DSLContext tx, NewInvocation inv, Instant scheduledAt,
      String nodeId) {
    if (inv.repeat() != RepeatMode.Once) {
      throw new IllegalArgumentException("invocation " + inv.id() + " is periodic; its records come with its fires");
    }
    insertInvocation(tx, inv);
    FireWriter.insertInstances(tx, inv.id(), inv.instances(), 1);
    return FireWriter.firstRecords(tx, inv.id(), inv.instances(), scheduledAt, nodeId);
  }

  /**
   * Writes the once_job row of {@code job}, or rolls the transaction back (AlreadyClaimed) when
   * another one has it. The check before it is only a shortcut: on SQLite the IMMEDIATE
   * transaction keeps others out from the check on; on PostgreSQL two daemons may both pass it,
   * and the primary key decides (the second insert waits for the first transaction, then does
   * nothing), so exactly one invocation of the job is ever committed.
   */
  private static void claim(DSLContext tx, JobId job, NewInvocation invocation) {
    int claimed = tx.insertInto(ONCE_JOB)
        .set(ONCE_JOB.JOB_ID, job.value())
        .set(ONCE_JOB.INVOKE_ID, invocation.id().value())
        .set(ONCE_JOB.CREATED_AT, invocation.createdAt())
        .onConflictDoNothing()
        .execute();
    if (claimed == 0) {
      throw new AlreadyClaimed();
    }
  }

  /** Rolls back the invocation of a one-time job that another writer claimed first. */
  private static final class AlreadyClaimed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AlreadyClaimed() {
      super(null, null, false, false);
    }
  }

  private void insert(DSLContext tx, NewInvocation inv) {
    insertInvocation(tx, inv);
    FireWriter.insertInstances(tx, inv.id(), inv.instances(), 0);
    statuses.recompute(tx, inv.id(), List.of(), inv.createdAt());
  }

  private static void insertInvocation(DSLContext tx, NewInvocation inv) {
    tx.insertInto(INVOCATION)
        .set(INVOCATION.INVOKE_ID, inv.id().value())
        .set(INVOCATION.JOB_ID, inv.job().map(JobId::value).orElse(null))
        .set(INVOCATION.COMMAND_ID, inv.command().value())
        .set(INVOCATION.COMMAND_CONTENT, inv.commandContent())
        .set(INVOCATION.PARAMETERS, Json.write(inv.parameters()))
        .set(INVOCATION.REPEAT_MODE, inv.repeat())
        .set(INVOCATION.FREQUENCY, inv.frequency().map(Frequency::text).orElse(null))
        .set(INVOCATION.STATUS, InvocationStatus.Running)
        .set(INVOCATION.CREATED_AT, inv.createdAt())
        .execute();
  }

  @Override
  public Optional<Invocation> findRunningPeriodic(JobId job) {
    return db.dsl()
        .selectFrom(INVOCATION)
        .where(INVOCATION.JOB_ID.eq(job.value()))
        .and(INVOCATION.REPEAT_MODE.eq(RepeatMode.Period))
        .and(INVOCATION.STATUS.eq(InvocationStatus.Running))
        .orderBy(INVOCATION.CREATED_AT.desc())
        .limit(1)
        .fetchOptional()
        .map(Rows::invocation);
  }

  @Override
  public List<InstanceId> activeInstances(InvokeId invokeId) {
    return db.dsl()
        .select(INVOCATION_INSTANCE.INSTANCE_ID)
        .from(INVOCATION_INSTANCE)
        .where(INVOCATION_INSTANCE.INVOKE_ID.eq(invokeId.value()))
        .and(INVOCATION_INSTANCE.STOPPED.isFalse())
        .orderBy(INVOCATION_INSTANCE.INSTANCE_NO)
        .fetch(r -> new InstanceId(r.value1()));
  }

  @Override
  public Map<InstanceId, Integer> activeRepeats(InvokeId invokeId) {
    Map<InstanceId, Integer> repeats = new LinkedHashMap<>();
    db.dsl()
        .select(INVOCATION_INSTANCE.INSTANCE_ID, INVOCATION_INSTANCE.REPEATS)
        .from(INVOCATION_INSTANCE)
        .where(INVOCATION_INSTANCE.INVOKE_ID.eq(invokeId.value()))
        .and(INVOCATION_INSTANCE.STOPPED.isFalse())
        .orderBy(INVOCATION_INSTANCE.INSTANCE_NO)
        .forEach(r -> repeats.put(new InstanceId(r.value1()), r.value2()));
    return repeats;
  }

  @Override
  public RecordId startRecord(InvokeId invokeId, InstanceId instance, Instant now) {
    return db.dsl().transactionResult(cfg -> {
      DSLContext tx = cfg.dsl();
      int repeatNo = tx.update(INVOCATION_INSTANCE)
          .set(INVOCATION_INSTANCE.REPEATS, INVOCATION_INSTANCE.REPEATS.plus(1))
          .where(INVOCATION_INSTANCE.INVOKE_ID.eq(invokeId.value()))
          .and(INVOCATION_INSTANCE.INSTANCE_ID.eq(instance.value()))
          .returningResult(INVOCATION_INSTANCE.REPEATS)
          .fetchOptional()
          .orElseThrow(() -> new NoSuchElementException(
              "invocation " + invokeId + " has no instance " + instance))
          .value1();
      long id = tx.insertInto(INVOCATION_RECORD)
          .set(INVOCATION_RECORD.INVOKE_ID, invokeId.value())
          .set(INVOCATION_RECORD.INSTANCE_ID, instance.value())
          .set(INVOCATION_RECORD.REPEAT_NO, repeatNo)
          .set(INVOCATION_RECORD.STATUS, RecordStatus.Running)
          .set(INVOCATION_RECORD.DETAIL_STATUS, DetailStatus.Pending)
          .set(INVOCATION_RECORD.SCHEDULED_AT, now)
          .set(INVOCATION_RECORD.START_TIME, now)
          .returningResult(INVOCATION_RECORD.RECORD_ID)
          .fetchSingle()
          .value1();
      statuses.recompute(tx, invokeId, List.of(instance), now);
      return new RecordId(id);
    });
  }

  @Override
  public void markRecordRunning(RecordId record, long processGroup, OptionalLong leaderStart) {
    db.dsl()
        .update(INVOCATION_RECORD)
        .set(INVOCATION_RECORD.DETAIL_STATUS, DetailStatus.Running)
        .set(INVOCATION_RECORD.REMOTE_PGID, processGroup)
        .set(INVOCATION_RECORD.REMOTE_PGID_STARTED,
            leaderStart.isPresent() ? leaderStart.getAsLong() : null)
        .where(INVOCATION_RECORD.RECORD_ID.eq(record.value()))
        .and(INVOCATION_RECORD.STATUS.eq(RecordStatus.Running))
        .execute();
  }

  @Override
  public boolean endRecord(RecordId record, RecordEnd end) {
    return db.dsl().transactionResult(cfg -> {
      DSLContext tx = cfg.dsl();
      Optional<Record2<String, String>> ended = tx.update(INVOCATION_RECORD)
          .set(INVOCATION_RECORD.STATUS, end.status())
          .set(INVOCATION_RECORD.DETAIL_STATUS, end.detail())
          .set(INVOCATION_RECORD.EXIT_CODE, end.exitCode().orElse(null))
          .set(INVOCATION_RECORD.ERROR_CODE, end.errorCode().orElse(null))
          .set(INVOCATION_RECORD.ERROR_INFO, end.errorInfo().orElse(null))
          .set(INVOCATION_RECORD.OUTPUT, end.output().text())
          .set(INVOCATION_RECORD.DROPPED, end.output().dropped())
          .set(INVOCATION_RECORD.FINISH_TIME, end.endTime())
          .set(INVOCATION_RECORD.STOP_TIME,
              end.status() == RecordStatus.Stopped ? end.endTime() : null)
          .where(INVOCATION_RECORD.RECORD_ID.eq(record.value()))
          .and(INVOCATION_RECORD.STATUS.eq(RecordStatus.Running))
          .returningResult(INVOCATION_RECORD.INVOKE_ID, INVOCATION_RECORD.INSTANCE_ID)
          .fetchOptional();
      if (ended.isEmpty()) {
        if (!tx.fetchExists(INVOCATION_RECORD, INVOCATION_RECORD.RECORD_ID.eq(record.value()))) {
          throw new NoSuchElementException("no invocation record " + record);
        }
        return false;
      }
      InvokeId invokeId = new InvokeId(ended.get().value1());
      statuses.recompute(
          tx, invokeId, List.of(new InstanceId(ended.get().value2())), end.endTime());
      return true;
    });
  }

  @Override
  public void stopInstances(InvokeId invokeId, Set<InstanceId> instances, Instant now) {
    db.dsl().transaction(cfg -> stopper.stop(cfg.dsl(), invokeId, instances, now));
  }

  @Override
  public Set<InstanceId> instancesRunning(InvokeId invokeId) {
    return db.dsl()
        .selectDistinct(INVOCATION_RECORD.INSTANCE_ID)
        .from(INVOCATION_RECORD)
        .where(INVOCATION_RECORD.INVOKE_ID.eq(invokeId.value()))
        .and(INVOCATION_RECORD.STATUS.eq(RecordStatus.Running))
        .fetchSet(r -> new InstanceId(r.value1()));
  }

  @Override
  public List<InvocationRecord> runningRecords(InvokeId invokeId) {
    return db.dsl()
        .selectFrom(INVOCATION_RECORD)
        .where(INVOCATION_RECORD.INVOKE_ID.eq(invokeId.value()))
        .and(INVOCATION_RECORD.STATUS.eq(RecordStatus.Running))
        .orderBy(INVOCATION_RECORD.INSTANCE_ID, INVOCATION_RECORD.REPEAT_NO)
        .fetch(Rows::record);
  }

  @Override
  public StopScope stopScope(InvokeId invokeId) {
    if (!db.isPostgresql() || nodeId == null) {
      return new StopScope(runningRecords(invokeId), Set.of());
    }
    // The other nodes not stopped and not declared dead first: a node that dies after this read
    // has its records taken over by a survivor (and a stop handed to it is never claimed, which
    // harms no one).
    Set<String> elsewhere = db.dsl()
        .selectDistinct(INVOCATION_RECORD.NODE_ID)
        .from(INVOCATION_RECORD)
        .join(DAEMON_NODE).on(DAEMON_NODE.NODE_ID.eq(INVOCATION_RECORD.NODE_ID))
        .where(INVOCATION_RECORD.INVOKE_ID.eq(invokeId.value()))
        .and(INVOCATION_RECORD.STATUS.eq(RecordStatus.Running))
        .and(INVOCATION_RECORD.NODE_ID.ne(nodeId))
        .and(DAEMON_NODE.STOPPED_AT.isNull())
        .and(DAEMON_NODE.DECLARED_DEAD_AT.isNull())
        .fetchSet(INVOCATION_RECORD.NODE_ID);
    // Only the node holding a record's SSH session can kill its process, so every node not
    // stopped and not declared dead gets a stop of its own, a silent one (no beat for the failover
    // window) too: if it wakes it claims the stop and kills; if it is dead, the take-over ends its
    // records and kills their processes by marker. Ended Stopped here without a kill, its process
    // would run on, and the take-over, finding no Running record, would never kill it.
    List<InvocationRecord> here = db.dsl()
        .selectFrom(INVOCATION_RECORD)
        .where(INVOCATION_RECORD.INVOKE_ID.eq(invokeId.value()))
        .and(INVOCATION_RECORD.STATUS.eq(RecordStatus.Running))
        .and(INVOCATION_RECORD.NODE_ID.isNull().or(INVOCATION_RECORD.NODE_ID.notIn(elsewhere)))
        .orderBy(INVOCATION_RECORD.INSTANCE_ID, INVOCATION_RECORD.REPEAT_NO)
        .fetch(Rows::record);
    return new StopScope(here, elsewhere);
  }

  @Override
  public List<InvocationRecord> ownRunningRecords(InvokeId invokeId) {
    if (!db.isPostgresql() || nodeId == null) {
      return runningRecords(invokeId);
    }
    return db.dsl()
        .selectFrom(INVOCATION_RECORD)
        .where(INVOCATION_RECORD.INVOKE_ID.eq(invokeId.value()))
        .and(INVOCATION_RECORD.STATUS.eq(RecordStatus.Running))
        .and(INVOCATION_RECORD.NODE_ID.eq(nodeId))
        .orderBy(INVOCATION_RECORD.INSTANCE_ID, INVOCATION_RECORD.REPEAT_NO)
        .fetch(Rows::record);
  }

  @Override
  public List<OrphanedRecord> interruptOrphanedRecords(Instant now, String info) {
    return db.dsl().transactionResult(cfg -> orphans().interrupt(cfg.dsl(), now, info));
  }

  /**
   * The dead-node statement. Beat age is judged by the database's clock alone ({@link
   * DatabaseClock}): beat_at is written with it, the threshold is computed in SQL from it, so no
   * node's clock plays a part, and the survivors agree on who is dead whatever their clocks say.
   * Row lock and re-check: of several survivors running this at once, the first locks the row and
   * the others, re-evaluating the WHERE on the committed row, find declared_dead_at set and skip
   * it, so exactly one wins each dead node. A node declared dead itself (or stopped) declares no
   * one.
   */
  private static final String DECLARE_DEAD = "UPDATE daemon_node"
      + " SET declared_dead_at = " + DatabaseClock.NOW_TEXT + ", declared_dead_by = ?"
      + " WHERE node_id <> ? AND stopped_at IS NULL AND declared_dead_at IS NULL"
      + " AND beat_at < " + DatabaseClock.text("clock_timestamp() - make_interval(secs => ?)")
      + " AND EXISTS (SELECT 1 FROM daemon_node me WHERE me.node_id = ? AND me.stopped_at IS NULL"
      + " AND me.declared_dead_at IS NULL)"
      + " RETURNING node_id, beat_at, declared_dead_at";

  @Override
  public List<DeadNode> takeOverDeadNodes(Duration window, Instant now) {
    if (!db.isPostgresql()) {
      return List.of(); // one daemon per SQLite file: no other node to take over
    }
    // One transaction: a node is declared dead together with the end of its records and the
    // answers to its requests, so a survivor that dies in between leaves none of them (the next
    // survivor declares it again).
    return db.dsl().transactionResult(cfg -> {
      DSLContext tx = cfg.dsl();
      List<DeadNode> dead = new ArrayList<>();
      for (var row : tx.resultQuery(DECLARE_DEAD, nodeId, nodeId, window.toMillis() / 1000.0, nodeId).fetch()) {
        String node = row.get(0, String.class);
        List<OrphanedRecord> ended = Orphans.ofDeadNode(statuses, node, nodeId)
            .interrupt(tx, now, DeadNode.info(node, nodeId));
        int answered = DeadNodeRequests.answer(tx, node, nodeId, now);
        dead.add(new DeadNode(node, Instant.parse(row.get(1, String.class)),
            Instant.parse(row.get(2, String.class)), ended, answered));
      }
      return dead;
    });
  }

  @Override
  public List<OrphanedRecord> claimPendingKills() {
    if (!db.isPostgresql() || nodeId == null) {
      return List.of();
    }
    return db.dsl().transactionResult(cfg -> PendingKills.claim(cfg.dsl(), nodeId));
  }

  @Override
  public void killsTried(Collection<RecordId> records) {
    if (db.isPostgresql() && nodeId != null && !records.isEmpty()) {
      db.dsl().transaction(cfg -> PendingKills.done(cfg.dsl(), nodeId, records));
    }
  }

  /** On a PostgreSQL cluster a node's orphans are its own records only (see {@link Orphans}). */
  private Orphans orphans() {
    return new Orphans(statuses, db.isPostgresql() ? Optional.ofNullable(nodeId) : Optional.empty());
  }

  @Override
  public List<InvokeId> stopPeriodicInvocationsExcept(Set<JobId> jobsInConfig, Instant now) {
    return db.dsl().transactionResult(cfg -> {
      DSLContext tx = cfg.dsl();
      List<InvokeId> removed = tx.select(INVOCATION.INVOKE_ID)
          .from(INVOCATION)
          .where(INVOCATION.REPEAT_MODE.eq(RepeatMode.Period))
          .and(INVOCATION.STATUS.eq(InvocationStatus.Running))
          .and(INVOCATION.JOB_ID.isNotNull())
          .and(INVOCATION.JOB_ID.notIn(jobsInConfig.stream().map(JobId::value).toList()))
          .orderBy(INVOCATION.CREATED_AT)
          .fetch(r -> new InvokeId(r.value1()));
      for (InvokeId id : removed) {
        stopper.stop(tx, id, Set.of(), now);
      }
      return removed;
    });
  }

  @Override
  public void rememberStoppedJob(JobId job, String jobSpec, InvokeId invokeId, Instant now) {
    db.dsl().transaction(cfg -> cfg.dsl()
        .insertInto(STOPPED_JOB)
        .set(STOPPED_JOB.JOB_ID, job.value())
        .set(STOPPED_JOB.JOB_SPEC, jobSpec)
        .set(STOPPED_JOB.INVOKE_ID, invokeId.value())
        .set(STOPPED_JOB.STOPPED_AT, now)
        .onConflict(STOPPED_JOB.JOB_ID)
        .doUpdate()
        .set(STOPPED_JOB.JOB_SPEC, jobSpec)
        .set(STOPPED_JOB.INVOKE_ID, invokeId.value())
        .set(STOPPED_JOB.STOPPED_AT, now)
        .execute());
  }

  @Override
  public boolean isStoppedJob(JobId job, String jobSpec) {
    return db.dsl().fetchExists(STOPPED_JOB,
        STOPPED_JOB.JOB_ID.eq(job.value()).and(STOPPED_JOB.JOB_SPEC.eq(jobSpec)));
  }

  @Override
  public int countSkippedFire(InvokeId invokeId, InstanceId instance) {
    return db.dsl().transactionResult(cfg -> cfg.dsl()
        .update(INVOCATION_INSTANCE)
        .set(INVOCATION_INSTANCE.SKIPPED, INVOCATION_INSTANCE.SKIPPED.plus(1))
        .where(INVOCATION_INSTANCE.INVOKE_ID.eq(invokeId.value()))
        .and(INVOCATION_INSTANCE.INSTANCE_ID.eq(instance.value()))
        .returningResult(INVOCATION_INSTANCE.SKIPPED)
        .fetchOptional()
        .orElseThrow(() -> new NoSuchElementException(
            "invocation " + invokeId + " has no instance " + instance))
        .value1());
  }

  @Override
  public List<InstanceId> instances(InvokeId invokeId) {
    return InstanceMembership.all(db.dsl(), invokeId);
  }

  @Override
  public void includeInstances(InvokeId invokeId, Collection<InstanceId> instances, Instant now) {
    db.dsl().transaction(cfg -> membership.include(cfg.dsl(), invokeId, instances, now));
  }

  @Override
  public List<JobId> forgetStoppedJobsExcept(Set<JobId> jobsInConfig) {
    return db.dsl().transactionResult(cfg -> cfg.dsl()
        .deleteFrom(STOPPED_JOB)
        .where(STOPPED_JOB.JOB_ID.notIn(jobsInConfig.stream().map(JobId::value).toList()))
        .returningResult(STOPPED_JOB.JOB_ID)
        .fetch(r -> new JobId(r.value1())));
  }
}
