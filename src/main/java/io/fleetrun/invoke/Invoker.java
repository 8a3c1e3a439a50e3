package io.fleetrun.invoke;

import io.fleetrun.exec.RemoteExecutor;
import io.fleetrun.model.Command;
import io.fleetrun.model.ConcurrencyControls;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.Job;
import io.fleetrun.model.JobId;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.store.InvocationQueries;
import io.fleetrun.store.InvocationStore;
import io.fleetrun.store.NewInvocation;
import io.fleetrun.store.PendingRecord;
import io.fleetrun.store.RecordJournal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's front: fires and ad-hoc runs write their rows in one transaction and are answered
 * at once; a {@link Dispatcher} hands the records to SSH from there; stops go through {@link
 * Stops}. No global lock: the store serializes its transactions, the dispatcher keeps its own
 * per-fire state, record changes are group-committed by a {@link RecordJournal}, and only a fire
 * and a stop of the same invocation wait for each other ({@link InvocationLocks}).
 */
public final class Invoker {
  private static final Logger log = LoggerFactory.getLogger(Invoker.class);

  private final InvocationStore store;
  private final RecordJournal journal;
  private final Dispatcher dispatcher;
  private final JobFire fires;
  private final Stops stops;
  private final InvocationLocks locks = new InvocationLocks();
  private final Clock clock;
  private volatile Fleet fleet;
  private volatile boolean accepting = true;

  public Invoker(
      InvocationStore store, InvocationQueries queries, RemoteExecutor executor, Fleet fleet, Clock clock) {
    this(store, queries, executor, fleet, clock, EventFeed.none());
  }

  /**
   * An engine that publishes what it commits (record starts and ends, invocation status changes)
   * to {@code events}; the feed's subscribers never slow a run or a write.
   */
  public Invoker(InvocationStore store, InvocationQueries queries, RemoteExecutor executor, Fleet fleet, Clock clock,
      EventFeed events) {
    this.store = store;
    this.journal = store.openJournal();
    journal.observeWith(new JournalEvents(events));
    this.dispatcher = new Dispatcher(executor, journal, () -> this.fleet, clock, events);
    this.fires = new JobFire(store, dispatcher, locks, clock);
    this.stops = new Stops(store, queries, dispatcher, locks, () -> this.fleet, clock);
    this.fleet = fleet;
    this.clock = clock;
  }

  /** The fleet in force (the config's instances, commands and jobs as last applied). */
  public Fleet fleet() {
    return fleet;
  }

  /** Uses {@code next} for the runs that start from now on; runs in flight are not disturbed. */
  public void updateFleet(Fleet next) {
    this.fleet = next;
  }

  /** {@link #fireJob(JobId, Instant)} due now. */
  public Optional<InvokeId> fireJob(JobId jobId) {
    return fireJob(jobId, clock.instant());
  }

  /**
   * One fire of a job, due at {@code scheduledAt} (its records' scheduled_at). A one-time job
   * runs on its targets once, ever (a second fire does nothing); a periodic job adds one record
   * per instance not stopped to its one Running invocation, creating that invocation on the first
   * fire. Returns once the fire's rows are committed, with the invocation it fired into.
   */
  public Optional<InvokeId> fireJob(JobId jobId, Instant scheduledAt) {
    Fleet current = fleet;
    Optional<Job> found = current.findJob(jobId);
    if (!accepting || found.isEmpty()) {
      log.warn("fire of job {} ignored: {}", jobId, accepting ? "not in config" : "shutting down");
      return Optional.empty();
    }
    return fires.fire(current, found.get(), scheduledAt);
  }

  /**
   * Starts an ad-hoc one-time invocation, as {@code fleetrun run} asks; its records' scheduled_at
   * is now, when the daemon took the request. Returns once its rows are committed.
   *
   * @throws InvocationRefusedException naming what is wrong (unknown command, instance or tag,
   *     a placeholder without value, a value its parameter's type or pattern refuses)
   */
  public InvokeId runAdHoc(ControlRequest.Run request) {
    if (!accepting) {
      throw new InvocationRefusedException("the daemon is shutting down");
    }
    AdHocRun run = AdHocRun.of(request, fleet);
    Instant now = clock.instant();
    NewInvocation invocation = newInvocation(Optional.empty(), run.command(), run.parameters(), run.targets(), clock);
    locks.with(invocation.id(), () -> start(invocation, run, request, now));
    return invocation.id();
  }

  private void start(NewInvocation invocation, AdHocRun run, ControlRequest.Run request, Instant now) {
    List<PendingRecord> records = store.createWithRecords(invocation, now);
    log.info("ad-hoc invocation {} of command {} on {} instance(s)", invocation.id(), run.command().id(),
        run.targets().size());
    List<Flight.Target> targets = new ArrayList<>(records.size());
    for (int i = 0; i < records.size(); i++) {
      targets.add(new Flight.Target(records.get(i), run.targets().get(i)));
    }
    dispatcher.submit(new Flight(invocation.id(), new Flight.Origin(Optional.empty(), now), run.command(), run.parameters(), targets,
        controls(request)), targets);
  }

  private static ConcurrencyControls controls(ControlRequest.Run request) {
    return request.controls();
  }

  /** How stops reach the other nodes of a cluster (before any stop; the daemon sets it on PostgreSQL). */
  public void relayStopsWith(StopRelay relay) {
    stops.relayWith(relay);
  }

  /**
   * A person's stop that another node handed here: ends this node's Running records of {@code
   * id} on {@code instances} (all when empty); the stopping node already marked them Stopped.
   */
  public void stopOwnRecords(InvokeId id, Set<InstanceId> instances) {
    stops.stopOwn(id, instances, StopReason.USER);
  }

  /** As {@link #stop(InvokeId, Set, StopReason)} for a person ({@link StopReason#USER}). */
  public void stop(InvokeId id, Set<InstanceId> instances) {
    stop(id, instances, StopReason.USER);
  }

  /**
   * Stops {@code id} on {@code instances} (all when empty) for {@code reason}: periodic instances
   * become Stopped at once, records still waiting end Stopped at once, running records end
   * Stopped after their remote process group was ended. Only a person's stop ({@link
   * StopReason#USER}) keeps a fully stopped periodic job from starting again until its
   * definition in config changes.
   *
   * @throws InvocationRefusedException when there is no such invocation, or it has no such
   *     instance
   */
  public void stop(InvokeId id, Set<InstanceId> instances, StopReason reason) {
    stops.stop(id, instances, reason);
  }

  /**
   * Stops the Running periodic invocations of jobs no longer in config (or no longer periodic),
   * like a person's stop but without remembering the job as stopped; what was remembered of
   * removed jobs is forgotten, so a job added back starts again. Returns the invocations stopped.
   */
  public List<InvokeId> stopRemovedJobs(Set<JobId> periodicJobsInConfig) {
    return stops.stopRemovedJobs(periodicJobsInConfig);
  }

  /**
   * Makes the Running invocation of periodic job {@code jobId} follow the job's targets in the
   * current fleet: instances new to the targets join it (from the next fire on), instances no
   * longer targeted are stopped ({@link StopReason#REMOVED}). An instance still targeted but
   * stopped by a person stays stopped unless it is in {@code returning}, the instances the config
   * change just added to the targets.
   */
  public void retarget(JobId jobId, Set<InstanceId> returning) {
    stops.retarget(jobId, returning);
  }

  /**
   * Periodic fires the database refused since start because their records existed already (a
   * duplicate fire of the Quartz cluster; see {@code DuplicateFireException}).
   */
  public long duplicateFires() {
    return fires.duplicateFires();
  }

  /** Records of this daemon waiting or running now. */
  public int runningRecords() {
    return dispatcher.liveCount();
  }

  /** Records of this daemon handed to SSH now (or being handed), whose end is not written yet. */
  public int recordsOnSsh() {
    return dispatcher.runningCount();
  }

  /** Records of this daemon waiting for their turn under maxConcurrency now. */
  public int recordsWaiting() {
    return dispatcher.waitingCount();
  }

  /**
   * Refuses new fires and runs, gives records {@code grace} to end by themselves, then ends the
   * rest (remote process groups killed, records Failed with ExecutionInterrupted) and writes
   * what is queued.
   */
  public void shutdown(Duration grace, Duration killWait) {
    accepting = false;
    dispatcher.shutdown(grace, killWait);
    journal.close(Duration.ofSeconds(10));
  }

  static NewInvocation newInvocation(
      Optional<Job> job, Command command, Map<String, String> parameters, List<Instance> targets, Clock clock) {
    return new NewInvocation(
        InvokeId.random(),
        job.map(Job::id),
        command.id(),
        command.content(),
        parameters,
        job.map(Job::repeat).orElse(RepeatMode.Once),
        job.flatMap(Job::frequency),
        targets.stream().map(Instance::id).toList(),
        clock.instant());
  }
}
