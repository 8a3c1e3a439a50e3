package io.fleetrun.store;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Invocation;
import io.fleetrun.model.InvocationRecord;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.JobId;
import io.fleetrun.model.RecordEnd;
import io.fleetrun.model.RecordId;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The daemon's writes. Every method is one short transaction; every change of a record also
 * recomputes (with {@link io.fleetrun.model.StatusRules}) and writes the status of its
 * invocation instance and of its invocation, so SQL readers never recompute anything.
 */
public interface InvocationStore {

  /** Inserts the invocation (status Running) and one invocation_instance row (Running) per instance. */
  void createInvocation(NewInvocation invocation);

  /**
   * Creates the invocation of a one-time job unless that job id already has one, ever: returns
   * false (and writes nothing) when it ran before. Atomic, so a job id runs once even when asked
   * twice.
   */
  boolean createOnceJobInvocation(NewInvocation invocation);

  /**
   * Creates a one-time invocation with all its rows in one transaction: the invocation
   * (Running), its instances (Running) and one record per instance (Running / Pending, {@code
   * scheduled_at} = {@code scheduledAt}, no start time). Returns the records, in instance order.
   */
  List<PendingRecord> createWithRecords(NewInvocation invocation, Instant scheduledAt);

  /**
   * As {@link #createWithRecords} for one-time job {@code invocation.job()}, unless that job has
   * an invocation already, ever: then writes nothing and returns empty. Atomic.
   */
  Optional<List<PendingRecord>> createOnceJobWithRecords(NewInvocation invocation, Instant scheduledAt);

  /**
   * One fire of a periodic invocation, in one transaction: the next record (repeat_no =
   * repeats + 1, Running / Pending, {@code scheduled_at} = {@code scheduledAt}) on each of
   * {@code firing} that is an active member, and one skipped fire counted on each of {@code
   * skipped}. When {@code create} is present it is inserted first, in the same transaction (the
   * job's first fire). No status changes: a periodic invocation's statuses ignore its records.
   * Returns the records written, in the order of {@code firing}.
   *
   * @throws PeriodicExistsException when {@code create} is present but its job has a Running
   *     periodic invocation already (another node created it): nothing is written
   * @throws DuplicateFireException when this fire time has records already: nothing is written
   */
  List<PendingRecord> firePeriodic(Optional<NewInvocation> create, InvokeId invokeId,
      List<InstanceId> firing, Collection<InstanceId> skipped, Instant scheduledAt);

  /**
   * A {@link RecordJournal} writing to this store's database: record sends, runs and ends in
   * group-committed batches. The caller closes it.
   */
  RecordJournal openJournal();

  /** The periodic invocation of {@code job} that is still Running, if any. */
  Optional<Invocation> findRunningPeriodic(JobId job);

  /** Instances of {@code invokeId} that have not been stopped, in insertion order. */
  List<InstanceId> activeInstances(InvokeId invokeId);

  /**
   * Instances of {@code invokeId} that have not been stopped, in insertion order, each with its
   * repeat count (invocation_instance.repeats, the repeat_no of its newest record) now.
   */
  Map<InstanceId, Integer> activeRepeats(InvokeId invokeId);

  /**
   * Inserts a record Running (detail Pending) with start time {@code now}, as the next repeat of
   * the instance (repeat_no = ++invocation_instance.repeats); recomputes statuses.
   */
  RecordId startRecord(InvokeId invokeId, InstanceId instance, Instant now);

  /** As {@link #markRecordRunning(RecordId, long, OptionalLong)} without a start time. */
  default void markRecordRunning(RecordId record, long processGroup) {
    markRecordRunning(record, processGroup, OptionalLong.empty());
  }

  /**
   * The remote process runs: detail Running, and its process group id and its leader's start
   * time (empty where the target has no {@code /proc}) are kept for recovery.
   */
  void markRecordRunning(RecordId record, long processGroup, OptionalLong leaderStart);

  /**
   * Ends a Running record as {@code end} says and recomputes statuses. A record that already
   * ended is left as it is (returns false), so a late outcome never overwrites a stop.
   */
  boolean endRecord(RecordId record, RecordEnd end);

  /**
   * Marks instances of {@code invokeId} stopped (all of them when {@code instances} is empty) and
   * recomputes statuses. Records still running are ended by the caller through {@link #endRecord}.
   */
  void stopInstances(InvokeId invokeId, Set<InstanceId> instances, Instant now);

  /**
   * The instances of {@code invokeId} with a Running record, whichever node runs it (overlap:
   * skip). One read along the (invoke_id, status) index.
   */
  Set<InstanceId> instancesRunning(InvokeId invokeId);

  /** The records of {@code invokeId} that are still Running (for a stop). */
  List<InvocationRecord> runningRecords(InvokeId invokeId);

  /**
   * Who ends the Running records of {@code invokeId} in a stop: this node its own,
   * those of no node and those of stopped or declared-dead nodes ({@link StopScope#here}); every
   * other node, a silent one too (it may wake; if dead, the take-over kills its processes), its
   * own ({@link StopScope#elsewhere}), since only the node holding a record's SSH session can kill
   * its process. On SQLite (one daemon) every record is here.
   */
  StopScope stopScope(InvokeId invokeId);

  /** The Running records of {@code invokeId} this node created (every one on SQLite). */
  List<InvocationRecord> ownRunningRecords(InvokeId invokeId);

  /**
   * At start: every record a previous daemon left Running ends Failed / Terminated /
   * ExecutionInterrupted with {@code info}; statuses are recomputed. Returns the records as they
   * were (with their process group ids for a remote kill).
   */
  List<OrphanedRecord> interruptOrphanedRecords(Instant now, String info);

  /**
   * On a PostgreSQL cluster: declares dead every other node whose beat is older than {@code
   * window} by the database's clock (of several nodes asking at once, exactly one wins each), and
   * ends that node's Running records Failed / Terminated / ExecutionInterrupted at {@code now},
   * statuses recomputed, and answers the control requests it left unanswered (see {@code
   * DeadNodeRequests}), in one transaction. Returns the nodes this node declared dead, with
   * their records as they were (for the remote kill). Empty on SQLite.
   */
  List<DeadNode> takeOverDeadNodes(Duration window, Instant now);

  /**
   * On a PostgreSQL cluster: the remote kills a take-over owes ({@code kill_pending_by}) that are
   * this node's to make now: its own, left by its previous process, and those of nodes stopped or
   * declared dead, which become its own. Kill them, then call {@link #killsTried}. Empty on
   * SQLite.
   */
  List<OrphanedRecord> claimPendingKills();

  /** This node tried the kills of {@code records} (see {@link #claimPendingKills}): it owes them no longer. */
  void killsTried(Collection<RecordId> records);

  /**
   * Stops the Running periodic invocations whose job is not in {@code jobsInConfig} (a periodic
   * job removed from config stops). Returns their ids.
   */
  List<InvokeId> stopPeriodicInvocationsExcept(Set<JobId> jobsInConfig, Instant now);

  /**
   * Remembers that a person stopped periodic job {@code job} as defined by {@code jobSpec}
   * (replacing what was remembered before).
   */
  void rememberStoppedJob(JobId job, String jobSpec, InvokeId invokeId, Instant now);

  /** Whether a person stopped {@code job} while it was defined as {@code jobSpec}. */
  boolean isStoppedJob(JobId job, String jobSpec);

  /**
   * Counts one fire of a periodic job that left {@code instance} out because its previous record
   * was still running (overlap: skip); writes no record. Returns the instance's count so far.
   */
  int countSkippedFire(InvokeId invokeId, InstanceId instance);

  /** Every instance of {@code invokeId}, stopped or not, in the order they were added. */
  List<InstanceId> instances(InvokeId invokeId);

  /**
   * Makes {@code instances} active members of {@code invokeId} (a periodic job's targets grew):
   * a missing instance gets a new invocation_instance row (Running), a stopped one is no longer
   * stopped; statuses are recomputed.
   */
  void includeInstances(InvokeId invokeId, Collection<InstanceId> instances, Instant now);

  /**
   * Forgets that a person stopped the periodic jobs that are not in {@code jobsInConfig}: a job
   * removed from config and added back later starts again. Returns the jobs forgotten.
   */
  List<JobId> forgetStoppedJobsExcept(Set<JobId> jobsInConfig);
}
