package io.fleetrun.invoke;

import io.fleetrun.model.Command;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Invocation;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.Job;
import io.fleetrun.model.OverlapPolicy;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.store.DuplicateFireException;
import io.fleetrun.store.InvocationStore;
import io.fleetrun.store.NewInvocation;
import io.fleetrun.store.PendingRecord;
import io.fleetrun.store.PeriodicExistsException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fire of a job: its rows in one transaction, then its records to the dispatcher. A one-time
 * job runs on its targets once, ever; a periodic job adds one record per instance not stopped
 * (overlap: skip leaves out, and counts, an instance whose previous record has not ended).
 *
 * <p>On a cluster, nodes fire the same periodic job: its invocation is one for the whole cluster
 * (the database refuses a second Running one, so of two nodes creating it at once one fires into
 * the other's), and overlap: skip asks the database whether an instance's previous record still
 * runs, whichever node runs it, besides this dispatcher (whose records not yet ended are also
 * counted while their end is on its way to the database).
 */
final class JobFire {
  private static final Logger log = LoggerFactory.getLogger(JobFire.class);

  private final InvocationStore store;
  private final Dispatcher dispatcher;
  private final InvocationLocks locks;
  private final Clock clock;
  private final AtomicLong duplicates = new AtomicLong();

  JobFire(InvocationStore store, Dispatcher dispatcher, InvocationLocks locks, Clock clock) {
    this.store = store;
    this.dispatcher = dispatcher;
    this.locks = locks;
    this.clock = clock;
  }

  /** Fires refused as duplicates since start ({@link DuplicateFireException}). */
  long duplicateFires() {
    return duplicates.get();
  }

  /** Fires {@code job} of {@code fleet} due at {@code scheduledAt}; returns the invocation fired into. */
  Optional<InvokeId> fire(Fleet fleet, Job job, Instant scheduledAt) {
    Command command = fleet.findCommand(job.command()).orElseThrow();
    Map<String, String> parameters = AdHocRun.merged(command.parameters(), job.parameters());
    List<Instance> targets = fleet.resolve(job.targets());
    return job.repeat() == RepeatMode.Once
        ? once(job, command, parameters, targets, scheduledAt)
        : periodic(fleet, job, command, parameters, targets, scheduledAt);
  }

  private Optional<InvokeId> once(Job job, Command command, Map<String, String> parameters,
      List<Instance> targets, Instant scheduledAt) {
    NewInvocation invocation = Invoker.newInvocation(Optional.of(job), command, parameters, targets, clock);
    return locks.with(invocation.id(), () -> once(invocation, job, command, parameters, targets, scheduledAt));
  }

  private Optional<InvokeId> once(NewInvocation invocation, Job job, Command command,
      Map<String, String> parameters, List<Instance> targets, Instant scheduledAt) {
    Optional<List<PendingRecord>> records = store.createOnceJobWithRecords(invocation, scheduledAt);
    if (records.isEmpty()) {
      log.debug("one-time job {} already ran; not running it again", job.id());
      return Optional.empty();
    }
    log.info("invocation {} of job {} on {} instance(s)", invocation.id(), job.id(), targets.size());
    dispatch(invocation.id(), job, command, parameters, records.get(), targets, scheduledAt);
    return Optional.of(invocation.id());
  }

  private Optional<InvokeId> periodic(Fleet fleet, Job job, Command command, Map<String, String> parameters,
      List<Instance> targets, Instant scheduledAt) {
    try {
      return periodicOnce(fleet, job, command, parameters, targets, scheduledAt);
    } catch (PeriodicExistsException e) {
      // Another node created the job's invocation since we looked: fire into it (once; it exists now).
      log.info("job {}: another node created its periodic invocation first; this fire goes into it", job.id());
      return periodicOnce(fleet, job, command, parameters, targets, scheduledAt);
    }
  }

  private Optional<InvokeId> periodicOnce(Fleet fleet, Job job, Command command, Map<String, String> parameters,
      List<Instance> targets, Instant scheduledAt) {
    Optional<InvokeId> running = store.findRunningPeriodic(job.id()).map(Invocation::id);
    if (running.isEmpty() && store.isStoppedJob(job.id(), JobSpec.of(job, command))) {
      log.debug("periodic job {} was stopped; it starts again when its definition changes", job.id());
      return Optional.empty();
    }
    Optional<NewInvocation> created = running.isPresent() ? Optional.empty()
        : Optional.of(Invoker.newInvocation(Optional.of(job), command, parameters, targets, clock));
    InvokeId id = running.orElseGet(() -> created.get().id());
    return locks.with(id, () -> periodic(fleet, job, command, parameters, scheduledAt, created, id));
  }

  private Optional<InvokeId> periodic(Fleet fleet, Job job, Command command, Map<String, String> parameters,
      Instant scheduledAt, Optional<NewInvocation> created, InvokeId id) {
    List<InstanceId> members = created.map(NewInvocation::instances)
        .orElseGet(() -> List.copyOf(store.activeRepeats(id).keySet()));
    List<InstanceId> firing = new ArrayList<>();
    List<InstanceId> skipped = new ArrayList<>();
    Set<InstanceId> runningInDatabase = job.overlap() == OverlapPolicy.SKIP && created.isEmpty()
        ? store.instancesRunning(id) : Set.of();
    for (InstanceId instance : members) {
      if (fleet.findInstance(instance).isEmpty()) {
        log.warn("job {}: instance {} is no longer in config; skipped", job.id(), instance);
      } else if (job.overlap() == OverlapPolicy.SKIP
          && (dispatcher.hasUnfinishedRecord(id, instance) || runningInDatabase.contains(instance))) {
        skipped.add(instance);
      } else {
        firing.add(instance);
      }
    }
    List<PendingRecord> records;
    try {
      records = store.firePeriodic(created, id, firing, skipped, scheduledAt);
    } catch (DuplicateFireException e) {
      long count = duplicates.incrementAndGet();
      log.warn("fire of job {} due {} refused by the database, nothing of it runs: {} ({} duplicate"
          + " fire(s) refused since start)", job.id(), scheduledAt, e.getMessage(), count);
      return Optional.empty();
    }
    created.ifPresent(c -> log.info("periodic invocation {} of job {} created", c.id(), job.id()));
    for (InstanceId instance : skipped) {
      log.info("fire of job {} skipped on instance {} of invocation {}: its previous record is still"
          + " running (overlap: skip)", job.id(), instance, id);
    }
    dispatch(id, job, command, parameters, records, fleet.instances(), scheduledAt);
    return Optional.of(id);
  }

  private void dispatch(InvokeId id, Job job, Command command, Map<String, String> parameters,
      List<PendingRecord> records, List<Instance> instances, Instant scheduledAt) {
    Map<InstanceId, Instance> byId = new HashMap<>();
    instances.forEach(i -> byId.put(i.id(), i));
    List<Flight.Target> targets = new ArrayList<>(records.size());
    for (PendingRecord record : records) {
      targets.add(new Flight.Target(record, byId.get(record.instance())));
    }
    dispatcher.submit(new Flight(id, new Flight.Origin(Optional.of(job.id()), scheduledAt), command, parameters, targets, job.controls()), targets);
  }
}
