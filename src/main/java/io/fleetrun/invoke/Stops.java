package io.fleetrun.invoke;

import io.fleetrun.model.Command;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Invocation;
import io.fleetrun.model.InvocationRecord;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.Job;
import io.fleetrun.model.JobId;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.store.InvocationQueries;
import io.fleetrun.store.InvocationStore;
import io.fleetrun.store.StopScope;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops: a person's stop, the stop of periodic jobs removed from config, and the retarget of a
 * periodic invocation whose job's targets changed. Waiting records end Stopped at once (journal,
 * through the dispatcher's {@link RecordEndWriter}), running ones through their execution;
 * nothing waits for SSH.
 *
 * <p>On a cluster (PostgreSQL) a record's remote process can only be killed by the node that holds
 * its SSH session. The node that stops an invocation marks its instances Stopped in the database,
 * ends its own records, those of no node and those of stopped or declared-dead nodes (as a single
 * daemon ends a previous daemon's), and hands every other node (a silent one too: it may wake)
 * that runs records of the invocation a stop of its own through the {@link StopRelay} (a request
 * only that node claims); that node ends its records as here ({@link #stopOwn}). A slow node is not raced: its records stay Running, and
 * their real end is written, until it claims its stop and kills them; the instances are already
 * Stopped, so no new fire starts there meanwhile. A node that dies before it claims has its
 * records taken over by a survivor.
 */
final class Stops {
  private static final Logger log = LoggerFactory.getLogger(Stops.class);

  private final InvocationStore store;
  private final InvocationQueries queries;
  private final Dispatcher dispatcher;
  private final Supplier<Fleet> fleet;
  private final InvocationLocks locks;
  private final Clock clock;
  private volatile StopRelay relay = StopRelay.NONE;

  Stops(InvocationStore store, InvocationQueries queries, Dispatcher dispatcher, InvocationLocks locks, Supplier<Fleet> fleet, Clock clock) {
    this.locks = locks;
    this.store = store;
    this.queries = queries;
    this.dispatcher = dispatcher;
    this.fleet = fleet;
    this.clock = clock;
  }

  void relayWith(StopRelay relay) {
    this.relay = relay;
  }

  /**
   * A stop another node relayed here: ends this node's Running records of {@code id} on {@code
   * instances} (all when empty). The instances were marked Stopped by that node.
   */
  void stopOwn(InvokeId id, Set<InstanceId> instances, StopReason reason) {
    locks.with(id, () -> end(store.ownRunningRecords(id), id, instances, reason));
    log.info("stop of invocation {} on {}: this node's records ({}, relayed)", id,
        instances.isEmpty() ? "all instances" : instances, reason);
  }

  void stop(InvokeId id, Set<InstanceId> instances, StopReason reason) {
    Invocation invocation =
        queries.findInvocation(id).orElseThrow(() -> new InvocationRefusedException("no invocation " + id));
    List<InstanceId> members = store.instances(id);
    List<InstanceId> strangers = instances.stream().filter(i -> !members.contains(i)).toList();
    if (!strangers.isEmpty()) {
      throw new InvocationRefusedException(
          "invocation " + id + " has no instance " + strangers + "; its instances are " + members);
    }
    // Under the invocation's lock: a fire of it is either wholly before (its records are in the
    // dispatcher, which stops them) or wholly after (it sees the instances stopped).
    locks.with(id, () -> {
      store.stopInstances(id, instances, clock.instant());
      if (reason == StopReason.USER) {
        rememberIfJobStopped(invocation);
      }
      endRunningRecords(id, instances, reason);
      // The store recomputed the overall status with the stop: publish it if the stop changed it.
      queries.findInvocation(id).map(Invocation::status).filter(s -> s != invocation.status())
          .ifPresent(s -> dispatcher.events().publish(new RunEvent.InvocationStatusChanged(id, s)));
    });
    log.info("stop of invocation {} on {} ({})", id, instances.isEmpty() ? "all instances" : instances, reason);
  }

  private void endRunningRecords(InvokeId id, Set<InstanceId> instances, StopReason reason) {
    StopScope scope = store.stopScope(id);
    for (String node : scope.elsewhere()) {
      relay.relay(node, new ControlRequest.Stop(id, instances));
      log.info("stop of invocation {}: handed to node {}, which runs records of it", id, node);
    }
    end(scope.here(), id, instances, reason);
  }

  private void end(List<InvocationRecord> running, InvokeId id, Set<InstanceId> instances, StopReason reason) {
    Optional<Optional<JobId>> job = Optional.empty();
    for (InvocationRecord record : running) {
      if ((instances.isEmpty() || instances.contains(record.instance())) && !dispatcher.stop(record.id(), reason)) {
        // Not live here (a record of a previous daemon's run, say): ended through the same writer.
        if (job.isEmpty()) {
          job = Optional.of(queries.findInvocation(id).flatMap(Invocation::job));
        }
        RecordRef ref = new RecordRef(record.id(), id, job.get(), record.instance(), record.scheduledAt());
        dispatcher.ends().write(ref, id + "/" + record.instance(), dispatcher.endWithoutExecution(reason), null,
            record.startTime().orElse(null));
      }
    }
  }

  /**
   * A periodic job whose whole invocation a person stopped stays stopped (no new invocation on
   * the next fire) until its definition in config changes.
   */
  private void rememberIfJobStopped(Invocation invocation) {
    if (invocation.repeat() != RepeatMode.Period || invocation.job().isEmpty()) {
      return;
    }
    boolean allStopped = queries.findInvocation(invocation.id())
        .map(i -> i.status() == InvocationStatus.Stopped).orElse(false);
    Fleet current = fleet.get();
    Optional<Job> job = invocation.job().flatMap(current::findJob);
    Optional<Command> command = job.flatMap(j -> current.findCommand(j.command()));
    if (allStopped && command.isPresent()) {
      store.rememberStoppedJob(job.get().id(), JobSpec.of(job.get(), command.get()), invocation.id(), clock.instant());
    }
  }

  List<InvokeId> stopRemovedJobs(Set<JobId> periodicJobsInConfig) {
    List<InvokeId> stopped = store.stopPeriodicInvocationsExcept(periodicJobsInConfig, clock.instant());
    for (InvokeId id : stopped) {
      dispatcher.events().publish(new RunEvent.InvocationStatusChanged(id, InvocationStatus.Stopped));
      locks.with(id, () -> endRunningRecords(id, Set.of(), StopReason.REMOVED));
      log.info("periodic invocation {} stopped: its job is no longer in config", id);
    }
    store.forgetStoppedJobsExcept(periodicJobsInConfig);
    return stopped;
  }

  void retarget(JobId jobId, Set<InstanceId> returning) {
    Fleet current = fleet.get();
    Optional<Job> job = current.findJob(jobId).filter(j -> j.repeat() == RepeatMode.Period);
    Optional<InvokeId> running = store.findRunningPeriodic(jobId).map(Invocation::id);
    if (job.isEmpty() || running.isEmpty()) {
      return;
    }
    InvokeId id = running.get();
    Set<InstanceId> wanted = current.resolve(job.get().targets()).stream()
        .map(Instance::id).collect(Collectors.toCollection(LinkedHashSet::new));
    List<InstanceId> members = store.instances(id);
    List<InstanceId> joining = wanted.stream()
        .filter(i -> !members.contains(i) || returning.contains(i))
        .toList();
    Set<InstanceId> leaving = store.activeInstances(id).stream()
        .filter(i -> !wanted.contains(i))
        .collect(Collectors.toSet());
    // Join first: stopping every old instance before the new ones join would end the invocation.
    if (!joining.isEmpty()) {
      store.includeInstances(id, joining, clock.instant());
      log.info("periodic invocation {} of job {}: instance(s) {} joined", id, jobId, joining);
    }
    if (!leaving.isEmpty()) {
      stop(id, leaving, StopReason.REMOVED);
      log.info("periodic invocation {} of job {}: instance(s) {} left", id, jobId, leaving);
      // The instances still targeted were all stopped by a person: the job stays stopped, as if
      // they had stopped the last one, instead of a new invocation restarting them next fire.
      if (!wanted.isEmpty()) {
        queries.findInvocation(id).ifPresent(this::rememberIfJobStopped);
      }
    }
  }
}
